"""Retention: recent changes kept, older ones folded per day then per week (low/high kept), the oldest dropped but
the price a year's window opens with; running it again changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select

from commerce.db import Database
from commerce.price_history import price_points, window_figures
from commerce.price_retention import Retention, apply_retention
from commerce.tables import PricePointRow

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


def _daily_changes(database: Database, days: int, per_day: int = 3) -> None:
    """A product whose price changes `per_day` times every day for `days` days, ending now."""
    rows = []
    for day in range(days, 0, -1):
        for change in range(per_day):
            price = 100.0 + (day % 7) * 5 + change
            rows.append({"product_id": "p1", "at": NOW - timedelta(days=day, hours=-change), "price": price,
                         "low": price, "high": price, "in_stock": True, "span_days": 0})
    with database.session() as session:
        session.execute(insert(PricePointRow), rows)


def _spans(database: Database) -> dict[int, int]:
    with database.session() as session:
        spans = session.scalars(select(PricePointRow.span_days)).all()
    return {span: spans.count(span) for span in sorted(set(spans))}


def test_a_year_of_changes_is_folded_to_a_bounded_number_of_points(database: Database) -> None:
    _daily_changes(database, 500)
    with database.session() as session:
        before = window_figures(price_points(session, "p1", NOW - timedelta(days=365)), 365, NOW)
        report = apply_retention(session, Retention(raw_days=7, daily_days=90, keep_days=400), now=NOW)
    spans = _spans(database)
    assert spans[0] == 7 * 3  # the last week as it happened
    assert 82 <= spans[1] <= 84  # a day each from a week to 90 days ago
    assert 44 <= spans[7] <= 46  # a week each up to 400 days ago, plus the point the window opens with
    assert report.dropped > 0 and report.folded > report.written
    with database.session() as session:
        after = window_figures(price_points(session, "p1", NOW - timedelta(days=365)), 365, NOW)
    assert before is not None and after is not None
    assert (after.low, after.high) == (before.low, before.high)  # a folded span keeps its extremes
    with database.session() as session:
        again = apply_retention(session, Retention(raw_days=7, daily_days=90, keep_days=400), now=NOW)
    assert (again.folded, again.written, again.dropped) == (0, 0, 0)
    assert _spans(database) == spans


def test_a_product_that_never_changes_keeps_its_only_point(database: Database) -> None:
    with database.session() as session:
        session.execute(insert(PricePointRow), [{"product_id": "p2", "at": NOW - timedelta(days=900), "price": 10.0,
                                                 "low": 10.0, "high": 10.0, "in_stock": True, "span_days": 0}])
        apply_retention(session, Retention(), now=NOW)
        points = price_points(session, "p2", NOW - timedelta(days=365))
    assert [point.price for point in points] == [10.0]
    assert window_figures(points, 30, NOW) is not None
