"""'Is this a good price?': a product's price today against its lowest, highest and median of the last 30, 90 and
365 days, whether it is at a low, and the points of its year for a chart."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from commerce.price_history import price_points, window_figures
from commerce.tables import ProductRow, VariantRow
from tools.base import Tool, ToolContext, ToolFailure

WINDOWS = (30, 90, 365)
# Within this share of a window's low, today's price counts as at that low (a cent of rounding is no difference).
AT_LOW_TOLERANCE = 0.005
Verdict = Literal["lowest_year", "low_90", "below_typical", "typical", "above_typical", "high_90", "no_history"]


class PriceHistoryInput(BaseModel):
    """A product's price history: today's price against the last 30, 90 and 365 days, and whether it is a low."""

    model_config = ConfigDict(extra="forbid")
    product_id: str | None = Field(None, max_length=64, description="A product id from the results, e.g. '6086499569'")
    words: str = Field("", max_length=120, description="Words of the product's name when no id is known, e.g. "
                       "'trail runner x'")

    @model_validator(mode="after")
    def _names_a_product(self) -> PriceHistoryInput:
        if not self.product_id and not self.words.strip():
            raise ValueError("give a product_id or words of the product's name")
        return self


class PriceWindow(BaseModel):
    days: int = Field(description="30, 90 or 365")
    low: float
    high: float
    median: float = Field(description="The median of the window's daily prices")
    covered_days: int = Field(description="Days of the window the history reaches")


class ChartPoint(BaseModel):
    at: datetime
    price: float
    in_stock: bool


class PriceHistoryView(BaseModel):
    product_id: str
    title: str = Field(description="e.g. 'Trail Runner X'")
    currency: str = "USD"
    price_now: float
    in_stock: bool
    windows: list[PriceWindow] = Field(default_factory=list, description="Shortest first; a window the history "
                                       "does not reach is left out")
    verdict: Verdict
    points: list[ChartPoint] = Field(default_factory=list, description="Each change over the last year, oldest "
                                     "first, led by the price in force when it opened")
    since: datetime
    until: datetime


def _verdict(price: float, windows: dict[int, PriceWindow]) -> Verdict:
    year, quarter = windows.get(365), windows.get(90)
    if quarter is None:
        return "no_history"
    if year is not None and year.covered_days >= 300 and price <= year.low * (1 + AT_LOW_TOLERANCE):
        return "lowest_year"
    if price <= quarter.low * (1 + AT_LOW_TOLERANCE):
        return "low_90"
    if price >= quarter.high * (1 - AT_LOW_TOLERANCE) and quarter.high > quarter.low:
        return "high_90"
    if price < quarter.median:
        return "below_typical"
    return "above_typical" if price > quarter.median else "typical"


def _by_words(session: Session, words: str) -> ProductRow:
    terms = [term for term in re.split(r"\s+", words.strip().lower()) if term][:8]
    query = select(ProductRow).where(*(func.lower(ProductRow.title).contains(term, autoescape=True) for term in terms))
    found = list(session.scalars(query.order_by(func.length(ProductRow.title), ProductRow.id).limit(1)))
    if not found:
        raise ToolFailure("unknown_product", "There is no product with that name in the catalog.")
    return found[0]


def price_history(context: ToolContext, arguments: PriceHistoryInput) -> PriceHistoryView:
    now = context.now()
    with context.db.session() as session:
        product = (session.get(ProductRow, arguments.product_id) if arguments.product_id
                   else _by_words(session, arguments.words))
        if product is None:
            raise ToolFailure("unknown_product", "There is no such product in the catalog.")
        stock = session.scalar(select(func.coalesce(func.sum(VariantRow.stock), 0))
                               .where(VariantRow.product_id == product.id)) or 0
        since = now - timedelta(days=max(WINDOWS))
        points = price_points(session, product.id, since)
    figures = [window_figures(points, days, now) for days in WINDOWS]
    windows = {f.days: PriceWindow(days=f.days, low=f.low, high=f.high, median=f.median, covered_days=f.covered_days)
               for f in figures if f is not None}
    return PriceHistoryView(
        product_id=product.id, title=product.title, currency=product.currency, price_now=product.price,
        in_stock=stock > 0, windows=list(windows.values()), verdict=_verdict(product.price, windows),
        points=[ChartPoint(at=point.at, price=point.price, in_stock=point.in_stock) for point in points],
        since=since, until=now)


PRICE_QUESTION = re.compile(r"price|deal|cheap|expensive|worth|\$|价|划算|便宜|贵|值", re.IGNORECASE)
PRICE_HISTORY = Tool(
    "price_history",
    "Is this a good price? A product's price today against its lowest, highest and median of the last 30, 90 and "
    "365 days, and whether it is at a low.",
    PriceHistoryInput, price_history, asked_for=PRICE_QUESTION)
