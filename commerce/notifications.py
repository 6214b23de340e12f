"""The watch notifications outbox: queued by watch evaluation (commerce/watches.py), claimed atomically by whoever
shows them (a replica holding the shopper's socket, their next session) and, separately, by the webhook sender."""

from __future__ import annotations

import secrets
from collections.abc import Collection
from datetime import datetime

from pydantic import BaseModel, Field
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from commerce.tables import WatchNotificationRow, utcnow
from commerce.watches import WatchKind

_CHUNK = 500


class Notification(BaseModel):
    """One trigger of a watch, as stored: what changed, in the shop's words and currency."""

    id: int
    shopper_id: str
    product_id: str
    variant_id: str | None = None
    kind: WatchKind
    title: str
    price: float
    reference_price: float | None = Field(None, description="The threshold (below) or the earlier price (any_drop)")
    currency: str = "USD"
    created_at: datetime


def notification(row: WatchNotificationRow) -> Notification:
    return Notification(id=row.id, shopper_id=row.shopper_id, product_id=row.product_id, variant_id=row.variant_id,
                        kind=row.kind, title=row.title, price=row.price,  # type: ignore[arg-type]
                        reference_price=row.reference_price, currency=row.currency, created_at=row.created_at)


def pending_notifications(session: Session, shopper_id: str) -> list[Notification]:
    query = (select(WatchNotificationRow)
             .where(WatchNotificationRow.shopper_id == shopper_id, WatchNotificationRow.delivered_at.is_(None))
             .order_by(WatchNotificationRow.id))
    return [notification(row) for row in session.scalars(query)]


def claim_notifications(session: Session, shopper_ids: Collection[str],
                        now: datetime | None = None) -> list[Notification]:
    """Mark the undelivered notifications of these shoppers delivered, atomically: a row another replica claimed
    first is not returned here. The caller shows what it gets. A poll that finds nothing only reads (no write
    lock on SQLite)."""
    ids = sorted(set(shopper_ids))
    waiting: list[int] = []
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        waiting += session.scalars(select(WatchNotificationRow.id).where(
            WatchNotificationRow.delivered_at.is_(None), WatchNotificationRow.shopper_id.in_(chunk)))
    if not waiting:
        return []
    claim = secrets.token_hex(8)
    for start in range(0, len(waiting), _CHUNK):
        session.execute(update(WatchNotificationRow)
                        .where(WatchNotificationRow.id.in_(waiting[start:start + _CHUNK]),
                               WatchNotificationRow.delivered_at.is_(None))
                        .values(delivered_at=now or utcnow(), claim=claim)
                        .execution_options(synchronize_session=False))
    query = select(WatchNotificationRow).where(WatchNotificationRow.claim == claim).order_by(WatchNotificationRow.id)
    return [notification(row) for row in session.scalars(query)]


def claim_for_webhook(session: Session, limit: int = 100, now: datetime | None = None) -> list[Notification]:
    """Notifications no sender has taken for the webhook yet, each taken by a conditional update so two replicas
    never both send one."""
    now = now or utcnow()
    waiting = select(WatchNotificationRow.id).where(WatchNotificationRow.webhook_at.is_(None)).order_by(
        WatchNotificationRow.id).limit(limit)
    taken = []
    for notification_id in session.scalars(waiting).all():
        claimed = session.execute(update(WatchNotificationRow)
                                  .where(WatchNotificationRow.id == notification_id,
                                         WatchNotificationRow.webhook_at.is_(None))
                                  .values(webhook_at=now).execution_options(synchronize_session=False))
        if claimed.rowcount == 1:  # type: ignore[attr-defined]
            taken.append(notification_id)
    rows = session.scalars(select(WatchNotificationRow).where(WatchNotificationRow.id.in_(taken))
                           .order_by(WatchNotificationRow.id))
    return [notification(row) for row in rows]


def release_for_webhook(session: Session, notification_ids: Collection[int]) -> None:
    """Hand notifications whose webhook call failed back, to be sent again later."""
    session.execute(update(WatchNotificationRow).where(WatchNotificationRow.id.in_(list(notification_ids)))
                    .values(webhook_at=None).execution_options(synchronize_session=False))
