"""Forget-me leaves nothing about the shopper in any table or in-process cache."""

from __future__ import annotations

import pickle

from sqlalchemy import select

from commerce.db import Database
from commerce.models import BehaviourEvent, EventKind
from commerce.tables import AuditRow, Base, CartRow, ConversationRow, MessageRow, ProfileRow
from ranking.privacy import forget_shopper, stored_about
from ranking.profile_store import record_event
from ranking.service import Ranker
from tests.ranking.conftest import HALF_LIFE
from tests.ranking.factories import START


def everything_stored(db: Database) -> str:
    with db.session() as session:
        return "\n".join(repr(tuple(row)) for table in Base.metadata.sorted_tables
                         for row in session.execute(select(table)))


def test_forget_shopper_erases_every_trace(shop_db: Database, ranker: Ranker) -> None:
    shopper = "trail_fan_1"
    record_event(shop_db, BehaviourEvent(shopper_id=shopper, kind=EventKind.VIEW, product_id="road-1", at=START),
                 HALF_LIFE)
    with shop_db.session() as session:
        session.add(CartRow(shopper_id=shopper, lines=[{"product_id": "road-1", "item_id": "road-1-v",
                                                        "quantity": 1}]))
        session.add(ConversationRow(id="c1", shopper_id=shopper))
        session.flush()
        session.add(MessageRow(conversation_id="c1", role="user", text="running shoes for me please"))
        session.add(AuditRow(actor="agent", action="cart.add", target=shopper, before=None, after={"n": 1}))
    ranker.recommend("for_you", shopper, limit=5)  # fit and use the shared signals
    assert shopper in everything_stored(shop_db)

    with shop_db.session() as session:
        counted = stored_about(session, shopper)
    deleted = forget_shopper(shop_db, shopper, ranker)

    assert deleted == counted  # what forget-me's confirmation summary counts is exactly what goes
    assert deleted["events"] == 7 and deleted["profiles"] == 1 and deleted["shoppers"] == 1
    stored = everything_stored(shop_db)
    assert shopper not in stored
    assert "running shoes for me please" not in stored
    assert ranker.profile(shopper) is None
    ranker.recommend("for_you", "camper_2", limit=5)  # refit from what is left
    assert shopper.encode() not in pickle.dumps(ranker.signals)
    assert "camper_2" in everything_stored(shop_db)  # others are untouched


def test_profiles_hold_no_personal_details_beyond_the_pseudonymous_id(shop_db: Database) -> None:
    with shop_db.session() as session:
        stored = [row.data for row in session.scalars(select(ProfileRow))]
    text = repr(stored)
    assert stored and "@example.com" not in text and "Pat" not in text
    assert "query" not in text  # search text is never kept in a profile
