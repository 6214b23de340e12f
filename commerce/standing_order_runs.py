"""Running a standing order's trigger through the checkout core, once, and telling the shopper how it went.

A due run is claimed by a conditional UPDATE in the same transaction that makes the checkout, takes the stock,
charges the saved token and writes the order: with several replicas exactly one makes it. Anything that stops it
(the price back up, the stock gone, a declined or expired payment, the cap spent, the standing order expired or
cancelled) rolls all of that back; the run is then marked failed with the reason, in a second conditional UPDATE.
Each outcome is in the audit log with the trigger that caused it.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection, Mapping
from datetime import UTC, datetime

from pydantic import BaseModel
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from commerce.auto_checkout import Refused, checkout_request, place_order, reason_of
from commerce.checkout import CheckoutError
from commerce.checkout_models import PaymentInput
from commerce.db import Database
from commerce.payments import PaymentHandler
from commerce.store import record_audit
from commerce.tables import StandingOrderRow, StandingOrderRunRow, VariantRow, utcnow

_CHUNK = 500


class RunNotice(BaseModel):
    """A run's outcome as the shopper is told it."""

    id: int
    shopper_id: str
    product_id: str
    title: str
    status: str  # 'placed' or 'failed'
    reason: str = ""
    price: float
    total: float | None = None
    order_id: str | None = None
    quantity: int = 1
    currency: str = "USD"
    at: datetime


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _place(session: Session, order: StandingOrderRow, run: StandingOrderRunRow,
           handlers: Mapping[str, PaymentHandler], now: datetime) -> tuple[str, float]:
    if order.status != "active":
        raise Refused("cancelled" if order.status == "cancelled" else order.status)
    if _aware(order.expires_at) <= now:
        raise Refused("expired")
    variant = session.get(VariantRow, order.variant_id)
    if variant is None or variant.price >= order.target:
        raise Refused("price_rose")
    request = checkout_request(session, order.shopper_id, order.address, [(order.variant_id, order.quantity)])
    return place_order(session, owner=f"standing:{order.id}", checkout_id=f"chk_{order.id}_{run.trigger}",
                       shopper_id=order.shopper_id, currency=order.currency, request=request,
                       payment=PaymentInput(handler_id=order.payment_handler, token=order.payment_token),
                       handlers=handlers,
                       limits=[(order.ceiling, "price_rose"), (order.spend_cap - order.spent, "spend_cap")],
                       details={"standing_order_id": order.id, "trigger": run.trigger})


def _claim(session: Session, run_id: int, status: str, now: datetime) -> bool:
    claimed = session.execute(update(StandingOrderRunRow)
                              .where(StandingOrderRunRow.id == run_id, StandingOrderRunRow.status == "due")
                              .values(status=status, ran_at=now).execution_options(synchronize_session=False))
    return claimed.rowcount == 1  # type: ignore[attr-defined]


def run_one(db: Database, run_id: int, handlers: Mapping[str, PaymentHandler], now: datetime | None = None) -> bool:
    """Make the run's order, or mark it failed with why; False when another replica had it first."""
    now = now or utcnow()
    try:
        with db.session() as session:
            if not _claim(session, run_id, "placed", now):
                return False
            run = session.get_one(StandingOrderRunRow, run_id)
            order = session.get_one(StandingOrderRow, run.standing_order_id, with_for_update=True)
            order_id, total = _place(session, order, run, handlers, now)
            run.order_id, run.total = order_id, total
            order.spent = round(order.spent + total, 2)
            if order.spent + order.ceiling > order.spend_cap + 1e-9:
                order.status = "done"
            record_audit(session, actor=f"standing_order:{order.id}", action="standing_order_placed",
                         target=f"order:{order_id}", before=None,
                         after={"trigger": run.trigger, "price": run.price, "total": total})
            return True
    except (Refused, CheckoutError) as error:
        reason = reason_of(error)
    with db.session() as session:
        if not _claim(session, run_id, "failed", now):
            return False
        run = session.get_one(StandingOrderRunRow, run_id)
        run.reason = reason
        order = session.get_one(StandingOrderRow, run.standing_order_id)
        if reason == "expired" and order.status == "active":
            order.status = "expired"
        record_audit(session, actor=f"standing_order:{order.id}", action="standing_order_failed",
                     target=f"standing_order:{order.id}", before=None,
                     after={"trigger": run.trigger, "price": run.price, "reason": reason})
    return True


def run_due(db: Database, handlers: Mapping[str, PaymentHandler], now: datetime | None = None,
            limit: int = 20) -> int:
    """Run the oldest due runs; returns how many this caller ran."""
    with db.session() as session:
        due = list(session.scalars(select(StandingOrderRunRow.id).where(StandingOrderRunRow.status == "due")
                                   .order_by(StandingOrderRunRow.id).limit(limit)))
    return sum(run_one(db, run_id, handlers, now) for run_id in due)


def _notice(run: StandingOrderRunRow, order: StandingOrderRow) -> RunNotice:
    return RunNotice(id=run.id, shopper_id=run.shopper_id, product_id=order.product_id, title=run.title,
                     status=run.status, reason=run.reason, price=run.price, total=run.total, order_id=run.order_id,
                     quantity=order.quantity, currency=run.currency, at=run.ran_at or run.created_at)


def claim_run_notices(session: Session, shopper_ids: Collection[str], now: datetime | None = None) -> list[RunNotice]:
    """Mark the finished, untold runs of these shoppers told, atomically (as watch notifications are claimed)."""
    ids = sorted(set(shopper_ids))
    waiting: list[int] = []
    for start in range(0, len(ids), _CHUNK):
        waiting += session.scalars(select(StandingOrderRunRow.id).where(
            StandingOrderRunRow.delivered_at.is_(None), StandingOrderRunRow.status.in_(("placed", "failed")),
            StandingOrderRunRow.shopper_id.in_(ids[start:start + _CHUNK])))
    if not waiting:
        return []
    claim = secrets.token_hex(8)
    for start in range(0, len(waiting), _CHUNK):
        session.execute(update(StandingOrderRunRow)
                        .where(StandingOrderRunRow.id.in_(waiting[start:start + _CHUNK]),
                               StandingOrderRunRow.delivered_at.is_(None))
                        .values(delivered_at=now or utcnow(), claim=claim)
                        .execution_options(synchronize_session=False))
    rows = session.execute(select(StandingOrderRunRow, StandingOrderRow)
                           .join(StandingOrderRow, StandingOrderRow.id == StandingOrderRunRow.standing_order_id)
                           .where(StandingOrderRunRow.claim == claim).order_by(StandingOrderRunRow.id))
    return [_notice(run, order) for run, order in rows]
