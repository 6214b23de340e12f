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

from commerce.checkout import CheckoutError, complete_checkout, create_checkout
from commerce.checkout_models import Buyer, CheckoutInput, CheckoutStatus, Destination, LineRequest, PaymentInput
from commerce.db import Database
from commerce.payments import PaymentHandler
from commerce.pricing import shipping_options
from commerce.store import record_audit
from commerce.tables import OrderRow, ShopperRow, StandingOrderRow, StandingOrderRunRow, VariantRow, utcnow

_CHUNK = 500


class Refused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


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


def _request(session: Session, order: StandingOrderRow) -> CheckoutInput:
    shopper = session.get(ShopperRow, order.shopper_id)
    destination = Destination.model_validate(order.address)
    options = shipping_options(session, destination)
    if shopper is None or not options:
        raise Refused("not_ready")
    return CheckoutInput(lines=[LineRequest(item_id=order.variant_id, quantity=order.quantity)],
                         buyer=Buyer(email=shopper.email, first_name=shopper.first_name, last_name=shopper.last_name),
                         destination=destination, shipping_option_id=options[0].id)


def _place(session: Session, order: StandingOrderRow, run: StandingOrderRunRow,
           handlers: Mapping[str, PaymentHandler], now: datetime) -> tuple[str, float]:
    if order.status != "active":
        raise Refused("cancelled" if order.status == "cancelled" else order.status)
    if _aware(order.expires_at) <= now:
        raise Refused("expired")
    variant = session.get(VariantRow, order.variant_id)
    if variant is None or variant.price >= order.target:
        raise Refused("price_rose")
    owner = f"standing:{order.id}"
    checkout = create_checkout(session, owner, order.currency, _request(session, order),
                               checkout_id=f"chk_{order.id}_{run.trigger}", shopper_id=order.shopper_id)
    total = checkout.totals.total / 100
    if total > order.ceiling:
        raise Refused("price_rose")
    if order.spent + total > order.spend_cap + 1e-9:
        raise Refused("spend_cap")
    done = complete_checkout(session, owner, checkout.id,
                             PaymentInput(handler_id=order.payment_handler, token=order.payment_token), handlers)
    if done.status != CheckoutStatus.COMPLETED or done.order_id is None:
        raise Refused("payment_needs_buyer")
    return done.order_id, total


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
            placed = session.get_one(OrderRow, order_id)
            placed.details = {**(placed.details or {}), "placed_automatically": True, "standing_order_id": order.id,
                              "trigger": run.trigger}
            record_audit(session, actor=f"standing_order:{order.id}", action="standing_order_placed",
                         target=f"order:{order_id}", before=None,
                         after={"trigger": run.trigger, "price": run.price, "total": total})
            return True
    except Refused as refused:
        reason = refused.reason
    except CheckoutError as error:
        reason = error.code
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
