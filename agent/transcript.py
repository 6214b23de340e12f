"""One turn as recorded (tool calls, products shown, citations, answer), folded from the agent's events."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from agent.events import (
    ActionRequiredEvent,
    AgentEvent,
    CitationsEvent,
    DoneEvent,
    ErrorEvent,
    HandoffEvent,
    ProductsEvent,
    TokenEvent,
    ToolCallEvent,
)
from agent.state import DialogueState


class LogModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoggedToolCall(LogModel):
    name: str = Field(description="Tool name, e.g. 'search_products'")
    arguments: dict[str, Any] = Field(default_factory=dict)
    result_ids: list[str] = Field(default_factory=list, description="Ids of products/passages/orders returned")
    result: Any = Field(None, description="The tool's output as JSON, when the exporter keeps it (for grounding)")
    ok: bool = True
    error: str = ""
    latency_ms: float = Field(0.0, ge=0)


class LoggedProduct(LogModel):
    id: str
    title: str = ""
    price: float | None = None
    currency: str = "USD"
    rank: int = Field(0, ge=0, description="0-based position in what the shopper saw")


class LoggedCitation(LogModel):
    id: str = Field(description="Passage id, e.g. 'returns#window'")
    title: str = ""
    section: str = ""
    source: str = ""
    text: str = Field("", description="Passage text when the exporter keeps it (for grounding)")


class Feedback(LogModel):
    rating: Literal["up", "down"] | None = None
    comment: str = ""
    clicked_product_ids: list[str] = Field(default_factory=list)
    carted_product_ids: list[str] = Field(default_factory=list)
    purchased_product_ids: list[str] = Field(default_factory=list)


class LoggedTurn(LogModel):
    index: int = Field(ge=0)
    user_text: str
    assistant_text: str = ""
    language: Literal["en", "zh"] | None = None
    tool_calls: list[LoggedToolCall] = Field(default_factory=list)
    products: list[LoggedProduct] = Field(default_factory=list)
    citations: list[LoggedCitation] = Field(default_factory=list)
    handoff: bool = False
    proposed_actions: list[str] = Field(default_factory=list, description="Tools of the actions proposed for the "
                                        "shopper to confirm, e.g. ['cancel_pending_order']")
    streamed_text: str = Field("", description="The streamed tokens when they differ from the final answer text")
    error: str = Field("", description="Error code when the turn failed")
    latency_ms: float = Field(0.0, ge=0, description="User message received -> turn done")
    first_token_ms: float | None = Field(None, ge=0)
    model: str = ""
    planner: Literal["router", "llm", "none"] | None = Field(None, description="Who planned the turn's tool calls")
    prompt_version: str = ""
    feedback: Feedback = Field(default_factory=Feedback)
    dialogue: DialogueState | None = Field(None, description="The dialogue state the turn left for the next one")
    started_at: datetime | None = None
    finished_at: datetime | None = None


def turn_from_events(
    index: int,
    user_text: str,
    events: Iterable[AgentEvent],
    *,
    language: str | None = None,
    started_at: datetime | None = None,
    finished_at: datetime | None = None,
    first_token_ms: float | None = None,
) -> LoggedTurn:
    """Fold one turn's events into a LoggedTurn; the DoneEvent's text wins over concatenated tokens."""
    tokens: list[str] = []
    turn = LoggedTurn(index=index, user_text=user_text, language=language if language in ("en", "zh") else None)
    for event in events:
        if isinstance(event, TokenEvent):
            tokens.append(event.text)
        elif isinstance(event, ToolCallEvent):
            turn.tool_calls.append(
                LoggedToolCall(
                    name=event.name,
                    arguments=event.arguments,
                    result_ids=event.result_ids,
                    ok=event.ok,
                    latency_ms=max(event.latency_ms, 0.0),
                )
            )
        elif isinstance(event, ProductsEvent):
            start = len(turn.products)
            turn.products.extend(
                LoggedProduct(id=card.id, title=card.title, price=card.price, currency=card.currency, rank=start + i)
                for i, card in enumerate(event.products)
            )
        elif isinstance(event, CitationsEvent):
            turn.citations.extend(
                LoggedCitation(id=c.id, title=c.title, section=c.section, source=c.source) for c in event.citations
            )
        elif isinstance(event, HandoffEvent):
            turn.handoff = True
        elif isinstance(event, ActionRequiredEvent):
            turn.proposed_actions.append(event.tool)
        elif isinstance(event, ErrorEvent):
            turn.error = event.code
        elif isinstance(event, DoneEvent):
            turn.assistant_text = event.text
            turn.model = event.model
            turn.planner = event.planner
            turn.prompt_version = event.prompt_version
            turn.dialogue = event.dialogue
            turn.latency_ms = max(event.latency_ms, 0.0)
    streamed = "".join(tokens)
    if not turn.assistant_text:
        turn.assistant_text = streamed
    elif streamed.strip() and streamed.strip() != turn.assistant_text.strip():
        turn.streamed_text = streamed
    turn.first_token_ms = first_token_ms
    turn.started_at = started_at
    turn.finished_at = finished_at
    return turn
