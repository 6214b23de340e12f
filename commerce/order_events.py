"""Order events for shopping agents' webhooks: queued in the outbox in the transaction that changed the order,
claimed and marked delivered by the sender (protocols.webhooks) with conditional UPDATEs."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from commerce.tables import AgentRow, CheckoutSessionRow, OrderEventRow, utcnow

EventKind = Literal["created", "shipped", "canceled"]
Protocol = Literal["ucp", "acp"]


def queue_order_event(session: Session, agent_id: str, order_id: str, kind: EventKind,
                      profile_url: str | None = None, protocol: Protocol | None = None) -> str | None:
    """One outbox row if the agent has somewhere to be told: a URL its operator registered, or its UCP profile
    (this request's, else the one its earlier events of this order came with). `protocol`: the shape it is sent
    in, else that of the order's earlier events (UCP for none). Its id, else None."""
    url = session.scalar(select(AgentRow.webhook_url).where(AgentRow.id == agent_id))
    if protocol is None:
        earlier = session.scalar(select(OrderEventRow.protocol).where(
            OrderEventRow.order_id == order_id, OrderEventRow.agent_id == agent_id).limit(1))
        protocol = "acp" if earlier == "acp" else "ucp"
    if profile_url is None and protocol == "ucp":
        profile_url = session.scalar(select(OrderEventRow.profile_url).where(
            OrderEventRow.order_id == order_id, OrderEventRow.agent_id == agent_id,
            OrderEventRow.profile_url.is_not(None)).limit(1))
    if not url and not profile_url:
        return None
    event_id = f"evt_{secrets.token_hex(12)}"
    session.add(OrderEventRow(id=event_id, agent_id=agent_id, order_id=order_id, kind=kind, url=url or None,
                              profile_url=profile_url, protocol=protocol, attempts=0, next_at=utcnow()))
    session.flush()
    return event_id


def queue_event_of_order(session: Session, order_id: str, kind: EventKind) -> str | None:
    """For a change made outside the protocols (e.g. the shopper cancels in chat): the agent behind the order, if
    an agent's checkout made it, is told."""
    owner = session.scalar(select(CheckoutSessionRow.owner).where(CheckoutSessionRow.order_id == order_id))
    return queue_order_event(session, owner, order_id, kind) if owner else None


def set_webhook(session: Session, agent_id: str, url: str | None, secret: str | None = None) -> bool:
    """`secret`: the shared secret ACP webhooks are signed with (kept unless a new one is given)."""
    row = session.get(AgentRow, agent_id)
    if row is None:
        return False
    row.webhook_url = url or None
    row.webhook_secret = secret or row.webhook_secret
    return True


def due_events(session: Session, now: datetime, max_attempts: int, limit: int = 20) -> list[OrderEventRow]:
    """Undelivered events whose retry time has come, oldest first; one tried `max_attempts` times is given up."""
    return list(session.scalars(select(OrderEventRow).where(
        OrderEventRow.delivered_at.is_(None), OrderEventRow.next_at <= now, OrderEventRow.attempts < max_attempts,
    ).order_by(OrderEventRow.created_at).limit(limit)))


def claim_event(session: Session, event_id: str, now: datetime, lease: timedelta) -> str | None:
    """Take the event for `lease` (another sender skips it meanwhile); the claim token, or None if it was taken."""
    token = secrets.token_hex(8)
    claimed = session.execute(update(OrderEventRow).where(
        OrderEventRow.id == event_id, OrderEventRow.delivered_at.is_(None), OrderEventRow.next_at <= now,
    ).values(claim=token, next_at=now + lease))
    return token if claimed.rowcount == 1 else None  # type: ignore[attr-defined]


def mark_delivered(session: Session, event_id: str, token: str, now: datetime) -> bool:
    done = session.execute(update(OrderEventRow).where(
        OrderEventRow.id == event_id, OrderEventRow.claim == token, OrderEventRow.delivered_at.is_(None),
    ).values(delivered_at=now, attempts=OrderEventRow.attempts + 1))
    return done.rowcount == 1  # type: ignore[attr-defined]


def mark_failed(session: Session, event_id: str, token: str, retry_at: datetime, error: str) -> None:
    session.execute(update(OrderEventRow).where(OrderEventRow.id == event_id, OrderEventRow.claim == token)
                    .values(claim=None, next_at=retry_at, attempts=OrderEventRow.attempts + 1,
                            last_error=error[:500]))
