"""Attribution events: what the assistant showed and what came of it, written in batches behind the turn."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import insert
from sqlalchemy.orm import Session

from commerce.db import Database
from commerce.tables import AttributionEventRow

EventKind = Literal["turn", "card_shown", "click", "add_to_cart", "checkout_started", "checkout_completed",
                    "handoff", "thumbs_up", "thumbs_down", "rephrase", "search", "unmet", "exposure"]
DemandKind = Literal["kind", "brand", "size", "price", "policy", "zero_result"]

log = logging.getLogger(__name__)


class AttributionEvent(BaseModel):
    kind: EventKind
    at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    conversation_id: str | None = None
    shopper_id: str | None = Field(None, description="Pseudonymous shopper id, e.g. 'shp_0042'; None: anonymous")
    language: str = ""
    act: str = Field("", description="What the turn was understood to ask, e.g. 'product_search'")
    variant: str = Field("", description="The experiment variants the shopper is in, e.g. 'answers=advice'")
    product_id: str | None = None
    position: int | None = Field(None, description="0-based position of a shown card")
    reason: str = Field("", description="Why a card was shown, e.g. 'under $120; waterproof'")
    value: float | None = Field(None, description="A checkout's total or a turn's latency in ms")
    order_id: str | None = None
    term: str = Field("", description="A search's words, an unmet demand's normalized term, an experiment's name")
    detail: str = Field("", description="An unmet demand's kind, an exposure's variant, a checkout's channel")
    text: str = Field("", description="The shopper's words behind an unmet demand")

    def row(self) -> dict[str, Any]:
        at = self.at if self.at.tzinfo else self.at.replace(tzinfo=UTC)
        return {**self.model_dump(), "at": at, "day": at.astimezone(UTC).date().isoformat(),
                "term": self.term[:160], "detail": self.detail[:32], "variant": self.variant[:160]}


def write_events(session: Session, events: Iterable[AttributionEvent]) -> int:
    """Insert the events in the caller's transaction (one executemany); how many."""
    rows = [event.row() for event in events]
    if rows:
        session.execute(insert(AttributionEventRow), rows)
    return len(rows)


class EventWriter:
    """Queues events in memory (`add` never touches the database) and writes them in batches from its own thread,
    every `interval_s` or as soon as `batch` are waiting. `enabled=False` drops them (measuring turns without)."""

    def __init__(self, db: Database, interval_s: float = 1.0, batch: int = 500, enabled: bool = True) -> None:
        self.db, self.interval_s, self.batch, self.enabled = db, interval_s, batch, enabled
        self._pending: list[AttributionEvent] = []
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = False
        self._thread: threading.Thread | None = None
        self.written = 0

    def add(self, events: Iterable[AttributionEvent]) -> None:
        if not self.enabled:
            return
        with self._lock:
            self._pending.extend(events)
            full = len(self._pending) >= self.batch
        if full:
            self._wake.set()

    def flush(self) -> int:
        """Write what is waiting now; how many. A failed write is logged and its events dropped: insights lose a
        batch, a turn never fails for them."""
        with self._lock:
            pending, self._pending = self._pending, []
        if not pending:
            return 0
        try:
            with self.db.session() as session:
                written = write_events(session, pending)
        except Exception:
            log.exception("dropped %d attribution events", len(pending))
            return 0
        self.written += written
        return written

    def start(self) -> None:
        if self._thread is None and self.enabled:
            self._stopping = False
            self._thread = threading.Thread(target=self._loop, name="attribution-events", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop the thread and write what is left."""
        if self._thread is not None:
            self._stopping = True
            self._wake.set()
            self._thread.join()
            self._thread = None
        self.flush()

    def _loop(self) -> None:
        while not self._stopping:
            self._wake.wait(self.interval_s)
            self._wake.clear()
            self.flush()


def record_checkout(session: Session, kind: Literal["checkout_started", "checkout_completed"], owner: str,
                    total_minor: int, shopper_id: str | None, order_id: str | None = None) -> None:
    """A checkout session made or completed, in the transaction that made it: `detail` 'chat' for the chat's own
    checkout (owner 'chat_…'), else 'agent' (a shopping agent's, over UCP or ACP); `value` the total."""
    channel = "chat" if owner.startswith("chat_") else "agent"
    write_events(session, [AttributionEvent(kind=kind, shopper_id=shopper_id, value=total_minor / 100,
                                            order_id=order_id, detail=channel)])
