"""Tool outputs become compact fenced DATA, and the events their types declare (cards, citations, actions, handoff)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from agent.results import citations, compact, data_block, handoff, product_cards, proposed_actions, result_ids
from agent.state import ToolOutcome
from tools.actions import ProposedAction
from tools.faq import FaqPassage, SearchFaqOutput
from tools.handoff import Handoff
from tools.recommend import RecommendedProduct, RecommendOutput
from tools.search import ProductHit, SearchProductsOutput
from tools.views import ProductView, VariantView
from vectorstore.query import SearchQuery


def outcome(name: str, data: Any, ok: bool = True, **arguments: Any) -> ToolOutcome:
    return ToolOutcome(name=name, arguments=arguments, ok=ok, data=data, error_code="" if ok else "not_found")


def typed(name: str, output: Any) -> ToolOutcome:
    return ToolOutcome(name=name, arguments={}, ok=True, data=output.model_dump(mode="json"), output=output)


def test_cards_are_what_search_recommendation_and_details_outputs_declare() -> None:
    search = SearchProductsOutput(query=SearchQuery(text="boot"), hits=[ProductHit(
        id="p1", title="Boot", price=99.5, currency="USD", in_stock=False, brand="B", category="Shoes", rating=4.0,
        attributes={}, reason="matches boot")])
    recommended = RecommendOutput(mode="similar", personalized=True, items=[RecommendedProduct(
        product_id="p2", title="Sock", brand="B", price=5.0, category="Socks", reason="goes with Boot",
        signal="co_view")])
    details = ProductView(product_id="p3", name="Tent", variants=[
        VariantView(item_id="i1", options={}, available=False, price=150.0),
        VariantView(item_id="i2", options={}, available=True, price=120.0)])
    cards = {card.id: card for o in (typed("search_products", search), typed("recommend_products", recommended),
                                     typed("get_product_details", details)) for card in product_cards(o)}
    assert cards["p1"].in_stock is False and cards["p1"].price == 99.5 and cards["p1"].reason == "matches boot"
    assert cards["p2"].reason == "goes with Boot" and cards["p3"].title == "Tent" and cards["p3"].price == 120.0
    assert cards["p3"].in_stock is True


def test_json_that_looks_like_products_is_not_a_card() -> None:
    shaped = {"products": [{"id": "p1", "title": "Boot", "price": 99.5}]}
    assert product_cards(outcome("x", shaped)) == []


def test_order_lines_are_not_cards() -> None:
    order = {"order_id": "#W1", "items": [{"product_id": "p1", "item_id": "i1", "name": "Boot", "price": 99.0}]}
    assert product_cards(outcome("get_order_details", order)) == []
    assert result_ids(outcome("get_order_details", order)) == ["#W1", "p1"]


def test_failed_outcomes_produce_no_events() -> None:
    failed = outcome("search_products", "index unavailable", ok=False)
    assert product_cards(failed) == [] and citations(failed) == [] and proposed_actions(failed) == []


def test_citations_and_actions_and_handoff() -> None:
    faq = typed("search_faq", SearchFaqOutput(found=True, passages=[FaqPassage(
        id="f1", title="Returns", section="Window", source="policies/returns.md", text="30 days", score=1.0)]))
    assert citations(faq)[0].id == "f1" and citations(faq)[0].source == "policies/returns.md"
    action = typed("cancel_pending_order", ProposedAction(action_id="act_1", action="cancel_pending_order",
                                                          summary="Cancel #W1",
                                                          expires_at=datetime(2030, 1, 1, tzinfo=UTC)))
    assert proposed_actions(action)[0].tool == "cancel_pending_order"
    moved = handoff(typed("transfer_to_human_agents", Handoff(summary="angry about delay")))
    assert moved is not None and moved.reason == "angry about delay"
    assert handoff(outcome("search_faq", {})) is None


def test_compact_trims_lists_texts_and_display_fields() -> None:
    value = compact({"products": [{"id": str(i), "description": "x" * 500, "image_url": "/a", "brand": ""}
                                  for i in range(8)]})
    assert len(value["products"]) == 6 and value["products"][-1] == "... 3 more"
    assert len(value["products"][0]["description"]) < 250 and "image_url" not in value["products"][0]
    assert "brand" not in value["products"][0]


def test_data_block_shows_errors_and_arguments() -> None:
    block = data_block([outcome("get_order_details", "no order #W9", ok=False, order_id="#W9")])
    assert 'get_order_details({"order_id":"#W9"})' in block and "not_found" in block
