"""Hand the conversation to a human agent with a summary of the shopper's issue."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from commerce.store import record_audit
from commerce.tables import ConversationRow
from tools.base import Tool, ToolContext

# Waiting for an operator (serving's conversation states: bot -> queued -> human).
QUEUED_STATE = "queued"


class HandoffRequest(BaseModel):
    summary: str = Field(description="A summary of the shopper's issue for the human agent", min_length=1,
                         max_length=2000)


class Handoff(BaseModel):
    status: str = "transferred"
    summary: str


def transfer_to_human_agents(context: ToolContext, request: HandoffRequest) -> Handoff:
    # Not a shop write (no order, profile or cart changes), so it needs no confirmation; it is still audited.
    with context.db.session() as session:
        conversation = session.get(ConversationRow, context.conversation_id) if context.conversation_id else None
        before = conversation.state if conversation else None
        if conversation is not None and conversation.state == "bot":
            conversation.state = QUEUED_STATE
        record_audit(
            session, actor=context.shopper_id or "anonymous", action="transfer_to_human_agents",
            target=f"conversation:{context.conversation_id or '-'}", before={"state": before},
            after={"state": conversation.state if conversation else None, "summary": request.summary},
        )
    return Handoff(summary=request.summary)


HANDOFF_TOOL = "transfer_to_human_agents"
HANDOFF_TOOLS: list[Tool[Any, Any]] = [
    Tool(
        HANDOFF_TOOL,
        "Transfer the shopper to a human agent with a summary of their issue. Only if the shopper asks for a human, "
        "or the request cannot be handled with the available tools.",
        HandoffRequest, transfer_to_human_agents,
    ),
]
