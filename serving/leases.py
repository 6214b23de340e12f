"""Turn leases: the replica running a turn renews its lease; one that expired unanswered was interrupted.

A lease row is written with the shopper's message (same transaction) and deleted with the reply (same
transaction, and only by its owner), so a stored message is always either answered, running (live lease) or
interrupted (expired lease): a SIGKILLed replica leaves expired leases, and the message's resend (same
client_message_id) takes the lease over and runs the turn once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import delete, select, update

from commerce.db import Database
from commerce.tables import MessageRow, TurnLeaseRow

log = logging.getLogger(__name__)
LeaseState = Literal["live", "expired", "released"]


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite returns naive UTC


def add(session: Any, message_id: int, conversation_id: str, owner: str, ttl_s: float) -> None:
    session.add(TurnLeaseRow(message_id=message_id, conversation_id=conversation_id, owner=owner,
                             expires_at=_now() + timedelta(seconds=ttl_s)))


def take_over(session: Any, message_id: int, owner: str, ttl_s: float) -> bool:
    """Claim an expired lease; True for exactly one claimant."""
    result = session.execute(update(TurnLeaseRow).where(TurnLeaseRow.message_id == message_id,
                                                        TurnLeaseRow.expires_at < _now())
                             .values(owner=owner, expires_at=_now() + timedelta(seconds=ttl_s)))
    return bool(result.rowcount == 1)


def release(session: Any, message_id: int, owner: str) -> bool:
    """Delete the lease if `owner` still holds it; False when another replica took the turn over."""
    result = session.execute(delete(TurnLeaseRow).where(TurnLeaseRow.message_id == message_id,
                                                        TurnLeaseRow.owner == owner))
    return bool(result.rowcount == 1)


def held(session: Any, message_id: int) -> bool:
    return session.get(TurnLeaseRow, message_id) is not None


def renew(db: Database, owner: str, ttl_s: float) -> None:
    with db.session() as session:
        session.execute(update(TurnLeaseRow).where(TurnLeaseRow.owner == owner)
                        .values(expires_at=_now() + timedelta(seconds=ttl_s)))


def state(db: Database, message_id: int) -> LeaseState:
    with db.session() as session:
        row = session.get(TurnLeaseRow, message_id)
        if row is None:
            return "released"
        return "live" if _aware(row.expires_at) > _now() else "expired"


@dataclass(frozen=True)
class Pending:
    message_id: int
    client_message_id: str
    live: bool


def pending(db: Database, conversation_id: str) -> list[Pending]:
    """The conversation's shopper messages whose turn started and has not been answered."""
    with db.session() as session:
        rows = session.execute(select(TurnLeaseRow.message_id, MessageRow.client_message_id, TurnLeaseRow.expires_at)
                               .join(MessageRow, MessageRow.id == TurnLeaseRow.message_id)
                               .where(TurnLeaseRow.conversation_id == conversation_id)
                               .order_by(TurnLeaseRow.message_id))
        return [Pending(message_id, client_message_id or "", _aware(expires) > _now())
                for message_id, client_message_id, expires in rows]


class Leases:
    """This replica's identity as a lease owner and the heartbeat that keeps its running turns' leases live."""

    def __init__(self, db: Database, ttl_s: float) -> None:
        self.db, self.ttl_s = db, ttl_s
        self.owner = secrets.token_hex(8)
        self.running = 0
        self._heartbeat: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._heartbeat = asyncio.create_task(self._renew_forever())

    async def stop(self) -> None:
        if self._heartbeat is not None:
            self._heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._heartbeat

    async def _renew_forever(self) -> None:
        while True:
            await asyncio.sleep(self.ttl_s / 3)
            if not self.running:
                continue
            try:
                await asyncio.to_thread(renew, self.db, self.owner, self.ttl_s)
            except Exception as error:  # the database restarting: the next beat retries
                log.warning("could not renew turn leases: %s", type(error).__name__)
