"""Attribution events: queued without touching the database, written in batches by the writer's thread, dropped
when recording is off, and erased with the shopper by forget-me."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from sqlalchemy import func, select

from commerce.db import Database
from commerce.events import AttributionEvent, EventWriter, write_events
from commerce.tables import AttributionEventRow
from ranking.privacy import forget_shopper


def _count(database: Database, **where: object) -> int:
    with database.session() as session:
        query = select(func.count()).select_from(AttributionEventRow)
        for column, value in where.items():
            query = query.where(getattr(AttributionEventRow, column) == value)
        return session.scalar(query) or 0


def _card(shopper: str | None = "shp_1", conversation: str = "c1") -> AttributionEvent:
    return AttributionEvent(kind="card_shown", conversation_id=conversation, shopper_id=shopper, product_id="p1",
                            position=0, reason="under $120", language="en", act="product_search")


def test_events_wait_in_memory_until_a_flush_writes_them_in_one_batch(database: Database) -> None:
    writer = EventWriter(database, interval_s=60)
    writer.add([_card(), _card()])
    assert _count(database) == 0
    assert writer.flush() == 2 and writer.flush() == 0
    assert _count(database, kind="card_shown", position=0, language="en") == 2


def test_the_writers_thread_writes_a_full_batch_at_once_and_the_rest_when_stopped(database: Database) -> None:
    writer = EventWriter(database, interval_s=60, batch=3)
    writer.start()
    writer.add([_card() for _ in range(3)])
    deadline = time.monotonic() + 5
    while _count(database) < 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert _count(database) == 3
    writer.add([_card()])
    writer.stop()
    assert _count(database) == 4 and writer.written == 4


def test_recording_off_drops_events(database: Database) -> None:
    writer = EventWriter(database, enabled=False)
    writer.add([_card()])
    assert writer.flush() == 0 and _count(database) == 0


def test_a_failed_write_loses_the_batch_not_the_caller(tmp_path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'unmigrated.db'}")  # no tables: every insert fails
    writer = EventWriter(database)
    writer.add([_card()])
    assert writer.flush() == 0


def test_the_day_is_the_utc_day_of_the_event(database: Database) -> None:
    late = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)
    with database.session() as session:
        write_events(session, [AttributionEvent(kind="turn", at=late)])
    assert _count(database, day="2026-03-01") == 1


def test_forget_me_erases_the_shoppers_events_and_keeps_others(database: Database) -> None:
    with database.session() as session:
        write_events(session, [_card("shp_1", "c1"), _card("shp_2", "c2"),
                               AttributionEvent(kind="unmet", shopper_id="shp_1", conversation_id="c1",
                                                term="kayak", detail="kind", text="do you have kayaks?")])
    deleted = forget_shopper(database, "shp_1")
    assert deleted["attribution_events"] == 2
    assert _count(database, shopper_id="shp_1") == 0 and _count(database, shopper_id="shp_2") == 1
