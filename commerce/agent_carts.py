"""Shopping agents' carts: line items priced and stock-checked from the shop's rows now, no payment, no status
machine beyond open → canceled. A checkout can be made from one (its lines, buyer and destination country)."""

from __future__ import annotations

import secrets
from enum import StrEnum

from sqlalchemy.orm import Session

from commerce.checkout import EDITABLE, CheckoutNotFound, InvalidTransition, create_checkout, get_checkout
from commerce.checkout_models import AppliedDiscount, Checkout, CheckoutInput, CheckoutStatus, PricedLine, Problem
from commerce.models import Model
from commerce.pricing import discounts, price_lines
from commerce.tables import AgentCartRow


class CartStatus(StrEnum):
    OPEN = "open"
    CANCELED = "canceled"


class AgentCart(Model):
    id: str
    owner: str
    status: CartStatus
    currency: str
    request: CheckoutInput
    lines: list[PricedLine]
    discounts: list[AppliedDiscount]
    problems: list[Problem]
    checkout_id: str | None = None  # the checkout last made from this cart

    @property
    def subtotal(self) -> int:
        return sum(line.subtotal for line in self.lines)

    @property
    def discount(self) -> int:
        return sum(applied.amount for applied in self.discounts)


def _priced(session: Session, cart_id: str, owner: str, currency: str, request: CheckoutInput,
            checkout_id: str | None = None) -> AgentCart:
    lines, problems = price_lines(session, request)
    applied, discount_problems = discounts(session, request.discount_codes, sum(line.subtotal for line in lines))
    return AgentCart(id=cart_id, owner=owner, status=CartStatus.OPEN, currency=currency, request=request,
                     lines=lines, discounts=applied, problems=problems + discount_problems, checkout_id=checkout_id)


def create_cart(session: Session, owner: str, currency: str, request: CheckoutInput) -> AgentCart:
    cart = _priced(session, f"cart_{secrets.token_hex(12)}", owner, currency, request)
    session.add(AgentCartRow(id=cart.id, owner=owner, status=cart.status.value, data=cart.model_dump(mode="json")))
    session.flush()
    return cart


def _row(session: Session, owner: str, cart_id: str) -> AgentCartRow:
    """Another owner's cart, or a canceled one, reads as not found."""
    row = session.get(AgentCartRow, cart_id)
    if row is None or row.owner != owner or row.status != CartStatus.OPEN.value:
        raise CheckoutNotFound(f"No cart {cart_id!r}")
    return row


def get_cart(session: Session, owner: str, cart_id: str) -> AgentCart:
    """The cart re-priced now: prices and stock may have changed since it was made."""
    stored = AgentCart.model_validate(_row(session, owner, cart_id).data)
    return _priced(session, cart_id, owner, stored.currency, stored.request, stored.checkout_id)


def update_cart(session: Session, owner: str, cart_id: str, request: CheckoutInput) -> AgentCart:
    row = _row(session, owner, cart_id)
    cart = _priced(session, cart_id, owner, row.data["currency"], request, row.data.get("checkout_id"))
    row.data = cart.model_dump(mode="json")
    session.flush()
    return cart


def cancel_cart(session: Session, owner: str, cart_id: str) -> AgentCart:
    row = session.get(AgentCartRow, cart_id)
    if row is not None and row.owner == owner and row.status == CartStatus.CANCELED.value:
        raise InvalidTransition(CheckoutStatus.CANCELED, CheckoutStatus.CANCELED)
    cart = get_cart(session, owner, cart_id).model_copy(update={"status": CartStatus.CANCELED})
    row = _row(session, owner, cart_id)
    row.status, row.data = cart.status.value, cart.model_dump(mode="json")
    session.flush()
    return cart


def open_checkout(session: Session, owner: str, cart_id: str) -> Checkout | None:
    """The checkout made from this cart while it is still open: converting the cart again returns it."""
    checkout_id = get_cart(session, owner, cart_id).checkout_id
    if checkout_id is None:
        return None
    checkout = get_checkout(session, owner, checkout_id)
    return checkout if checkout.status in EDITABLE else None


def link_checkout(session: Session, owner: str, cart_id: str, checkout_id: str) -> None:
    row = _row(session, owner, cart_id)
    row.data = {**row.data, "checkout_id": checkout_id}
    session.flush()


def checkout_from_cart(session: Session, owner: str, cart_id: str, review_above: int | None = None) -> Checkout:
    """The cart's open checkout, else a new one with its lines, buyer and destination (the buyer opened the cart)."""
    existing = open_checkout(session, owner, cart_id)
    if existing is not None:
        return existing
    cart = get_cart(session, owner, cart_id)
    checkout = create_checkout(session, owner, cart.currency, cart.request, review_above=review_above)
    link_checkout(session, owner, cart_id, checkout.id)
    return checkout
