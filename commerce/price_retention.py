"""Keeping price history bounded: recent changes kept as they are, older ones folded into one point per day, then
per week, and points past the retention dropped (the last one before it stays: it is the price the window opens
with). A product that changes price every day then holds at most ~7 + 83 + 44 points, whatever the shop's size."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Row, delete, insert, select
from sqlalchemy.orm import Session

from commerce.tables import PricePointRow, utcnow

_EPOCH = datetime(1970, 1, 5, tzinfo=UTC)  # a Monday: weeks start on Mondays
_PRODUCTS = 200


@dataclass(frozen=True)
class Retention:
    raw_days: int = 7  # every change kept this long
    daily_days: int = 90  # then one point per product-day until this age, then one per product-week
    keep_days: int = 400  # dropped past this age (a year's window keeps its opening price)


@dataclass
class RetentionReport:
    folded: int = 0  # points replaced
    written: int = 0  # points that replaced them
    dropped: int = 0


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _bucket(moment: datetime, span_days: int) -> int:
    return (_aware(moment) - _EPOCH).days // span_days


def _fold(session: Session, older_than: datetime, span_days: int, report: RetentionReport) -> None:
    """Points older than `older_than` of a finer span become one point per bucket, a few hundred products at a
    time (memory stays bounded however large the shop)."""
    point = PricePointRow
    foldable = point.at < older_than, point.span_days < span_days
    products = list(session.scalars(select(point.product_id).where(*foldable).distinct()))
    for start in range(0, len(products), _PRODUCTS):
        chunk = point.product_id.in_(products[start:start + _PRODUCTS])
        query = (select(point.product_id, point.at, point.price, point.low, point.high, point.in_stock)
                 .where(*foldable, chunk).order_by(point.product_id, point.at, point.id))
        groups: dict[tuple[str, int], list[Row[tuple[str, datetime, float, float, float, bool]]]] = defaultdict(list)
        for row in session.execute(query):
            groups[(row.product_id, _bucket(row.at, span_days))].append(row)
        fresh = [{"product_id": product_id, "at": rows[0].at, "price": rows[-1].price,
                  "low": min(row.low for row in rows), "high": max(row.high for row in rows),
                  "in_stock": rows[-1].in_stock, "span_days": span_days}
                 for (product_id, _), rows in groups.items()]
        session.execute(delete(point).where(*foldable, chunk).execution_options(synchronize_session=False))
        session.execute(insert(point), fresh)
        report.folded += sum(len(rows) for rows in groups.values())
        report.written += len(fresh)


def _drop(session: Session, cutoff: datetime, report: RetentionReport) -> None:
    """Points before `cutoff`, except each product's last one before it."""
    older = PricePointRow.__table__.alias("older")
    newer_too_old = (select(older.c.id).where(older.c.product_id == PricePointRow.product_id,
                                              older.c.at > PricePointRow.at, older.c.at < cutoff)
                     .correlate(PricePointRow.__table__).exists())
    result = session.execute(delete(PricePointRow).where(PricePointRow.at < cutoff, newer_too_old)
                             .execution_options(synchronize_session=False))
    report.dropped += result.rowcount or 0  # type: ignore[attr-defined]


def apply_retention(session: Session, retention: Retention, now: datetime | None = None) -> RetentionReport:
    """Fold and drop, in the caller's transaction; running it twice changes nothing the second time."""
    now = now or utcnow()
    report = RetentionReport()
    _drop(session, now - timedelta(days=retention.keep_days), report)
    _fold(session, now - timedelta(days=retention.daily_days), 7, report)
    _fold(session, now - timedelta(days=retention.raw_days), 1, report)
    return report
