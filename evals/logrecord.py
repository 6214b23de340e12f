"""Build a dialogue-log turn from the agent events of one turn (used by the server's log export and by replay)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from agent.events import (
    AgentEvent,
    CitationsEvent,
    DoneEvent,
    ErrorEvent,
    HandoffEvent,
    ProductsEvent,
    TokenEvent,
    ToolCallEvent,
)
from evals.logformat import LoggedCitation, LoggedProduct, LoggedToolCall, LoggedTurn


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
        elif isinstance(event, ErrorEvent):
            turn.error = event.code
        elif isinstance(event, DoneEvent):
            turn.assistant_text = event.text
            turn.model = event.model
            turn.prompt_version = event.prompt_version
            turn.latency_ms = max(event.latency_ms, 0.0)
    if not turn.assistant_text:
        turn.assistant_text = "".join(tokens)
    turn.first_token_ms = first_token_ms
    turn.started_at = started_at
    turn.finished_at = finished_at
    return turn
