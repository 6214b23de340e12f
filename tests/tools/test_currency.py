"""Prices in another currency are converted at the shop's rate before filtering, or not applied; never misread."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from shopassist.settings import load_settings
from tests.vectorstore.helpers import indexed_demo_shop
from tools.base import ToolContext
from tools.currency import CurrencyConversion, in_shop_currency
from tools.deps import Deps
from tools.search import SEARCH_PRODUCTS, SearchProductsOutput
from vectorstore.query import SearchQuery


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ToolContext]:
    yield indexed_demo_shop(tmp_path_factory.mktemp("shop"))


def search(context: ToolContext, arguments: dict[str, Any]) -> SearchProductsOutput:
    result = SEARCH_PRODUCTS.run(context, {"limit": 20, **arguments})
    assert isinstance(result, SearchProductsOutput), result
    return result


def test_yuan_in_the_query_filter_at_the_configured_rate_and_say_so(shop: ToolContext) -> None:
    result = search(shop, {"query": "300元以内的耳机"})
    assert result.conversion == CurrencyConversion(
        amount_min=None, amount_max=300, currency="CNY", rate=0.14, shop_currency="USD",
        converted_min=None, converted_max=42.0)
    assert result.query.price_max == 42.0 and result.query.currency == "USD" and result.unconverted_currency is None
    assert result.hits and all(hit.price <= 42.0 and hit.currency == "USD" for hit in result.hits)


def test_explicit_arguments_behave_like_parsed_ones(shop: ToolContext) -> None:
    parsed = search(shop, {"query": "300元以内的耳机"})
    explicit = search(shop, {"query": "耳机", "max_price": 300, "currency": "cny"})
    assert explicit.conversion == parsed.conversion and explicit.query.price_max == 42.0
    assert explicit.hits and all(hit.price <= 42.0 for hit in explicit.hits)


def test_a_currency_without_a_rate_is_not_filtered_and_is_reported(shop: ToolContext) -> None:
    unfiltered = search(shop, {"query": "headphones"})
    result = search(shop, {"query": "headphones", "max_price": 20, "currency": "JPY"})
    assert result.unconverted_currency == "JPY" and result.conversion is None
    assert result.query.price_max is None and "USD" in result.note and "JPY" in result.note
    assert [hit.id for hit in result.hits] == [hit.id for hit in unfiltered.hits]
    assert any(hit.price > 20 for hit in result.hits)  # neither read as 20 dollars nor guessed at a rate

    settings = shop.settings.model_copy(update={"currency_rates": {}})
    no_yuan_rate = ToolContext(Deps(shop.db, settings, search=shop.deps.search))
    parsed = search(no_yuan_rate, {"query": "300元以内的耳机"})
    assert parsed.unconverted_currency == "CNY" and parsed.query.price_max is None


def test_prices_in_the_shop_currency_are_untouched(shop: ToolContext) -> None:
    result = search(shop, {"query": "headphones under $50"})
    assert result.query.price_max == 50 and result.query.currency == "USD"
    assert result.conversion is None and result.unconverted_currency is None
    assert result.hits and all(hit.price <= 50 for hit in result.hits)
    unmarked = search(shop, {"query": "headphones", "min_price": 20, "max_price": 80})
    assert (unmarked.query.price_min, unmarked.query.price_max, unmarked.conversion) == (20, 80, None)


def test_the_shop_sets_its_own_currency_and_rates() -> None:
    settings = load_settings(shop_currency="eur", currency_rates={"usd": 0.9, "CNY": 0.13})
    shop_prices = in_shop_currency(SearchQuery(price_min=100, price_max=200, currency="USD"), settings)
    assert (shop_prices.query.price_min, shop_prices.query.price_max, shop_prices.query.currency) == (90, 180, "EUR")
    assert shop_prices.conversion and shop_prices.conversion.rate == 0.9
    assert in_shop_currency(SearchQuery(price_max=50, currency="EUR"), settings).conversion is None
    assert in_shop_currency(SearchQuery(price_max=50, currency="RMB"), settings).query.price_max == 6.5
