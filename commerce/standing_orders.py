"""Standing orders ('buy it for me if it drops below $40'): the store, and their triggers, evaluated in the
transaction that changes an offer exactly as 'below' watches are (commerce/watches.py).

A standing order fires when its variant's price is under the target and enough of it is in stock, while armed; it
re-arms once the price is at or over the target again. Each trigger queues one run keyed (standing order, trigger
number), so evaluating the same state again or two racing transactions never queue a second; the run itself goes
through the checkout core later (commerce/standing_order_runs.py), once.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import and_, exists, false, literal, select, true, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from commerce.tables import ProductRow, StandingOrderRow, StandingOrderRunRow, VariantRow, utcnow

WHOLE_SCAN_ABOVE = 2000
_CHUNK = 500


class StandingOrder(BaseModel):
    id: str = Field(description="e.g. 'so_3f9c2a1b7d4e8f60'")
    product_id: str
    variant_id: str
    quantity: int
    target: float = Field(description="Buy once the price is under this")
    ceiling: float = Field(description="The most one order may cost, shipping included")
    spend_cap: float
    spent: float
    currency: str
    status: str
    created_at: datetime
    expires_at: datetime


def standing_order(row: StandingOrderRow) -> StandingOrder:
    return StandingOrder(id=row.id, product_id=row.product_id, variant_id=row.variant_id, quantity=row.quantity,
                         target=row.target, ceiling=row.ceiling, spend_cap=row.spend_cap, spent=row.spent,
                         currency=row.currency, status=row.status, created_at=row.created_at,
                         expires_at=row.expires_at)


def create_standing_order(session: Session, shopper_id: str, variant_id: str, quantity: int, target: float,
                          ceiling: float, spend_cap: float, address: dict[str, Any], payment_handler: str,
                          payment_token: str, ttl: timedelta, now: datetime | None = None) -> StandingOrder:
    """A new armed standing order (the caller checked the variant, the address and the payment); one the shopper
    already has on the same variant is replaced."""
    now = now or utcnow()
    variant = session.get_one(VariantRow, variant_id)
    product = session.get_one(ProductRow, variant.product_id)
    session.execute(update(StandingOrderRow).where(
        StandingOrderRow.shopper_id == shopper_id, StandingOrderRow.variant_id == variant_id,
        StandingOrderRow.status == "active").values(status="cancelled").execution_options(synchronize_session=False))
    row = StandingOrderRow(id=f"so_{secrets.token_hex(8)}", shopper_id=shopper_id, product_id=product.id,
                           variant_id=variant_id, quantity=quantity, target=target, ceiling=ceiling,
                           spend_cap=spend_cap, spent=0.0, currency=product.currency, address=address,
                           payment_handler=payment_handler, payment_token=payment_token, armed=True, fired=0,
                           status="active", created_at=now, expires_at=now + ttl)
    session.add(row)
    session.flush()
    return standing_order(row)


def active_standing_orders(session: Session, shopper_id: str, now: datetime | None = None) -> list[StandingOrder]:
    query = (select(StandingOrderRow).where(StandingOrderRow.shopper_id == shopper_id,
                                            StandingOrderRow.status == "active",
                                            StandingOrderRow.expires_at > (now or utcnow()))
             .order_by(StandingOrderRow.created_at, StandingOrderRow.id))
    return [standing_order(row) for row in session.scalars(query)]


def cancel_standing_orders(session: Session, shopper_id: str, ids: Collection[str]) -> int:
    """Cancel the shopper's own active standing orders among `ids`; runs not yet made are never made."""
    if not ids:
        return 0
    result = session.execute(update(StandingOrderRow).where(
        StandingOrderRow.shopper_id == shopper_id, StandingOrderRow.id.in_(list(ids)),
        StandingOrderRow.status == "active").values(status="cancelled").execution_options(synchronize_session=False))
    return result.rowcount or 0  # type: ignore[attr-defined]


def _scopes(product_ids: Collection[str] | None) -> list[list[str] | None]:
    if product_ids is None or len(product_ids) > WHOLE_SCAN_ABOVE:
        return [None]
    ids = sorted(set(product_ids))
    return [ids[start:start + _CHUNK] for start in range(0, len(ids), _CHUNK)]


def evaluate_standing_orders(session: Session, product_ids: Collection[str] | None = None,
                             now: datetime | None = None) -> int:
    """Queue a run for every armed, active standing order on these products (None: all) whose variant is now
    under its target and in stock for it; re-arm those whose price is back at or over it. Returns runs queued."""
    now = now or utcnow()
    session.flush()
    queued = 0
    for scope in _scopes(product_ids):
        in_scope = [StandingOrderRow.status == "active", StandingOrderRow.expires_at > now,
                    *([StandingOrderRow.product_id.in_(scope)] if scope is not None else [])]
        queued += _fire(session, in_scope, now)
        price = (select(VariantRow.price).where(VariantRow.id == StandingOrderRow.variant_id)
                 .correlate(StandingOrderRow).scalar_subquery())
        session.execute(update(StandingOrderRow)
                        .where(*in_scope, StandingOrderRow.armed == false(),  # type: ignore[arg-type]
                               price >= StandingOrderRow.target)
                        .values(armed=true()).execution_options(synchronize_session=False))
    return queued


def _fire(session: Session, in_scope: Sequence[object], now: datetime) -> int:
    triggered = (
        select(StandingOrderRow.id, StandingOrderRow.fired + 1, StandingOrderRow.shopper_id, ProductRow.title,
               VariantRow.price, ProductRow.currency, literal("due"), literal(""),
               literal(now, StandingOrderRow.created_at.type))
        .join(VariantRow, VariantRow.id == StandingOrderRow.variant_id)
        .join(ProductRow, ProductRow.id == StandingOrderRow.product_id)
        .where(*in_scope, StandingOrderRow.armed == true(),  # type: ignore[arg-type]
               VariantRow.price < StandingOrderRow.target, VariantRow.stock >= StandingOrderRow.quantity)
    )
    columns = ["standing_order_id", "trigger", "shopper_id", "title", "price", "currency", "status", "reason",
               "created_at"]
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(StandingOrderRunRow).from_select(columns, triggered).on_conflict_do_nothing(
        index_elements=["standing_order_id", "trigger"]).returning(StandingOrderRunRow.id)
    queued = len(session.execute(statement).all())
    if queued:
        this_trigger = and_(StandingOrderRunRow.standing_order_id == StandingOrderRow.id,
                            StandingOrderRunRow.trigger == StandingOrderRow.fired + 1)
        session.execute(update(StandingOrderRow)
                        .where(*in_scope, exists().where(this_trigger).correlate(StandingOrderRow))  # type: ignore[arg-type]
                        .values(armed=false(), fired=StandingOrderRow.fired + 1)
                        .execution_options(synchronize_session=False))
    return queued
