"""Watches: evaluated on every offer-update path, one notification per trigger, re-armed by the stated rule."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from commerce.db import Database
from commerce.importers.jsonl import export_jsonl, import_jsonl
from commerce.models import Product, Variant
from commerce.notifications import claim_notifications, pending_notifications
from commerce.offers import OfferUpdate, update_offers
from commerce.store import upsert_product
from commerce.tables import WatchNotificationRow, WatchRow
from commerce.watches import (
    WatchKind,
    active_watches,
    cancel_watches,
    create_watch,
    evaluate_watches,
    purge_expired,
)
from ranking.privacy import erase_shopper
from tests.dialects import DIALECTS, migrated

TTL = timedelta(days=90)


@pytest.fixture(params=DIALECTS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Database:
    """Every rule on SQLite and on Postgres (the dialects' INSERT … ON CONFLICT and correlated UPDATEs differ)."""
    return migrated(request, tmp_path, WatchNotificationRow, WatchRow)


def _shoe(price: float = 120.0, stock: int = 5, second_price: float = 130.0) -> Product:
    return Product(id="p_trail", title="Trail Runner X", price=min(price, second_price), variants=[
        Variant(id="v_trail_9", options={"size": "9"}, price=price, stock=stock),
        Variant(id="v_trail_10", options={"size": "10"}, price=second_price, stock=stock),
    ])


def _shop(database: Database, **prices: float) -> None:
    with database.session() as session:
        upsert_product(session, _shoe(**prices))


def _watch(database: Database, kind: WatchKind, threshold: float | None = None, shopper: str = "s1",
           variant_id: str | None = None) -> str:
    with database.session() as session:
        return create_watch(session, shopper, "p_trail", kind, TTL, threshold, variant_id).id


def _set(database: Database, variant_id: str = "v_trail_9", **change: float) -> int:
    with database.session() as session:
        return update_offers(session, [OfferUpdate(variant_id=variant_id, **change)]).notifications


def _pending(database: Database, shopper: str = "s1") -> list[tuple[str, float]]:
    with database.session() as session:
        return [(n.kind, n.price) for n in pending_notifications(session, shopper)]


def test_a_price_crossing_the_threshold_queues_one_notification(database: Database) -> None:
    _shop(database)
    _watch(database, "below", 100.0)
    assert _set(database, price=105.0) == 0  # a drop that does not cross
    assert _set(database, price=89.0) == 1
    assert _pending(database) == [("below", 89.0)]
    with database.session() as session:
        note = pending_notifications(session, "s1")[0]
    assert note.title == "Trail Runner X" and note.reference_price == 100.0


def test_the_same_state_evaluated_again_queues_nothing_more(database: Database) -> None:
    _shop(database)
    _watch(database, "below", 100.0)
    _set(database, price=89.0)
    assert _set(database, price=85.0) == 0  # still under: the watch is disarmed
    with database.session() as session:
        assert evaluate_watches(session) == 0
        assert evaluate_watches(session, ["p_trail"]) == 0
    assert len(_pending(database)) == 1


def test_below_rearms_once_the_price_is_back_at_the_threshold(database: Database) -> None:
    _shop(database)
    _watch(database, "below", 100.0)
    _set(database, price=89.0)
    _set(database, price=100.0)  # at the threshold: re-armed
    assert _set(database, price=95.0) == 1
    assert _pending(database) == [("below", 89.0), ("below", 95.0)]


def test_back_in_stock_fires_on_the_first_stock_and_rearms_at_zero(database: Database) -> None:
    _shop(database, stock=0)
    _watch(database, "back_in_stock", variant_id="v_trail_10")
    assert _set(database, "v_trail_9", stock=3) == 0  # another size: not the variant watched
    assert _set(database, "v_trail_10", stock=2) == 1
    assert _set(database, "v_trail_10", stock=7) == 0
    _set(database, "v_trail_10", stock=0)
    assert _set(database, "v_trail_10", stock=1) == 1
    assert [kind for kind, _ in _pending(database)] == ["back_in_stock", "back_in_stock"]


def test_any_drop_fires_below_the_last_triggered_price_only(database: Database) -> None:
    _shop(database)
    _watch(database, "any_drop")
    assert _set(database, price=125.0) == 0  # a rise
    assert _set(database, price=110.0) == 1
    assert _set(database, price=120.0) == 0
    assert _set(database, price=110.0) == 0  # back to the level already told
    assert _set(database, price=99.0) == 1
    assert _pending(database) == [("any_drop", 110.0), ("any_drop", 99.0)]


def test_a_catalog_import_evaluates_in_its_own_transaction(database: Database, tmp_path: Path) -> None:
    _shop(database)
    _watch(database, "below", 100.0)
    export_jsonl([_shoe(price=79.0)], tmp_path / "feed.jsonl")
    with database.session() as session:
        report = import_jsonl(session, tmp_path / "feed.jsonl")
    assert report.loaded["products"] == 1
    assert _pending(database) == [("below", 79.0)]


def test_a_rolled_back_update_queues_nothing(database: Database) -> None:
    _shop(database)
    _watch(database, "below", 100.0)
    try:
        with database.session() as session:
            update_offers(session, [OfferUpdate(variant_id="v_trail_9", price=50.0)])
            raise RuntimeError("the import failed later")
    except RuntimeError:
        pass
    assert _pending(database) == []
    assert _set(database, price=50.0) == 1


def test_expired_watches_are_not_evaluated_listed_and_are_purged(database: Database) -> None:
    _shop(database)
    created = datetime.now(UTC) - timedelta(days=91)
    with database.session() as session:
        create_watch(session, "s1", "p_trail", "below", TTL, 100.0, now=created)
    with database.session() as session:
        assert active_watches(session, "s1") == []
    assert _set(database, price=50.0) == 0
    with database.session() as session:
        assert purge_expired(session) == 1


def test_unknown_variants_are_reported_and_the_rest_applied(database: Database) -> None:
    _shop(database)
    _watch(database, "below", 100.0)
    with database.session() as session:
        result = update_offers(session, [OfferUpdate(variant_id="nope", price=1.0),
                                         OfferUpdate(variant_id="v_trail_9", price=60.0)])
    assert result.unknown == ["nope"] and result.updated == 1 and result.notifications == 1


def test_one_shoppers_watch_never_notifies_another(database: Database) -> None:
    _shop(database)
    _watch(database, "below", 100.0, shopper="s1")
    _watch(database, "below", 50.0, shopper="s2")
    _set(database, price=80.0)
    assert _pending(database, "s1") == [("below", 80.0)] and _pending(database, "s2") == []
    with database.session() as session:
        assert claim_notifications(session, ["s2"]) == []
        assert cancel_watches(session, "s2", [w.id for w in active_watches(session, "s1")]) == 0


def test_a_claimed_notification_is_claimed_once(database: Database) -> None:
    _shop(database)
    _watch(database, "below", 100.0)
    _set(database, price=80.0)
    with database.session() as session:
        first = claim_notifications(session, ["s1"])
    with database.session() as session:
        second = claim_notifications(session, ["s1"])
    assert [n.price for n in first] == [80.0] and second == []


def test_cancelling_and_forget_me_leave_nothing_to_deliver(database: Database) -> None:
    _shop(database)
    kept = _watch(database, "below", 100.0)
    _set(database, price=80.0)
    with database.session() as session:
        erase_shopper(session, "s1")
    with database.session() as session:
        assert active_watches(session, "s1") == [] and pending_notifications(session, "s1") == []
        assert session.scalar(select(func.count()).select_from(WatchNotificationRow)) == 0
    _set(database, price=120.0)
    assert _set(database, price=70.0) == 0
    assert kept  # the id existed; nothing is left under it
    again = _watch(database, "below", 100.0)
    with database.session() as session:
        assert cancel_watches(session, "s1", [again]) == 1
    assert _set(database, price=60.0) == 0


def test_a_new_watch_on_the_same_offer_replaces_the_old(database: Database) -> None:
    _shop(database)
    _watch(database, "below", 100.0)
    _watch(database, "below", 90.0)
    with database.session() as session:
        assert [w.threshold for w in active_watches(session, "s1")] == [90.0]


def test_racing_claims_share_the_notifications_without_overlap(database: Database) -> None:
    with database.session() as session:
        for index in range(40):
            upsert_product(session, _shoe().model_copy(update={"id": f"p_{index}", "variants": [
                Variant(id=f"v_{index}", price=120.0, stock=1)]}))
            create_watch(session, "s1", f"p_{index}", "below", TTL, 100.0)
    with database.session() as session:
        update_offers(session, [OfferUpdate(variant_id=f"v_{index}", price=50.0) for index in range(40)])

    def claim() -> list[int]:
        taken: list[int] = []
        for _ in range(20):
            with database.session() as session:
                taken += [note.id for note in claim_notifications(session, ["s1"])]
        return taken

    with ThreadPoolExecutor(2) as pool:
        first, second = pool.submit(claim), pool.submit(claim)
        claimed = first.result() + second.result()
    assert len(claimed) == len(set(claimed)) == 40
