"""An order the shop makes on a shopper's standing consent (a standing order, a recurring order): priced now
through the checkout core, shipped to their saved address by the cheapest rate, paid with the saved token, and
marked as placed automatically. Runs in the caller's transaction: any failure raises and undoes all of it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from commerce.checkout import CheckoutError, complete_checkout, create_checkout
from commerce.checkout_models import Buyer, CheckoutInput, CheckoutStatus, Destination, LineRequest, PaymentInput
from commerce.payments import PaymentHandler
from commerce.pricing import shipping_options
from commerce.tables import OrderRow, ShopperRow


class Refused(Exception):
    """The order is not made, for `reason` (e.g. 'price_rose', 'spend_cap'); nothing was done."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def reason_of(error: Refused | CheckoutError) -> str:
    return error.reason if isinstance(error, Refused) else error.code


def checkout_request(session: Session, shopper_id: str, address: dict[str, Any],
                     lines: list[tuple[str, int]]) -> CheckoutInput:
    shopper = session.get(ShopperRow, shopper_id)
    destination = Destination.model_validate(address)
    options = shipping_options(session, destination)
    if shopper is None or not options:
        raise Refused("not_ready")
    return CheckoutInput(lines=[LineRequest(item_id=item_id, quantity=quantity) for item_id, quantity in lines],
                         buyer=Buyer(email=shopper.email, first_name=shopper.first_name, last_name=shopper.last_name),
                         destination=destination, shipping_option_id=options[0].id)


def place_order(session: Session, *, owner: str, checkout_id: str, shopper_id: str, currency: str,
                request: CheckoutInput, payment: PaymentInput, handlers: Mapping[str, PaymentHandler],
                limits: list[tuple[float, str]], details: dict[str, Any]) -> tuple[str, float]:
    """Make the order unless its total (major units, shipping included) is over one of the `limits` (refused
    with that limit's reason); returns (order id, total). The order's details say it was placed automatically."""
    checkout = create_checkout(session, owner, currency, request, checkout_id=checkout_id, shopper_id=shopper_id)
    total = checkout.totals.total / 100
    for most, reason in limits:
        if total > most + 1e-9:
            raise Refused(reason)
    done = complete_checkout(session, owner, checkout.id, payment, handlers)
    if done.status != CheckoutStatus.COMPLETED or done.order_id is None:
        raise Refused("payment_needs_buyer")
    order = session.get_one(OrderRow, done.order_id)
    order.details = {**(order.details or {}), "placed_automatically": True, **details}
    return done.order_id, total
