"""Tool outputs become compact fenced DATA and structured events (cards, citations, actions, handoff)."""

from __future__ import annotations

from typing import Any

from agent.results import citations, compact, data_block, handoff, product_cards, proposed_actions, result_ids
from agent.state import ToolOutcome


def outcome(name: str, data: Any, ok: bool = True, **arguments: Any) -> ToolOutcome:
    return ToolOutcome(name=name, arguments=arguments, ok=ok, data=data, error_code="" if ok else "not_found")


def test_cards_from_search_recommendation_and_details_shapes() -> None:
    data = {"products": [{"id": "p1", "title": "Boot", "price": 99.5, "image_url": "/i/p1.jpg", "in_stock": False}],
            "items": [{"product_id": "p2", "title": "Sock", "price": 5, "reason": "goes with Boot"}],
            "detail": {"product_id": "p3", "name": "Tent", "variants": [{"price": 150.0}, {"price": 120.0}]}}
    cards = {card.id: card for card in product_cards(outcome("x", data))}
    assert cards["p1"].image == "/i/p1.jpg" and cards["p1"].in_stock is False and cards["p1"].price == 99.5
    assert cards["p2"].reason == "goes with Boot" and cards["p3"].title == "Tent" and cards["p3"].price == 120.0


def test_order_lines_are_not_cards() -> None:
    order = {"order_id": "#W1", "items": [{"product_id": "p1", "item_id": "i1", "name": "Boot", "price": 99.0}]}
    assert product_cards(outcome("get_order_details", order)) == []
    assert result_ids(outcome("get_order_details", order)) == ["#W1", "p1"]


def test_failed_outcomes_produce_no_events() -> None:
    failed = outcome("search_products", "index unavailable", ok=False)
    assert product_cards(failed) == [] and citations(failed) == [] and proposed_actions(failed) == []


def test_citations_and_actions_and_handoff() -> None:
    faq = outcome("search_faq", {"passages": [{"id": "f1", "title": "Returns", "section": "Window",
                                               "source": "policies/returns.md", "text": "30 days"}]})
    assert citations(faq)[0].id == "f1"
    action = outcome("cancel_pending_order", {"action_id": "act_1", "action": "cancel_pending_order",
                                              "summary": "Cancel #W1", "expires_at": "2030-01-01T00:00:00Z"})
    assert proposed_actions(action)[0].tool == "cancel_pending_order"
    moved = handoff(outcome("transfer_to_human_agents", {"status": "transferred"}, summary="angry about delay"))
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
