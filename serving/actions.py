"""The shopper's confirm/reject of a proposed write, executed by the server with the session's identity."""

from __future__ import annotations

import asyncio

from pydantic import BaseModel

from serving import conversations as store
from serving.conversations import Conversation
from serving.protocol import ActionResultFrame, ConfirmFrame, RejectFrame
from serving.services import Services
from serving.turns import error_frame
from tools.base import ToolContext, ToolFailure
from tools.confirm import confirm_action, reject_action


async def resolve_action(services: Services, conversation: Conversation,
                         frame: ConfirmFrame | RejectFrame) -> BaseModel:
    """Never goes through the LLM: the action id comes from the shopper's click, identity from the session
    (read now: a shopper verified in the chat since the socket opened counts)."""
    current = await store.in_db_thread(services.db, store.get_conversation, conversation.id)
    conversation = current or conversation
    if conversation.shopper_id is None:
        return error_frame("identity_required", "Please sign in to the shop to confirm changes to orders or cart.")
    context = ToolContext(services.deps, shopper_id=conversation.shopper_id, conversation_id=conversation.id)
    run = confirm_action if isinstance(frame, ConfirmFrame) else reject_action
    try:
        outcome = await asyncio.to_thread(run, context, frame.action_id)
    except ToolFailure as failure:
        return ActionResultFrame(action_id=frame.action_id, status="failed", message=failure.reason)
    status = "confirmed" if outcome.status == "executed" else "rejected"
    return ActionResultFrame(action_id=frame.action_id, status=status, message=outcome.summary)
