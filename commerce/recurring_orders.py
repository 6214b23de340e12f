"""Recurring orders ('order the coffee beans every month'): the store, and each period made once through the
checkout core by whichever replica claims it.

A replica claims a period with one conditional UPDATE that moves `period` and `next_at` on only if they are still
what it read, in the same transaction that makes the order: two replicas never make the same period. A period that
cannot be made (stock, payment, the shop's rates) is skipped by the same conditional UPDATE in a second
transaction, with the reason kept; nothing of the failed attempt remains.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from commerce.auto_checkout import Refused, checkout_request, place_order, reason_of
from commerce.checkout import CheckoutError
from commerce.checkout_models import PaymentInput
from commerce.db import Database
from commerce.payments import PaymentHandler
from commerce.store import record_audit
from commerce.tables import RecurringOrderRow, utcnow


class RecurringOrder(BaseModel):
    id: str
    title: str
    lines: list[tuple[str, int]]
    every_days: int
    next_at: datetime
    period: int
    last_order_id: str | None = None
    last_reason: str = ""


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def recurring_order(row: RecurringOrderRow) -> RecurringOrder:
    return RecurringOrder(id=row.id, title=row.title, lines=[(line[0], line[1]) for line in row.lines],
                          every_days=row.every_days, next_at=_aware(row.next_at), period=row.period,
                          last_order_id=row.last_order_id, last_reason=row.last_reason)


def create_recurring_order(session: Session, shopper_id: str, lines: list[tuple[str, int]], title: str,
                           every_days: int, first_at: datetime, address: dict[str, Any], payment_handler: str,
                           payment_token: str, currency: str = "USD") -> RecurringOrder:
    row = RecurringOrderRow(id=f"ro_{secrets.token_hex(8)}", shopper_id=shopper_id,
                            lines=[list(line) for line in lines], title=title, every_days=every_days, period=1,
                            next_at=first_at, currency=currency, address=address, payment_handler=payment_handler,
                            payment_token=payment_token, status="active", last_reason="")
    session.add(row)
    session.flush()
    return recurring_order(row)


def active_recurring_orders(session: Session, shopper_id: str) -> list[RecurringOrder]:
    query = (select(RecurringOrderRow).where(RecurringOrderRow.shopper_id == shopper_id,
                                             RecurringOrderRow.status == "active")
             .order_by(RecurringOrderRow.created_at, RecurringOrderRow.id))
    return [recurring_order(row) for row in session.scalars(query)]


def _advance(session: Session, row_id: str, period: int, **values: object) -> bool:
    """Move the order to its next period if it is still at `period`: the claim, for exactly one caller."""
    every = session.scalar(select(RecurringOrderRow.every_days).where(RecurringOrderRow.id == row_id)) or 1
    current = session.scalar(select(RecurringOrderRow.next_at).where(RecurringOrderRow.id == row_id))
    if current is None:
        return False
    moved = session.execute(update(RecurringOrderRow)
                            .where(RecurringOrderRow.id == row_id, RecurringOrderRow.period == period,
                                   RecurringOrderRow.status == "active")
                            .values(period=period + 1, next_at=_aware(current) + timedelta(days=every), **values)
                            .execution_options(synchronize_session=False))
    return moved.rowcount == 1  # type: ignore[attr-defined]


def skip_next(session: Session, shopper_id: str, ids: Collection[str]) -> int:
    """Skip the next period of the shopper's own active recurring orders among `ids`."""
    rows = session.scalars(select(RecurringOrderRow).where(
        RecurringOrderRow.shopper_id == shopper_id, RecurringOrderRow.id.in_(list(ids)),
        RecurringOrderRow.status == "active")).all()
    return sum(_advance(session, row.id, row.period, last_reason="skipped") for row in rows)


def cancel_recurring_orders(session: Session, shopper_id: str, ids: Collection[str]) -> int:
    result = session.execute(update(RecurringOrderRow).where(
        RecurringOrderRow.shopper_id == shopper_id, RecurringOrderRow.id.in_(list(ids)),
        RecurringOrderRow.status == "active").values(status="cancelled").execution_options(synchronize_session=False))
    return result.rowcount or 0  # type: ignore[attr-defined]


def run_period(db: Database, row_id: str, period: int, handlers: Mapping[str, PaymentHandler],
               now: datetime | None = None) -> bool:
    """Make the order of `period`, or skip that period with why; False when another replica had it first."""
    now = now or utcnow()
    try:
        with db.session() as session:
            row = session.get_one(RecurringOrderRow, row_id)
            if row.period != period or row.status != "active" or _aware(row.next_at) > now:
                return False
            request = checkout_request(session, row.shopper_id, row.address, [(i, q) for i, q in row.lines])
            shopper_id, currency = row.shopper_id, row.currency
            payment = PaymentInput(handler_id=row.payment_handler, token=row.payment_token)
            if not _advance(session, row_id, period, last_reason=""):
                return False
            order_id, total = place_order(session, owner=f"recurring:{row_id}", checkout_id=f"chk_{row_id}_{period}",
                                          shopper_id=shopper_id, currency=currency, request=request, payment=payment,
                                          handlers=handlers, limits=[],
                                          details={"recurring_order_id": row_id, "period": period})
            session.execute(update(RecurringOrderRow).where(RecurringOrderRow.id == row_id)
                            .values(last_order_id=order_id).execution_options(synchronize_session=False))
            record_audit(session, actor=f"recurring_order:{row_id}", action="recurring_order_placed",
                         target=f"order:{order_id}", before=None, after={"period": period, "total": total})
            return True
    except (Refused, CheckoutError) as error:
        reason = reason_of(error)
    with db.session() as session:
        if not _advance(session, row_id, period, last_reason=reason):
            return False
        record_audit(session, actor=f"recurring_order:{row_id}", action="recurring_order_skipped",
                     target=f"recurring_order:{row_id}", before=None, after={"period": period, "reason": reason})
    return True


def run_due_recurring(db: Database, handlers: Mapping[str, PaymentHandler], now: datetime | None = None,
                      limit: int = 20) -> int:
    """Make every period that is due; returns how many this caller made or skipped."""
    now = now or utcnow()
    with db.session() as session:
        due = session.execute(select(RecurringOrderRow.id, RecurringOrderRow.period).where(
            RecurringOrderRow.status == "active", RecurringOrderRow.next_at <= now)
            .order_by(RecurringOrderRow.next_at).limit(limit)).all()
    return sum(run_period(db, row_id, period, handlers, now) for row_id, period in due)
