"""How each product's offer moved: recorded in the transaction that changes an offer, read back as figures.

A point is written only when the product's lowest price or its in/out of stock state differs from its latest point,
with one set-based INSERT … SELECT over the products touched (or all of them, for a large change). The price on any
day is the last point at or before it (a step function); the figures over a window are taken over its daily prices.
"""

from __future__ import annotations

import statistics
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, func, insert, literal, select
from sqlalchemy.orm import Session

from commerce.tables import PricePointRow, ProductRow, VariantRow, utcnow

WHOLE_SCAN_ABOVE = 2000
_CHUNK = 500


@dataclass(frozen=True)
class PricePoint:
    at: datetime
    price: float
    low: float
    high: float
    in_stock: bool


def _latest(column: object) -> object:
    """The product's latest point's `column`, correlated to each product row."""
    return (select(column).where(PricePointRow.product_id == ProductRow.id)  # type: ignore[call-overload]
            .order_by(PricePointRow.at.desc(), PricePointRow.id.desc()).limit(1)
            .correlate(ProductRow).scalar_subquery())


def _changed(now: datetime, scope: list[str] | None) -> Select[tuple[object, ...]]:
    in_stock = (select(func.coalesce(func.sum(VariantRow.stock), 0) > 0)
                .where(VariantRow.product_id == ProductRow.id).correlate(ProductRow).scalar_subquery())
    latest_price, latest_stock = _latest(PricePointRow.price), _latest(PricePointRow.in_stock)
    return (select(ProductRow.id, literal(now, PricePointRow.at.type), ProductRow.price, ProductRow.price,
                   ProductRow.price, in_stock, literal(0))
            .where(*([ProductRow.id.in_(scope)] if scope is not None else []),
                   (latest_price.is_distinct_from(ProductRow.price))  # type: ignore[attr-defined]
                   | (latest_stock.is_distinct_from(in_stock))))  # type: ignore[attr-defined]


def record_prices(session: Session, product_ids: Collection[str] | None = None, now: datetime | None = None) -> int:
    """Add a point for every product among these (None: all) whose lowest price or stock state changed since its
    latest point. Runs in the caller's transaction; returns the points written."""
    now = now or utcnow()
    session.flush()
    scopes: list[list[str] | None]
    if product_ids is None or len(product_ids) > WHOLE_SCAN_ABOVE:
        scopes = [None]
    else:
        ids = sorted(set(product_ids))
        scopes = [ids[start:start + _CHUNK] for start in range(0, len(ids), _CHUNK)]
    columns = ["product_id", "at", "price", "low", "high", "in_stock", "span_days"]
    written = 0
    for scope in scopes:
        result = session.execute(insert(PricePointRow).from_select(columns, _changed(now, scope))
                                 .returning(PricePointRow.id))
        written += len(result.all())
    return written


def price_points(session: Session, product_id: str, since: datetime) -> list[PricePoint]:
    """The points from `since` on, led by the last one before it (the price in force when the window opens)."""
    before = (select(PricePointRow).where(PricePointRow.product_id == product_id, PricePointRow.at < since)
              .order_by(PricePointRow.at.desc(), PricePointRow.id.desc()).limit(1))
    after = (select(PricePointRow).where(PricePointRow.product_id == product_id, PricePointRow.at >= since)
             .order_by(PricePointRow.at, PricePointRow.id))
    rows = [*session.scalars(before), *session.scalars(after)]
    return [PricePoint(at=row.at, price=row.price, low=row.low, high=row.high, in_stock=row.in_stock)
            for row in rows]


@dataclass(frozen=True)
class WindowFigures:
    days: int
    low: float
    high: float
    median: float
    covered_days: int  # days of the window the history reaches


def _aware(moment: datetime, like: datetime) -> datetime:
    return moment.replace(tzinfo=like.tzinfo) if moment.tzinfo is None else moment


def daily_prices(points: Sequence[PricePoint], since: datetime, until: datetime) -> list[float]:
    """The price at the end of each day from `since` to `until` (days before the first point are left out)."""
    prices: list[float] = []
    index = -1
    day = since
    while day <= until:
        while index + 1 < len(points) and _aware(points[index + 1].at, day) <= day:
            index += 1
        if index >= 0:
            prices.append(points[index].price)
        day += timedelta(days=1)
    return prices


def window_figures(points: Sequence[PricePoint], days: int, now: datetime) -> WindowFigures | None:
    """Lowest, highest and median price over the last `days` days; None when the history does not reach them."""
    since = now - timedelta(days=days)
    daily = daily_prices(points, since + timedelta(days=1), now)
    if not daily:
        return None
    inside = [p for p in points if _aware(p.at, now) > since]
    low = min([*daily, *(p.low for p in inside)])
    high = max([*daily, *(p.high for p in inside)])
    return WindowFigures(days=days, low=low, high=high, median=round(statistics.median(daily), 2),
                         covered_days=len(daily))
