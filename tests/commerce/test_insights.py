"""Insights from attribution events: the figures by day, language and act, unmet demand ranked by shoppers with
their own words and a first-seen day, top searches, ratings; the daily rollup folds late events in. SQLite and
Postgres."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from commerce.db import Database
from commerce.events import AttributionEvent, write_events
from commerce.insight_rollup import rebuild_rollup
from commerce.insights import insights, unmet_demand_csv
from commerce.tables import AttributionEventRow, InsightRollupRow
from tests.dialects import DIALECTS, migrated

TODAY = date(2026, 12, 8)
NOON = datetime(2026, 12, 8, 12, tzinfo=UTC)


@pytest.fixture(params=DIALECTS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Database:
    return migrated(request, tmp_path, AttributionEventRow, InsightRollupRow)


def _event(kind: str, conversation: str, at: datetime = NOON, language: str = "en", act: str = "product_search",
           **fields: object) -> AttributionEvent:
    return AttributionEvent(kind=kind, at=at, conversation_id=conversation, shopper_id=f"s-{conversation}",  # type: ignore[arg-type]
                            language=language, act=act, **fields)


def _chats() -> list[AttributionEvent]:
    """c1 (en) is shown 4 cards, clicks 2, carts one and orders 80.00; c2 (zh) hands off; c3 (en, yesterday)
    asks for kayaks twice; c2 asks for kayaks too, and for a brand."""
    yesterday = NOON - timedelta(days=1)
    return [
        _event("turn", "c1", value=900.0), *[_event("card_shown", "c1", product_id=f"p{i}", position=i)
                                             for i in range(4)],
        _event("click", "c1", product_id="p0"), _event("click", "c1", product_id="p1"),
        _event("add_to_cart", "c1", product_id="p1"), _event("search", "c1", term="hiking boot"),
        AttributionEvent(kind="checkout_completed", at=NOON, shopper_id="s-c1", value=80.0, detail="chat"),
        _event("turn", "c2", language="zh", act="human_agent", value=500.0),
        _event("handoff", "c2", language="zh", act="human_agent"),
        _event("unmet", "c2", language="zh", detail="kind", term="kayak", text="有皮划艇吗"),
        _event("unmet", "c2", language="zh", detail="brand", term="sony", text="有没有 Sony 的耳机"),
        _event("turn", "c3", at=yesterday, value=700.0), _event("search", "c3", at=yesterday, term="hiking boot"),
        _event("unmet", "c3", at=yesterday, detail="kind", term="kayak", text="do you have kayaks?"),
        _event("unmet", "c3", at=yesterday, detail="kind", term="kayak", text="any kayaks at all?"),
        _event("thumbs_down", "c3", at=yesterday),
    ]


def test_figures_by_day_language_and_act(database: Database) -> None:
    with database.session() as session:
        write_events(session, _chats())
    with database.session() as session:
        report = insights(session, days=7, today=TODAY)
    t = report.totals
    assert (t.conversations, t.turns, t.cards_shown, t.clicks) == (3, 3, 4, 2)
    assert t.resolution_rate == pytest.approx(1 / 3)  # c2 handed off, c3 rated an answer down
    assert t.ctr == 0.5 and t.add_to_cart_rate == pytest.approx(1 / 3)
    assert (t.assisted_orders, t.revenue, t.average_order_value) == (1, 80.0, 80.0)
    assert t.conversion_rate == pytest.approx(1 / 3) and (t.handoffs, t.thumbs_down) == (1, 1)
    assert set(report.by_day) == {"2026-12-07", "2026-12-08"} and report.by_day["2026-12-07"].conversations == 1
    assert report.by_language["zh"].conversations == 1 and report.by_language["zh"].resolution_rate == 0
    assert report.by_act["product_search"].ctr == 0.5 and report.by_act["human_agent"].handoffs == 1
    assert [(s.term, s.count) for s in report.top_searches] == [("hiking boot", 2)]


def test_unmet_demand_ranks_by_shoppers_then_count_with_their_words(database: Database) -> None:
    with database.session() as session:
        write_events(session, _chats())
    with database.session() as session:
        report = insights(session, days=7, today=TODAY)
    first, second = report.unmet_demand
    assert (first.term, first.kind, first.count, first.shoppers, first.first_seen) == ("kayak", "kind", 3, 2,
                                                                                       "2026-12-07")
    assert set(first.examples) == {"有皮划艇吗", "do you have kayaks?", "any kayaks at all?"}
    assert (second.term, second.kind, second.shoppers) == ("sony", "brand", 1)
    csv = unmet_demand_csv(report.unmet_demand).splitlines()
    assert csv[0] == "term,kind,count,shoppers,first_seen,examples" and csv[1].startswith("kayak,kind,3,2,2026-12-07")
    with database.session() as session:
        today_only = insights(session, days=1, today=TODAY)
    assert [(u.term, u.count, u.first_seen) for u in today_only.unmet_demand] == [("kayak", 1, "2026-12-07"),
                                                                                  ("sony", 1, "2026-12-08")]


def test_late_events_of_a_folded_day_are_counted(database: Database) -> None:
    with database.session() as session:
        write_events(session, _chats())
    with database.session() as session:
        assert insights(session, days=7, today=TODAY).totals.conversations == 3
    with database.session() as session:
        write_events(session, [_event("turn", "c9", at=NOON - timedelta(days=1))])
    with database.session() as session:
        report = insights(session, days=7, today=TODAY)
    assert report.totals.conversations == 4 and report.by_day["2026-12-07"].conversations == 2
    with database.session() as session:
        assert rebuild_rollup(session) == 2
    with database.session() as session:
        assert insights(session, days=7, today=TODAY).totals == report.totals


def test_an_empty_shop_reads_as_zeros(database: Database) -> None:
    with database.session() as session:
        report = insights(session, days=30, today=TODAY)
    assert report.totals.conversations == 0 and report.totals.ctr is None and report.unmet_demand == []
