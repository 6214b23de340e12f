"""Every labeled demo query with a hard constraint (price, stock, negation) returns no item that violates it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from commerce.store import get_products
from evals.search.demo_queries import load_specs
from tests.vectorstore.helpers import indexed_demo_shop
from tools.base import ToolContext
from tools.search import SEARCH_PRODUCTS, SearchProductsOutput
from vectorstore.catalog import affirms
from vectorstore.filters import USD_PER_UNIT


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ToolContext]:
    yield indexed_demo_shop(tmp_path_factory.mktemp("shop"))


def test_the_demo_set_is_big_enough() -> None:
    specs = load_specs()
    assert len(specs) >= 150
    assert sum(spec.language == "zh" for spec in specs) >= 30
    assert {"price", "negation", "stock"} <= {spec.kind for spec in specs}


def test_hard_constraints_are_never_violated(shop: ToolContext) -> None:
    checked = 0
    for spec in load_specs():
        if not spec.rule.hard:
            continue
        result = SEARCH_PRODUCTS.run(shop, {"query": spec.text, "limit": 20})
        assert isinstance(result, SearchProductsOutput), (spec.text, result)
        with shop.db.session() as session:
            products = get_products(session, [hit.id for hit in result.hits])
        rate = USD_PER_UNIT[spec.rule.currency]
        for hit in result.hits:
            product = products[hit.id]
            if spec.rule.price_max is not None:
                assert product.price <= spec.rule.price_max * rate + 1e-6, (spec.text, hit)
            if spec.rule.price_min is not None:
                assert product.price >= spec.rule.price_min * rate - 1e-6, (spec.text, hit)
            if spec.rule.in_stock:
                assert product.in_stock, (spec.text, hit)
            text = " ".join([product.title, *product.attributes.values()]).lower()
            assert not any(affirms(text, term) for term in spec.rule.exclude), (spec.text, hit)
        checked += 1
    assert checked >= 50


def test_hits_explain_the_constraints_they_meet(shop: ToolContext) -> None:
    result = SEARCH_PRODUCTS.run(shop, {"query": "hiking boots under $150", "in_stock": True, "limit": 5})
    assert isinstance(result, SearchProductsOutput) and result.hits
    assert result.query.price_max == 150 and result.query.in_stock
    for hit in result.hits:
        assert hit.price <= 150 and hit.in_stock and "within range" in hit.reason and "in stock" in hit.reason


def test_agent_fields_override_the_parsed_ones_and_sorting_applies(shop: ToolContext) -> None:
    result = SEARCH_PRODUCTS.run(shop, {"query": "tent under $100", "max_price": 300, "sort": "price_desc"})
    assert isinstance(result, SearchProductsOutput) and result.query.price_max == 300
    prices = [hit.price for hit in result.hits]
    assert prices == sorted(prices, reverse=True) and max(prices) <= 300


def test_impossible_constraints_say_so(shop: ToolContext) -> None:
    result = SEARCH_PRODUCTS.run(shop, {"query": "laptop", "max_price": 1})
    assert isinstance(result, SearchProductsOutput) and result.hits == [] and "relax" in result.note


def test_bad_arguments_are_a_typed_error(shop: ToolContext) -> None:
    assert SEARCH_PRODUCTS.run(shop, {"query": "boots", "max_price": "cheap"}).code == "invalid_arguments"


def test_guessed_brands_categories_and_attributes_become_words_not_filters(shop: ToolContext) -> None:
    guessed = SEARCH_PRODUCTS.run(shop, {"query": "coffee", "brand": ["Starbucks"], "category": "Coffee Stuff",
                                         "attributes": {"caffeine": "high"}})
    assert isinstance(guessed, SearchProductsOutput) and guessed.hits
    assert not guessed.query.brand and guessed.query.category is None and not guessed.query.attributes
    assert "starbucks" in guessed.query.text and guessed.query.wording.startswith("coffee")


@pytest.mark.parametrize(("query", "closest"), [
    ("有没有适合送爸爸的剃须刀？", True), ("你们卖不卖儿童自行车？", True), ("usb-c cable", True),
    ("waterproof hiking boots", False), ("蓝牙耳机", False), ("birthday gift cooking", False),
    ("something for my dad who loves coffee", False), ("瑜伽垫", False),
])
def test_a_search_for_what_the_shop_does_not_carry_says_these_are_only_the_closest(shop: ToolContext, query: str,
                                                                                  closest: bool) -> None:
    result = SEARCH_PRODUCTS.run(shop, {"query": query})
    assert isinstance(result, SearchProductsOutput) and result.hits
    assert result.closest_only is closest
