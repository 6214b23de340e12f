"""Operator console API for stated preferences: what a signed-in shopper asked the assistant to remember, read-only
(the shopper notes and forgets them in the chat)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from commerce.db import Database
from commerce.preferences import list_preferences
from serving import conversations as store
from serving.console import Operator, conversation_of

router = APIRouter(prefix="/v1/console", tags=["console"])


def _preferences_of(db: Database, shopper_id: str) -> dict[str, Any]:
    with db.session() as session:
        preferences = [preference.model_dump(mode="json", exclude={"id"})
                       for preference in list_preferences(session, shopper_id)]
    return {"shopper_id": shopper_id, "preferences": preferences}


@router.get("/shoppers/{shopper_id}/preferences")
async def shopper_preferences(shopper_id: str, services: Operator) -> dict[str, Any]:
    return await store.in_db_thread(services.db, _preferences_of, shopper_id)


@router.get("/conversations/{conversation_id}/preferences")
async def conversation_preferences(conversation_id: str, services: Operator) -> dict[str, Any]:
    """The stated preferences of the conversation's signed-in shopper (none for an anonymous one)."""
    found = await conversation_of(services, conversation_id)
    if found.shopper_id is None:
        return {"shopper_id": None, "preferences": []}
    return await store.in_db_thread(services.db, _preferences_of, found.shopper_id)
