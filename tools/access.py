"""Identity and ownership guards shared by the shopper tools: the session decides whose data a tool may touch."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from commerce.models import Order, PaymentMethod, Shopper
from commerce.store import order_from_row, shopper_from_row
from commerce.tables import OrderRow, ShopperRow
from tools.base import ToolContext, ToolFailure


def require_shopper(context: ToolContext) -> str:
    if not context.shopper_id:
        raise ToolFailure(
            "not_verified", "The shopper is not verified yet: find them by email, or by first name, last name and zip."
        )
    return context.shopper_id


def same_shopper(context: ToolContext, user_id: str | None) -> str:
    """The session's shopper; a different id passed as an argument is refused, never followed."""
    shopper_id = require_shopper(context)
    if user_id and user_id != shopper_id:
        raise ToolFailure(
            "other_shopper", "I can only help the verified shopper of this conversation with their own account."
        )
    return shopper_id


def owned_order(session: Session, shopper_id: str, order_id: str, lock: bool = False) -> Order:
    """The order if it belongs to `shopper_id`; anyone else's order reads as not found, so nothing leaks."""
    row = session.get(OrderRow, order_id, with_for_update=lock)
    if row is None or row.shopper_id != shopper_id:
        raise ToolFailure("order_not_found", "order not found")
    return order_from_row(row)


def load_shopper(session: Session, shopper_id: str, lock: bool = False) -> Shopper:
    row = session.get(ShopperRow, shopper_id, with_for_update=lock)
    if row is None:
        raise ToolFailure("user_not_found", "user not found")
    return shopper_from_row(row)


def order_ids_of(session: Session, shopper_id: str) -> list[str]:
    query = select(OrderRow.id).where(OrderRow.shopper_id == shopper_id).order_by(OrderRow.position, OrderRow.id)
    return list(session.scalars(query))


def payment_method(shopper: Shopper, payment_method_id: str) -> PaymentMethod:
    method = next((m for m in shopper.payment_methods if m.id == payment_method_id), None)
    if method is None:
        raise ToolFailure("payment_method_not_found", "payment method not found")
    return method
