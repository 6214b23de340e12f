"""Shopper clients for fault tests: websocket sessions through the balancer that reconnect with their session_id,
resend what the server says was interrupted (same client_message_id), and record what happened to every message."""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import WebSocketException

from commerce.db import Database
from commerce.tables import MessageRow, TurnLeaseRow

RECONNECT_S = 0.3
REPORTS = Path("var/reports")


@dataclass
class Shopper:
    """One session. A message counts as answered on its `done`; `resent` are those the server called interrupted."""

    name: str
    url: str
    session_id: str | None = None
    sent: list[str] = field(default_factory=list)
    answered: dict[str, int] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    resent: set[str] = field(default_factory=set)
    reconnects: int = 0
    error_after_s: dict[str, float] = field(default_factory=dict)
    products: dict[str, int] = field(default_factory=dict)

    async def say(self, text: str, client_message_id: str, deadline_s: float = 90.0) -> None:
        """Send one message and keep at it (reconnecting) until it is answered or fails with an error."""
        self.sent.append(client_message_id)
        deadline = time.monotonic() + deadline_s
        while client_message_id not in self.answered and client_message_id not in self.failed:
            if time.monotonic() > deadline:
                return
            try:
                async with connect(self.url, open_timeout=10, compression=None, max_size=None) as ws:
                    await self._converse(ws, text, client_message_id)
            except (OSError, WebSocketException, TimeoutError):
                self.reconnects += 1
                await asyncio.sleep(RECONNECT_S)

    async def _converse(self, ws: ClientConnection, text: str, client_message_id: str) -> None:
        await ws.send(json.dumps({"type": "hello", "session_id": self.session_id}))
        stored = False
        while True:
            frame = json.loads(await ws.recv())
            if frame["type"] == "session":
                self.session_id = frame["session_id"]
                stored = self._learn(frame["history"], client_message_id)
                if client_message_id in self.answered:
                    return
                if not stored:  # never reached the database (or the first connection): send it now
                    await self._send(ws, text, client_message_id)
                sent_at = time.monotonic()
            elif frame["type"] == "products":  # one message in flight per session: it is this one's
                self.products[client_message_id] = len(frame["products"])
            elif frame.get("client_message_id") != client_message_id:
                continue
            elif frame["type"] == "done":
                self.answered[client_message_id] = frame["message_id"]
                return
            elif frame["type"] == "error" and frame["code"] == "interrupted":
                self.resent.add(client_message_id)
                await self._send(ws, text, client_message_id)
            elif frame["type"] == "error":
                self.failed[client_message_id] = frame["code"]
                self.error_after_s[client_message_id] = time.monotonic() - sent_at
                return

    async def history_intact(self) -> bool:
        """Resumed once more: every message sent, in order, each followed by its answer."""
        async with connect(self.url, open_timeout=30, compression=None, max_size=None) as ws:
            await ws.send(json.dumps({"type": "hello", "session_id": self.session_id}))
            while (frame := json.loads(await ws.recv()))["type"] != "session":
                pass
        roles = [item["role"] for item in frame["history"]]
        users = [item["client_message_id"] for item in frame["history"] if item["role"] == "user"]
        return users == self.sent and roles == ["user", "assistant"] * len(self.sent)

    @staticmethod
    async def _send(ws: ClientConnection, text: str, client_message_id: str) -> None:
        await ws.send(json.dumps({"type": "message", "text": text, "client_message_id": client_message_id}))

    def _learn(self, history: list[dict[str, Any]], client_message_id: str) -> bool:
        """Whether the message is stored; an assistant item right after it is its answer."""
        for index, item in enumerate(history):
            if item["role"] == "user" and item["client_message_id"] == client_message_id:
                following = history[index + 1] if index + 1 < len(history) else None
                if following is not None and following["role"] == "assistant" and not following["error"]:
                    self.answered[client_message_id] = following["message_id"]
                return True
        return False


def stored_outcomes(database_url: str, session_ids: list[str]) -> dict[str, int]:
    """From the database: shopper messages, those with no reply (lost), extra replies (duplicated)."""
    database = Database(database_url)
    with database.session() as session:
        rows = list(session.scalars(select(MessageRow).where(MessageRow.conversation_id.in_(session_ids))))
    database.engine.dispose()
    replies = Counter((row.payload or {}).get("reply_to") for row in rows if row.role == "assistant")
    users = [row.id for row in rows if row.role == "user"]
    return {"stored_messages": len(users), "stored_without_reply": sum(1 for id_ in users if not replies[id_]),
            "extra_replies": sum(max(0, replies[id_] - 1) for id_ in users)}


def half_written(database_url: str, session_ids: list[str]) -> dict[str, int]:
    """Rows a torn write would leave: answers to no stored message, leases of messages already answered."""
    database = Database(database_url)
    with database.session() as session:
        rows = list(session.scalars(select(MessageRow).where(MessageRow.conversation_id.in_(session_ids))))
        leased = set(session.scalars(select(TurnLeaseRow.message_id)
                                     .where(TurnLeaseRow.conversation_id.in_(session_ids))))
    database.engine.dispose()
    users = {row.id for row in rows if row.role == "user"}
    answered = {(row.payload or {}).get("reply_to") for row in rows if row.role == "assistant"}
    return {"orphan_replies": len(answered - users), "leases_of_answered_messages": len(leased & answered)}


def report(shoppers: list[Shopper], stored: dict[str, int], **extra: Any) -> dict[str, Any]:
    """Per message (session/client_message_id): answered at once, answered after an `interrupted` resend, failed
    with an error frame, or lost; with the database's count of replies."""
    def keys(shopper: Shopper, ids: Iterable[str]) -> set[str]:
        return {f"{shopper.name}/{cid}" for cid in ids}

    messages = set().union(*(keys(shopper, shopper.sent) for shopper in shoppers))
    answered = set().union(*(keys(shopper, shopper.answered) for shopper in shoppers))
    resent = set().union(*(keys(shopper, shopper.resent) for shopper in shoppers))
    failed = {f"{shopper.name}/{cid}": code for shopper in shoppers for cid, code in shopper.failed.items()}
    return {
        "sessions": len(shoppers), "messages": len(messages),
        "answered": len(answered - resent), "interrupted_and_resent": len(resent & answered),
        "failed": failed, "lost": len(messages - answered - set(failed)) + stored["stored_without_reply"],
        "duplicated": stored["extra_replies"], "reconnects": sum(shopper.reconnects for shopper in shoppers),
        **stored, **extra,
    }


def write_report(name: str, figures: dict[str, Any]) -> None:
    REPORTS.mkdir(parents=True, exist_ok=True)
    (REPORTS / f"{name}.json").write_text(json.dumps(figures, indent=2))
