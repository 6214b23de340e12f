"""Operator console API for alerts: a shopper's watches (read-only) and offer price/stock updates, which evaluate
the watches in the same transaction."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from commerce.db import Database
from commerce.notifications import pending_notifications
from commerce.offers import OfferUpdate, OfferUpdateResult, update_offers
from commerce.watches import active_watches, offer
from serving import conversations as store
from serving.console import Operator, conversation_of

router = APIRouter(prefix="/v1/console", tags=["console"])


class OfferUpdates(BaseModel):
    offers: list[OfferUpdate] = Field(min_length=1, max_length=10_000)


def _watches_of(db: Database, shopper_id: str) -> dict[str, Any]:
    with db.session() as session:
        watches = []
        for watch in active_watches(session, shopper_id):
            current = offer(session, watch.product_id, watch.variant_id)
            watches.append(watch.model_dump(mode="json", exclude={"id"}) | {
                "title": current.title if current else None, "price_now": current.price if current else None,
                "stock_now": current.stock if current else None})
        waiting = [note.model_dump(mode="json", exclude={"shopper_id"})
                   for note in pending_notifications(session, shopper_id)]
    return {"shopper_id": shopper_id, "watches": watches, "undelivered": waiting}


def _update(db: Database, updates: list[OfferUpdate]) -> OfferUpdateResult:
    with db.session() as session:
        return update_offers(session, updates)


@router.get("/shoppers/{shopper_id}/watches")
async def shopper_watches(shopper_id: str, services: Operator) -> dict[str, Any]:
    return await store.in_db_thread(services.db, _watches_of, shopper_id)


@router.get("/conversations/{conversation_id}/watches")
async def conversation_watches(conversation_id: str, services: Operator) -> dict[str, Any]:
    """The alerts of the conversation's signed-in shopper (none for an anonymous one)."""
    found = await conversation_of(services, conversation_id)
    if found.shopper_id is None:
        return {"shopper_id": None, "watches": [], "undelivered": []}
    return await store.in_db_thread(services.db, _watches_of, found.shopper_id)


@router.post("/offers")
async def offers(body: OfferUpdates, services: Operator) -> OfferUpdateResult:
    return await store.in_db_thread(services.db, _update, body.offers)
