"""The order a completed checkout becomes, in the shop's order table, so the chat's order look-ups find it."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from commerce.checkout_models import Checkout
from commerce.events import record_checkout
from commerce.models import Address, Order, OrderLine, OrderStatus, Payment
from commerce.store import order_row
from commerce.tables import OrderRow, ShopperRow


def _shopper_id(session: Session, checkout: Checkout) -> str:
    """The shopper the caller named, else the shop's shopper with the buyer's email, else a guest shopper made for
    that email (or, without one, for this checkout)."""
    if checkout.shopper_id is not None:
        return checkout.shopper_id
    buyer = checkout.request.buyer
    email = buyer.email.strip().lower()
    if email:
        found = session.scalar(select(ShopperRow.id).where(func.lower(ShopperRow.email) == email).limit(1))
        if found is not None:
            return found
    guest_id = f"guest_{hashlib.sha256((email or checkout.id).encode()).hexdigest()[:12]}"
    if session.get(ShopperRow, guest_id) is None:
        session.add(ShopperRow(id=guest_id, first_name=buyer.first_name, last_name=buyer.last_name, email=email))
        session.flush()
    return guest_id


def _new_order_id(session: Session) -> str:
    while True:
        order_id = f"#W{secrets.randbelow(9_000_000) + 1_000_000}"
        if session.get(OrderRow, order_id) is None:
            return order_id


def create_order(session: Session, checkout: Checkout, handler_id: str, payment_reference: str) -> str:
    """One order line per unit, as the shop's other orders have; the amount paid is in major units there."""
    destination = checkout.request.destination
    assert destination is not None  # a ready checkout has one
    shopper_id = _shopper_id(session, checkout)
    lines = [OrderLine(product_id=line.product_id, item_id=line.item_id, name=line.title, price=line.unit_price / 100,
                       options=line.options)
             for line in checkout.lines for _ in range(line.quantity)]
    address = Address(address1=destination.street_address, address2=destination.extended_address,
                      city=destination.city, state=destination.region, country=destination.country,
                      zip=destination.postal_code)
    order = Order(id=_new_order_id(session), shopper_id=shopper_id, address=address, lines=lines,
                  status=OrderStatus.PENDING,
                  payments=[Payment(transaction_type="payment", amount=checkout.totals.total / 100,
                                    payment_method_id=f"{handler_id}:{payment_reference}")])
    position = session.scalar(select(func.count()).select_from(OrderRow).where(OrderRow.shopper_id == shopper_id))
    session.add(order_row(order, position=position or 0))
    session.flush()
    record_checkout(session, "checkout_completed", checkout.owner, checkout.totals.total, shopper_id, order.id)
    return order.id
