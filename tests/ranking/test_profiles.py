"""Profiles: decay, incremental equals batch, stored updates, opt-out."""

from __future__ import annotations

from datetime import timedelta

import pytest

from commerce.db import Database
from commerce.models import BehaviourEvent, EventKind
from commerce.tables import EventRow, ProfileRow
from ranking.catalog import Catalog
from ranking.profile_store import load_profile, record_event, record_events
from ranking.profiles import build_profile
from tests.ranking.conftest import HALF_LIFE
from tests.ranking.factories import START, SyntheticShop


def test_weight_halves_after_one_half_life(catalog: Catalog) -> None:
    events = [BehaviourEvent(shopper_id="s", kind=EventKind.VIEW, product_id="trail-0", at=START),
              BehaviourEvent(shopper_id="s", kind=EventKind.VIEW, product_id="road-0",
                             at=START + timedelta(days=HALF_LIFE))]
    profile = build_profile("s", events, catalog, HALF_LIFE)
    assert profile is not None
    assert profile.categories["Shoes > Running > Trail Running"] == pytest.approx(0.5)
    assert profile.categories["Shoes > Running > Road Running"] == pytest.approx(1.0)
    assert profile.categories["Shoes"] == pytest.approx(1.5)


def test_incremental_updates_match_batch_rebuild(shop_db: Database, shop: SyntheticShop, catalog: Catalog) -> None:
    new = [BehaviourEvent(shopper_id="trail_fan_1", kind=kind, product_id=product, at=START + timedelta(days=day))
           for kind, product, day in [(EventKind.VIEW, "road-2", 7), (EventKind.ADD_TO_CART, "road-2", 7.5),
                                      (EventKind.VIEW, "hiking-1", 3)]]  # the last one arrives late
    for event in new:
        record_event(shop_db, event, HALF_LIFE, catalog)
    with shop_db.session() as session:
        stored = load_profile(session, "trail_fan_1")
    batch = build_profile("trail_fan_1", shop.events_of("trail_fan_1") + new, catalog, HALF_LIFE)
    assert stored is not None and batch is not None
    assert stored.as_of == batch.as_of
    for name in ("categories", "brands", "price_bands", "attributes"):
        assert getattr(stored, name) == pytest.approx(getattr(batch, name))
    assert stored.products["road-2"].kind == "add_to_cart"


def test_interest_embedding_is_the_weighted_mean_of_product_vectors(catalog: Catalog) -> None:
    vectors = {"trail-0": [1.0, 0.0], "tents-0": [0.0, 1.0]}
    events = [BehaviourEvent(shopper_id="s", kind=EventKind.VIEW, product_id="trail-0", at=START),
              BehaviourEvent(shopper_id="s", kind=EventKind.PURCHASE, product_id="tents-0", at=START),
              BehaviourEvent(shopper_id="s", kind=EventKind.VIEW, product_id="coffee-0", at=START)]  # no vector
    profile = build_profile("s", events, catalog, HALF_LIFE, vectors.get)
    assert profile is not None and profile.embedding == pytest.approx([1 / 9, 8 / 9])


def test_opted_out_shopper_is_neither_tracked_nor_profiled(shop_db: Database, catalog: Catalog) -> None:
    event = BehaviourEvent(shopper_id="optout_4", kind=EventKind.PURCHASE, product_id="audio-2", at=START)
    assert record_event(shop_db, event, HALF_LIFE, catalog) is None
    with shop_db.session() as session:
        assert load_profile(session, "optout_4") is None
        assert session.get(ProfileRow, "optout_4") is None
        assert session.query(EventRow).filter_by(shopper_id="optout_4", product_id="audio-2").count() == 0


def test_batch_recording_updates_each_profile_once(shop_db: Database, catalog: Catalog) -> None:
    events = [BehaviourEvent(shopper_id=shopper, kind=EventKind.VIEW, product_id=product,
                             at=START + timedelta(days=10 + i))
              for i, (shopper, product) in enumerate([("camper_2", "stoves-1"), ("trail_fan_1", "road-1"),
                                                      ("camper_2", "tents-3"), ("optout_4", "audio-0")])]
    profiles = record_events(shop_db, events, HALF_LIFE, catalog)
    assert set(profiles) == {"camper_2", "trail_fan_1"}
    with shop_db.session() as session:
        stored = load_profile(session, "camper_2")
    assert stored is not None and {"stoves-1", "tents-3"} <= set(stored.products)
    assert stored == profiles["camper_2"]
