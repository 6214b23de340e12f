"""Operator console API: the handoff queue, a conversation's history, live replies and handing back to the bot."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel, Field

from serving import conversations as store
from serving.identity import is_operator
from serving.logs import event
from serving.protocol import ConversationState, OperatorFrame, StateFrame
from serving.services import Services


class OperatorReply(BaseModel):
    text: str = Field(min_length=1, max_length=4000)


def services_of(request: Request) -> Services:
    return request.app.state.services  # type: ignore[no-any-return]


def require_operator(request: Request) -> Services:
    services = services_of(request)
    header = request.headers.get("authorization", "")
    token = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else None
    if not is_operator(services.settings, token):
        raise HTTPException(status_code=401, detail="operator token required")
    return services


Operator = Annotated[Services, Depends(require_operator)]
router = APIRouter(prefix="/v1/console", tags=["console"])


async def conversation_of(services: Services, conversation_id: str) -> store.Conversation:
    """The conversation, or a 404."""
    conversation = await store.in_db_thread(services.db, store.get_conversation, conversation_id)
    if conversation is None:
        raise HTTPException(status_code=404, detail="no such conversation")
    return conversation


async def _move(services: Services, conversation_id: str, state: ConversationState) -> None:
    await store.in_db_thread(services.db, store.set_state, conversation_id, state)
    await services.hub.publish(conversation_id, StateFrame(state=state))
    event("handoff_state", conversation=conversation_id, state=state)


@router.get("/queue")
async def queue(services: Operator) -> list[dict[str, Any]]:
    return await store.in_db_thread(services.db, store.queue)


@router.get("/conversations/{conversation_id}")
async def conversation(conversation_id: str, services: Operator) -> dict[str, Any]:
    found = await conversation_of(services, conversation_id)
    items = await store.in_db_thread(services.db, store.history, conversation_id)
    return {"id": found.id, "state": found.state, "authenticated": found.shopper_id is not None,
            "history": [item.model_dump() for item in items]}


@router.post("/conversations/{conversation_id}/reply")
async def reply(conversation_id: str, body: OperatorReply,
                services: Operator) -> dict[str, Any]:
    found = await conversation_of(services, conversation_id)
    if found.state != "human":
        await _move(services, conversation_id, "human")
    message_id = await store.in_db_thread(services.db, store.store_operator_message, conversation_id, body.text)
    await services.hub.publish(conversation_id, OperatorFrame(message_id=message_id, text=body.text))
    return {"message_id": message_id}


@router.post("/conversations/{conversation_id}/release")
async def release(conversation_id: str, services: Operator) -> dict[str, str]:
    await conversation_of(services, conversation_id)
    await _move(services, conversation_id, "bot")
    return {"state": "bot"}
