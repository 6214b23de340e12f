"""Plays fresh dialogues over a running server's websocket, as a shopper's client would, and records each answer."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from typing import Any

from pydantic import BaseModel, Field

from agent.events import ProductCard, ToolCallEvent
from evals.fresh.schema import FreshDialogue


class FreshError(RuntimeError):
    """The server cannot be played against as asked (unreachable, or it refused the shopper's token)."""


class MessageRecord(BaseModel):
    """What the client saw for one shopper message; times are ms from sending it."""

    dialogue_id: str
    turn: int
    text: str
    statuses: list[str] = Field(default_factory=list)
    tool_calls: list[ToolCallEvent] = Field(default_factory=list)
    products: list[ProductCard] = Field(default_factory=list)
    proposed_actions: list[str] = Field(default_factory=list, description="Tools of `action_required` frames")
    handoff: bool = False
    streamed: str = Field("", description="The token frames, joined")
    answer: str = Field("", description="The `done` frame's text, else the streamed tokens")
    error: str = Field("", description="Error code of the turn (or 'timeout')")
    first_status_ms: float | None = None
    first_token_ms: float | None = None
    first_products_ms: float | None = None
    done_ms: float | None = None


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def _note(record: MessageRecord, frame: dict[str, Any], started: float) -> None:
    kind = frame.get("type")
    if kind == "status":
        record.statuses.append(str(frame.get("text", "")))
        record.first_status_ms = record.first_status_ms or _ms(started)
    elif kind == "token":
        record.streamed += str(frame.get("text", ""))
        record.first_token_ms = record.first_token_ms or _ms(started)
    elif kind == "tool_call":
        record.tool_calls.append(ToolCallEvent.model_validate(frame))
    elif kind == "products":
        record.products += [ProductCard.model_validate(card) for card in frame.get("products", [])]
        record.first_products_ms = record.first_products_ms or _ms(started)
    elif kind == "action_required":
        record.proposed_actions.append(str(frame.get("tool", "")))
    elif kind == "handoff":
        record.handoff = True


async def _message(ws: Any, dialogue_id: str, index: int, text: str, language: str | None,
                   timeout_s: float) -> MessageRecord:
    record = MessageRecord(dialogue_id=dialogue_id, turn=index, text=text)
    client_message_id = f"{dialogue_id}-{index}-{uuid.uuid4().hex[:8]}"
    await ws.send(json.dumps({"type": "message", "text": text, "client_message_id": client_message_id,
                              "language": language}))
    started = time.perf_counter()
    try:
        async with asyncio.timeout(timeout_s):
            while True:
                frame = json.loads(await ws.recv())
                ours = frame.get("client_message_id") == client_message_id
                if frame.get("type") == "done" and ours:
                    record.done_ms = _ms(started)
                    record.answer = str(frame.get("text") or record.streamed)
                    return record
                if frame.get("type") == "error" and ours:
                    record.error, record.answer = str(frame.get("code", "error")), record.streamed
                    return record
                _note(record, frame, started)
    except TimeoutError:
        record.error, record.answer = "timeout", record.streamed
        return record


async def play_dialogue(url: str, dialogue: FreshDialogue, token: str | None,
                        timeout_s: float = 120.0) -> list[MessageRecord]:
    """One connection (a new session) per dialogue; its messages in order, each after the previous answer."""
    from websockets.asyncio.client import connect

    language = dialogue.language if dialogue.language in ("en", "zh") else None
    try:
        async with connect(url, compression=None, max_size=None, open_timeout=30) as ws:
            await ws.send(json.dumps({"type": "hello", "token": token, "language": language}))
            while (session := json.loads(await ws.recv()))["type"] != "session":
                pass
            if token is not None and not session.get("authenticated"):
                raise FreshError(f"the server refused the token of {dialogue.shopper} (is --secret the server's "
                                 "SHOPASSIST_SECRET?)")
            return [await _message(ws, dialogue.id, index, turn.text, language, timeout_s)
                    for index, turn in enumerate(dialogue.turns)]
    except OSError as error:
        raise FreshError(f"cannot reach {url}: {error}") from None
