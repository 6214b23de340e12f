"""Price and stock watches: the store, and their evaluation in the transaction that changes an offer.

Evaluation is set-based SQL over the watches of the products changed (or all watches, for a large change), so its
cost grows with the watches in scope, not with a Python loop over offers. Rules:

- `below`: fires when the watched price (the lowest of the product's variants, or the variant's) is under the
  threshold while the watch is armed; it re-arms once the price is at or over the threshold again.
- `back_in_stock`: fires when stock is above zero while armed; it re-arms once stock is back at zero.
- `any_drop`: fires whenever the price is under the reference price (the price when the watch was made, then the
  price of its last trigger); a rise does not move the reference, so a price that goes back up and down to the
  same level does not fire twice.

Each trigger writes one notification keyed (watch id, trigger number): evaluating the same state again, or two
transactions racing, can never queue a second one. Expired watches are not evaluated.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy import ScalarSelect, and_, case, delete, exists, false, func, literal, or_, select, true, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from commerce.tables import ProductRow, VariantRow, WatchNotificationRow, WatchRow, utcnow

WatchKind = Literal["below", "back_in_stock", "any_drop"]
# A change to more products than this evaluates every active watch at once: one pass over the watches beats
# hundreds of IN-list passes, and evaluating an unchanged offer fires nothing.
WHOLE_SCAN_ABOVE = 2000
_CHUNK = 500


class Watch(BaseModel):
    id: str = Field(description="e.g. 'w_3f9c2a1b7d4e8f60'")
    product_id: str
    variant_id: str | None = None
    kind: WatchKind
    threshold: float | None = None
    reference_price: float | None = None
    armed: bool = True
    created_at: datetime
    expires_at: datetime


class WatchedOffer(BaseModel):
    """A product's (or variant's) current lowest price and stock: what a new watch starts from."""

    title: str
    price: float
    stock: int
    currency: str = "USD"


def _watch(row: WatchRow) -> Watch:
    return Watch(id=row.id, product_id=row.product_id, variant_id=row.variant_id, kind=row.kind,  # type: ignore[arg-type]
                 threshold=row.threshold, reference_price=row.reference_price, armed=row.armed,
                 created_at=row.created_at, expires_at=row.expires_at)


def offer(session: Session, product_id: str, variant_id: str | None = None) -> WatchedOffer | None:
    """The offer a watch on the product (or one of its variants) would watch; None when there is no such offer."""
    product = session.get(ProductRow, product_id)
    if product is None:
        return None
    query = select(func.min(VariantRow.price), func.coalesce(func.sum(VariantRow.stock), 0)).where(
        VariantRow.product_id == product_id, *([VariantRow.id == variant_id] if variant_id else []))
    price, stock = session.execute(query).one()
    if price is None:
        return None
    return WatchedOffer(title=product.title, price=price, stock=stock, currency=product.currency)


def create_watch(session: Session, shopper_id: str, product_id: str, kind: WatchKind, ttl: timedelta,
                 threshold: float | None = None, variant_id: str | None = None,
                 now: datetime | None = None) -> Watch:
    """A new armed watch from the offer's current state (the caller checked the offer exists). A watch the shopper
    already has on the same offer and kind is replaced: one alert per thing watched."""
    now = now or utcnow()
    current = offer(session, product_id, variant_id)
    session.execute(delete(WatchRow).where(
        WatchRow.shopper_id == shopper_id, WatchRow.product_id == product_id, WatchRow.kind == kind,
        WatchRow.variant_id.is_(None) if variant_id is None else WatchRow.variant_id == variant_id))
    row = WatchRow(id=f"w_{secrets.token_hex(8)}", shopper_id=shopper_id, product_id=product_id,
                   variant_id=variant_id, kind=kind, threshold=threshold,
                   reference_price=current.price if current else None, armed=True, fired=0, created_at=now,
                   expires_at=now + ttl)
    session.add(row)
    session.flush()
    return _watch(row)


def active_watches(session: Session, shopper_id: str, now: datetime | None = None) -> list[Watch]:
    query = (select(WatchRow).where(WatchRow.shopper_id == shopper_id, WatchRow.expires_at > (now or utcnow()))
             .order_by(WatchRow.created_at, WatchRow.id))
    return [_watch(row) for row in session.scalars(query)]


def cancel_watches(session: Session, shopper_id: str, watch_ids: Collection[str]) -> int:
    """Delete the shopper's own watches among `watch_ids` (their queued notifications go with them)."""
    if not watch_ids:
        return 0
    ids = select(WatchRow.id).where(WatchRow.shopper_id == shopper_id, WatchRow.id.in_(list(watch_ids)))
    session.execute(delete(WatchNotificationRow).where(WatchNotificationRow.watch_id.in_(ids)))
    result = session.execute(delete(WatchRow).where(WatchRow.shopper_id == shopper_id,
                                                    WatchRow.id.in_(list(watch_ids))))
    return result.rowcount or 0  # type: ignore[attr-defined]


