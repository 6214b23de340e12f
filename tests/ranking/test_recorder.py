"""Events recorded behind the caller are stored in batches, a forgotten shopper's queued events are dropped, a
failed write does not stop later ones, and the ranker's cached profiles follow what it records."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import select

from commerce.db import Database
from commerce.models import BehaviourEvent, EventKind
from commerce.tables import EventRow
from ranking.catalog import Catalog
from ranking.profile_store import load_profile, record_event
from ranking.recorder import EventRecorder
from ranking.service import Ranker
from tests.ranking.conftest import HALF_LIFE
from tests.ranking.factories import START


def search(shopper: str, text: str, minutes: int = 0) -> BehaviourEvent:
    return BehaviourEvent(shopper_id=shopper, kind=EventKind.SEARCH, query=text, at=START + timedelta(minutes=minutes))


def stored_queries(db: Database, shopper: str) -> list[str]:
    with db.session() as session:
        return list(session.scalars(select(EventRow.query).where(EventRow.shopper_id == shopper,
                                                                 EventRow.kind == "search").order_by(EventRow.at)))


def test_recorded_events_are_stored_and_folded_into_the_profile(shop_db: Database, catalog: Catalog) -> None:
    with shop_db.session() as session:
        before = load_profile(session, "trail_fan_1")
    recorder = EventRecorder(shop_db, HALF_LIFE, lambda: catalog)
    for minute in range(5):
        recorder.record(search("trail_fan_1", f"ultralight tent {minute}", minute))
    assert recorder.flush()
    assert stored_queries(shop_db, "trail_fan_1") == [f"ultralight tent {minute}" for minute in range(5)]
    with shop_db.session() as session:
        profile = load_profile(session, "trail_fan_1")
    assert before is not None and profile is not None and profile.events == before.events + 5


def test_discard_drops_a_shoppers_queued_events_and_waits_for_the_batch_in_flight(shop_db: Database,
                                                                                 catalog: Catalog) -> None:
    gate, writing = threading.Event(), threading.Event()

    def held_catalog() -> Catalog:
        writing.set()
        gate.wait(5)
        return catalog

    recorder = EventRecorder(shop_db, HALF_LIFE, held_catalog)
    recorder.record(search("camper_2", "stove"))
    assert writing.wait(5)  # the first batch is being written, the next events queue behind it
    recorder.record(search("trail_fan_1", "headlamp", 1))
    recorder.record(search("camper_2", "sleeping bag", 2))
    threading.Timer(0.2, gate.set).start()
    assert recorder.discard("trail_fan_1") == 1
    assert "stove" in stored_queries(shop_db, "camper_2")  # the batch in flight landed before discard returned
    assert recorder.flush()
    assert "headlamp" not in stored_queries(shop_db, "trail_fan_1")
    assert stored_queries(shop_db, "camper_2")[-2:] == ["stove", "sleeping bag"]


def test_a_failed_write_is_logged_and_later_events_are_stored(shop_db: Database, catalog: Catalog) -> None:
    calls = []

    def failing_once() -> Catalog:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database went away")
        return catalog

    recorder = EventRecorder(shop_db, HALF_LIFE, failing_once)
    recorder.record(search("camper_2", "lost lantern"))
    assert recorder.flush()
    recorder.record(search("camper_2", "kept lantern", 1))
    assert recorder.flush()
    queries = stored_queries(shop_db, "camper_2")
    assert "kept lantern" in queries and "lost lantern" not in queries


def test_the_ranker_reads_a_profile_once_per_ttl_and_its_own_events_replace_it(shop_db: Database) -> None:
    ranker = Ranker(shop_db, HALF_LIFE, profile_ttl_s=60)
    before = ranker.profile("trail_fan_1")
    assert before is not None
    record_event(shop_db, search("trail_fan_1", "written by another process"), HALF_LIFE)
    assert ranker.profile("trail_fan_1") is before  # within the TTL: not read again
    ranker.recorder.record(search("trail_fan_1", "recorded here", 1))
    assert ranker.recorder.flush()
    after = ranker.profile("trail_fan_1")
    assert after is not None and after.events == before.events + 2
    ranker.profile_ttl_s = 0
    assert ranker.profile("trail_fan_1") is not after
