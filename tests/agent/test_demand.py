"""Unmet demand is read from the tools' typed results: kinds and brands the shop lacks, prices and sizes its products
of the kind cannot meet, searches that found nothing, policy questions without an answer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from agent.demand import normalized, searched_terms, unmet_demand
from agent.state import ToolOutcome
from shopassist.settings import load_settings
from tests.vectorstore.helpers import HashingEmbedder, demo_database
from tools.base import ToolContext
from tools.deps import Deps
from tools.faq import SearchFaqOutput
from tools.search import SEARCH_PRODUCTS, KindCheck, ProductHit, SearchProductsOutput
from vectorstore.multilingual import USEEmbedder
from vectorstore.query import SearchQuery
from vectorstore.service import build_from_database, open_service

HIT = ProductHit(id="p1", title="Trail Boot", price=95.0, currency="USD", in_stock=True, brand="Northpeak",
                 category="Shoes > Hiking Boots", rating=4.5, attributes={}, reason="")


def _search(query: SearchQuery, hits: list[ProductHit], **fields: Any) -> ToolOutcome:
    output = SearchProductsOutput(query=query, hits=hits, **fields)
    return ToolOutcome(name="search_products", arguments={"query": query.text}, ok=True, data={}, output=output)


@pytest.mark.parametrize(("said", "term"), [("Kayaks", "kayak"), ("  Hiking Boots! ", "hiking boot"),
                                            ("boxes", "box"), ("batteries", "battery"), ("glass", "glass"),
                                            ("皮划艇", "皮划艇"), ("Sony", "sony")])
def test_terms_are_normalized(said: str, term: str) -> None:
    assert normalized(said) == term


def test_a_missing_kind_and_an_unknown_brand() -> None:
    outcome = _search(SearchQuery(text="sony kayaks", wording="sony kayaks"), [HIT], closest_only=True,
                      kind=KindCheck(asked="kayaks", status="missing"), unknown_brand="Sony")
    found = {(item.kind, item.term) for item in unmet_demand([outcome])}
    assert found == {("kind", "kayak"), ("brand", "sony")}


def test_prices_and_sizes_the_kind_cannot_meet() -> None:
    cheap = _search(SearchQuery(text="hiking boots", wording="hiking boots", price_max=60), [HIT],
                    kind=KindCheck(asked="hiking boots", status="constrained", blocked_by="price_max"))
    sized = _search(SearchQuery(text="hiking boots", wording="hiking boots", size=["15"]), [HIT],
                    kind=KindCheck(asked="hiking boots", status="constrained", blocked_by="size"))
    found = [(item.kind, item.term) for item in unmet_demand([cheap, sized])]
    assert found == [("price", "hiking boot under 60"), ("size", "hiking boot size 15")]


def test_nothing_found_and_an_unanswered_policy_question() -> None:
    empty = _search(SearchQuery(text="left-handed scissors", wording="left-handed scissors"), [])
    faq = ToolOutcome(name="search_faq", arguments={"query": "Do you price match?"}, ok=True, data={},
                      output=SearchFaqOutput(found=False, passages=[]))
    answered = ToolOutcome(name="search_faq", arguments={"query": "returns"}, ok=True, data={},
                           output=SearchFaqOutput(found=True, passages=[]))
    found = [(item.kind, item.term) for item in unmet_demand([empty, faq, answered])]
    assert found == [("zero_result", "left-handed scissor"), ("policy", "do you price match")]


def test_a_search_that_met_the_want_is_no_demand_and_failed_calls_are_skipped() -> None:
    met = _search(SearchQuery(text="hiking boots", wording="hiking boots"), [HIT],
                  kind=KindCheck(asked="hiking boots", status="matched"))
    failed = ToolOutcome(name="search_products", arguments={}, ok=False, data="bad", output=None)
    assert unmet_demand([met, failed]) == []
    assert searched_terms([met, failed]) == ["hiking boot"]


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ToolContext]:
    folder = tmp_path_factory.mktemp("demand")
    settings = load_settings(data_dir=folder / "var", env="test")
    database = demo_database(folder)
    service = open_service(settings, HashingEmbedder(), USEEmbedder())
    build_from_database(service, database)
    yield ToolContext(Deps(database, settings, search=service))


@pytest.mark.slow
@pytest.mark.parametrize(("arguments", "expected"), [
    ({"query": "a hammock for the garden"}, ("kind", "hammock")),
    ({"query": "有没有 Sony 的 noise cancelling 耳机"}, ("brand", "sony")),
    ({"query": "waterproof hiking boots under $60"}, ("price", "hiking boot under 60")),
])
def test_the_demo_shops_real_search_results(shop: ToolContext, arguments: dict[str, Any],
                                            expected: tuple[str, str]) -> None:
    result = SEARCH_PRODUCTS.run(shop, {"limit": 5, **arguments})
    outcome = ToolOutcome(name="search_products", arguments=arguments, ok=True, data={}, output=result)
    assert expected in {(item.kind, item.term) for item in unmet_demand([outcome])}
