"""Price bounds given in another currency: converted at the shop's configured rate, or dropped if it has none."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, Field

from shopassist.settings import Settings
from vectorstore.query import SearchQuery

# Names models and shoppers use for a currency instead of its ISO code.
ALIASES = {"RMB": "CNY", "YUAN": "CNY", "元": "CNY", "US$": "USD"}


class CurrencyConversion(BaseModel):
    """A price limit the shopper gave in another currency, converted to the shop's before filtering."""

    amount_min: float | None = Field(description="Lowest price as the shopper gave it, e.g. 100")
    amount_max: float | None = Field(description="Highest price as the shopper gave it, e.g. 300")
    currency: str = Field(description="The currency the shopper used, e.g. 'CNY'")
    rate: float = Field(description="Shop-currency units per unit of `currency`, e.g. 0.14")
    shop_currency: str = Field(description="The currency this shop's prices are in, e.g. 'USD'")
    converted_min: float | None = Field(description="amount_min in the shop's currency, e.g. 14.0")
    converted_max: float | None = Field(description="amount_max in the shop's currency, e.g. 42.0")


@dataclass(frozen=True)
class ShopPrices:
    """A query whose price bounds are in the shop's currency, and how they got there."""

    query: SearchQuery
    conversion: CurrencyConversion | None = None
    # Set when the bounds were in a currency the shop has no rate for: they were dropped, not guessed.
    unconverted_currency: str | None = None


def currency_code(name: str) -> str:
    code = name.strip().upper()
    return ALIASES.get(code, code)


def in_shop_currency(query: SearchQuery, settings: Settings) -> ShopPrices:
    """`query` with its price bounds in the shop's currency; a foreign amount is never read as a shop price."""
    shop = settings.shop_currency
    given = currency_code(query.currency) if query.currency else shop
    if query.price_min is None and query.price_max is None:
        return ShopPrices(query.model_copy(update={"currency": None}))
    if given == shop:
        return ShopPrices(query.model_copy(update={"currency": shop}))
    rate = settings.currency_rates.get(given)
    if rate is None:
        dropped = query.model_copy(update={"price_min": None, "price_max": None, "currency": None})
        return ShopPrices(dropped, unconverted_currency=given)
    low = None if query.price_min is None else round(query.price_min * rate, 2)
    high = None if query.price_max is None else round(query.price_max * rate, 2)
    conversion = CurrencyConversion(
        amount_min=query.price_min, amount_max=query.price_max, currency=given, rate=rate, shop_currency=shop,
        converted_min=low, converted_max=high,
    )
    return ShopPrices(query.model_copy(update={"price_min": low, "price_max": high, "currency": shop}), conversion)