def purge_expired(session: Session, now: datetime | None = None) -> int:
    """Delete expired watches (and any notification of theirs still queued)."""
    expired = select(WatchRow.id).where(WatchRow.expires_at <= (now or utcnow()))
    session.execute(delete(WatchNotificationRow).where(WatchNotificationRow.watch_id.in_(expired)))
    result = session.execute(delete(WatchRow).where(WatchRow.expires_at <= (now or utcnow())))
    return result.rowcount or 0  # type: ignore[attr-defined]


def _watched(column: Literal["price", "stock"]) -> ScalarSelect[float]:
    """The watched offer's lowest price or total stock, correlated to each watch row."""
    aggregate = func.min(VariantRow.price) if column == "price" else func.sum(VariantRow.stock)
    return (select(aggregate)
            .where(VariantRow.product_id == WatchRow.product_id,
                   or_(WatchRow.variant_id.is_(None), VariantRow.id == WatchRow.variant_id))
            .correlate(WatchRow).scalar_subquery())


def _scopes(product_ids: Collection[str] | None) -> list[list[str] | None]:
    if product_ids is None or len(product_ids) > WHOLE_SCAN_ABOVE:
        return [None]
    ids = sorted(set(product_ids))
    return [ids[start:start + _CHUNK] for start in range(0, len(ids), _CHUNK)]


def evaluate_watches(session: Session, product_ids: Collection[str] | None = None,
                     now: datetime | None = None) -> int:
    """Queue a notification for every active watch on these products (None: all) whose condition now holds, and
    re-arm those whose condition stopped holding. Runs in the caller's transaction; returns notifications queued."""
    now = now or utcnow()
    session.flush()
    queued = 0
    for scope in _scopes(product_ids):
        in_scope = [WatchRow.expires_at > now, *([WatchRow.product_id.in_(scope)] if scope is not None else [])]
        queued += _fire(session, in_scope, now)
        _rearm(session, in_scope)
    return queued


def _fire(session: Session, in_scope: Sequence[object], now: datetime) -> int:
    price, stock = _watched("price"), _watched("stock")
    holds = or_(
        and_(WatchRow.kind == "below", WatchRow.armed == true(), price < WatchRow.threshold),
        and_(WatchRow.kind == "back_in_stock", WatchRow.armed == true(), stock > 0),
        and_(WatchRow.kind == "any_drop", price < WatchRow.reference_price),
    )
    reference = case((WatchRow.kind == "below", WatchRow.threshold), else_=WatchRow.reference_price)
    triggered = (
        select(WatchRow.id, WatchRow.fired + 1, WatchRow.shopper_id, WatchRow.product_id, WatchRow.variant_id,
               WatchRow.kind, ProductRow.title, price, reference, ProductRow.currency,
               literal(now, WatchRow.created_at.type))
        .join(ProductRow, ProductRow.id == WatchRow.product_id)
        .where(*in_scope, holds)  # type: ignore[arg-type]
    )
    columns = ["watch_id", "trigger", "shopper_id", "product_id", "variant_id", "kind", "title", "price",
               "reference_price", "currency", "created_at"]
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(WatchNotificationRow).from_select(columns, triggered).on_conflict_do_nothing(
        index_elements=["watch_id", "trigger"]).returning(WatchNotificationRow.id)
    queued = len(session.execute(statement).all())  # psycopg reports no rowcount for INSERT … SELECT
    if queued:
        this_trigger = (WatchNotificationRow.watch_id == WatchRow.id,
                        WatchNotificationRow.trigger == WatchRow.fired + 1)
        just = select(WatchNotificationRow.price).where(*this_trigger).correlate(WatchRow).scalar_subquery()
        session.execute(
            update(WatchRow)
            .where(*in_scope, exists().where(*this_trigger).correlate(WatchRow))  # type: ignore[arg-type]
            .values(armed=false(), reference_price=just, fired=WatchRow.fired + 1)
            .execution_options(synchronize_session=False))
    return queued


def _rearm(session: Session, in_scope: Sequence[object]) -> None:
    price, stock = _watched("price"), _watched("stock")
    released = or_(and_(WatchRow.kind == "below", price >= WatchRow.threshold),
                   and_(WatchRow.kind == "back_in_stock", func.coalesce(stock, 0) <= 0))
    session.execute(update(WatchRow).where(*in_scope, WatchRow.armed == false(), released)  # type: ignore[arg-type]
                    .values(armed=true()).execution_options(synchronize_session=False))
