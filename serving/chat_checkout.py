"""The checkout page's sessions on the checkout core: the chat's signed cart link opens one session for the
shopper it names, and an agent's buyer link (UCP continue_url) opens that agent's session, or a session made from
its cart, for its buyer to pay.

Who the session belongs to comes from the link's signature, never from the page; every call below is one
transaction.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from commerce import checkout as core
from commerce.agent_carts import checkout_from_cart
from commerce.buyer_links import read_buyer_link, session_url
from commerce.checkout_models import (
    Buyer,
    Checkout,
    CheckoutInput,
    CheckoutStatus,
    Destination,
    LineRequest,
    PaymentInput,
)
from commerce.db import Database
from commerce.models import Cart
from commerce.order_events import queue_order_event
from commerce.payments import MockTokenHandler, PaymentHandler
from commerce.pricing import discounts, shipping_options
from commerce.store import record_audit
from commerce.tables import CartRow, CheckoutSessionRow, ShopperRow
from shopassist.settings import Settings
from tools.base import ToolFailure
from tools.cart import read_checkout_token

OPEN = (CheckoutStatus.INCOMPLETE, CheckoutStatus.REQUIRES_ESCALATION, CheckoutStatus.READY_FOR_COMPLETE)


class AddressForm(BaseModel):
    """What the checkout page posts to change a session; lines, prices and the shopper are never taken from it. A
    field not sent keeps its value."""

    checkout_id: str = Field(min_length=1, max_length=64)
    first_name: str | None = Field(None, max_length=128)
    last_name: str | None = Field(None, max_length=128)
    street_address: str | None = Field(None, max_length=256)
    city: str | None = Field(None, max_length=128)
    region: str | None = Field(None, max_length=128)
    postal_code: str | None = Field(None, max_length=32)
    country: str | None = Field(None, max_length=64)
    shipping_option_id: str | None = Field(None, max_length=64)
    discount_code: str = Field("", max_length=64)
    action: str = Field("", max_length=32, description="'drop_unavailable' takes out what cannot be sold now")

    @property
    def code(self) -> str:
        return self.discount_code.strip().upper()


class PayForm(AddressForm):
    """Pay posts the address form too: a change not yet applied is applied and shown, not paid for unseen."""

    payment_token: str = Field(min_length=1, max_length=512)


def unavailable_lines(checkout: Checkout) -> set[int]:
    """Positions in the request of the lines the shop cannot sell now (out of stock, or no longer sold)."""
    found = (re.fullmatch(r"\$\.line_items\[(\d+)\]", problem.path or "") for problem in checkout.problems
             if problem.code in ("out_of_stock", "not_found"))
    return {int(match.group(1)) for match in found if match}


ADDRESS_FIELDS = ("first_name", "last_name", "street_address", "city", "region", "postal_code", "country")


class Refused(Exception):
    """The link or the session cannot be used (forged, stale, another shopper's, no payment handler)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def payment_handlers(settings: Settings) -> Mapping[str, PaymentHandler]:
    handlers: list[PaymentHandler] = [MockTokenHandler()] if settings.mock_payments else []
    return {handler.id: handler for handler in handlers}


CHAT_OWNER = "chat_"


def owner_of(shopper_id: str) -> str:
    """The chat is one more caller of the core; its sessions are owned per shopper (ids fit the 64-char column)."""
    return f"{CHAT_OWNER}{hashlib.sha256(shopper_id.encode()).hexdigest()[:40]}"


def made_by_agent(checkout: Checkout) -> bool:
    return not checkout.owner.startswith(CHAT_OWNER)


def _link_checkout_id(settings: Settings, token: str) -> str:
    digest = hmac.new(settings.secret.get_secret_value().encode(), token.encode(), hashlib.sha256).hexdigest()
    return f"chk_chat_{digest[:32]}"


@dataclass(frozen=True)
class Link:
    """What a checkout link opens: the chat's cart (its session derived from the link), or one agent session."""

    owner: str
    cart: Cart | None = None
    checkout_id: str | None = None
    review_above: int | None = None  # an agent's session stays for its buyer to pay, however the page changes it

    def session_id(self, posted: str) -> str:
        """The session a form names, if this link may touch it."""
        if self.checkout_id is not None and posted != self.checkout_id:
            raise Refused("not_found")
        return posted


def _link(settings: Settings, token: str) -> Link:
    try:
        cart = read_checkout_token(settings, token)
    except ToolFailure:
        target = read_buyer_link(settings, token)
        if target is None or target.checkout_id is None:
            raise Refused("bad_link") from None
        return Link(owner=target.owner, checkout_id=target.checkout_id,
                    review_above=settings.agent_review_above_minor)
    return Link(owner=owner_of(cart.shopper_id), cart=cart)


def _cheapest(session: Session, destination: Destination | None) -> str | None:
    options = shipping_options(session, destination)
    return options[0].id if options else None


def _first_request(session: Session, cart: Cart, shopper: ShopperRow) -> CheckoutInput:
    """The cart's lines, addressed to the shopper's saved address with its cheapest shipping (both changeable)."""
    saved = shopper.address or {}
    destination = Destination(
        first_name=shopper.first_name, last_name=shopper.last_name, street_address=saved.get("address1", ""),
        extended_address=saved.get("address2", ""), city=saved.get("city", ""), region=saved.get("state", ""),
        country=saved.get("country", ""), postal_code=saved.get("zip", "")) if saved else None
    return CheckoutInput(
        lines=[LineRequest(item_id=line.item_id, quantity=line.quantity) for line in cart.lines],
        buyer=Buyer(email=shopper.email, first_name=shopper.first_name, last_name=shopper.last_name),
        destination=destination, shipping_option_id=_cheapest(session, destination))


def _priced_now(session: Session, owner: str, checkout_id: str, review_above: int | None = None) -> Checkout:
    """The session, an open one priced again from the shop's rows (prices and stock are read now)."""
    found = core.get_checkout(session, owner, checkout_id)
    if found.status not in OPEN:
        return found
    return core.update_checkout(session, owner, checkout_id, found.request, review_above=review_above)


def _open(session: Session, settings: Settings, cart: Cart, checkout_id: str) -> Checkout:
    owner = owner_of(cart.shopper_id)
    try:
        return _priced_now(session, owner, checkout_id)
    except core.CheckoutNotFound:
        pass
    shopper = session.get(ShopperRow, cart.shopper_id)
    if shopper is None or not cart.lines:
        raise Refused("bad_link")
    # one open checkout per shopper: a newer link replaces the sessions older links opened
    older = session.scalars(select(CheckoutSessionRow.id).where(
        CheckoutSessionRow.owner == owner, CheckoutSessionRow.status.in_([status.value for status in OPEN]))).all()
    for older_id in older:
        core.cancel_checkout(session, owner, older_id)
    return core.create_checkout(session, owner, settings.shop_currency, _first_request(session, cart, shopper),
                                checkout_id=checkout_id, shopper_id=cart.shopper_id)


def session_of_cart_link(db: Database, settings: Settings, token: str) -> str | None:
    """An agent's cart link (UCP cart continue_url): the URL of the session its checkout opens at, made from the
    cart on first opening. None: not a cart link. Raises core errors (cart gone, nothing in stock)."""
    target = read_buyer_link(settings, token)
    if target is None or target.cart_id is None:
        return None
    with db.session() as session:
        checkout = checkout_from_cart(session, target.owner, target.cart_id, settings.agent_review_above_minor)
    return session_url(settings, target.owner, checkout.id)


def open_checkout(db: Database, settings: Settings, token: str) -> Checkout:
    """The link's session, made on its first opening; raises Refused, or core.NothingAvailable."""
    link = _link(settings, token)
    cart = link.cart
    if cart is None:  # an agent's session, made by the agent
        with db.session() as session:
            return _priced_now(session, link.owner, link.checkout_id or "", link.review_above)
    checkout_id = _link_checkout_id(settings, token)
    try:
        with db.session() as session:
            return _open(session, settings, cart, checkout_id)
    except IntegrityError:  # the same link opened twice at once: the other request made it
        with db.session() as session:
            return core.get_checkout(session, owner_of(cart.shopper_id), checkout_id)


def read_checkout(db: Database, settings: Settings, token: str, checkout_id: str) -> Checkout:
    link = _link(settings, token)
    with db.session() as session:
        return _priced_now(session, link.owner, link.session_id(checkout_id), link.review_above)


def _asked(session: Session, current: Checkout, form: AddressForm) -> tuple[CheckoutInput, bool]:
    """The session's request with the form applied, and whether the form's discount code is one the shop lacks."""
    changes = {name: value.strip() for name in ADDRESS_FIELDS if (value := getattr(form, name)) is not None}
    if "country" in changes:
        changes["country"] = changes["country"].upper()
    kept = current.request.destination
    destination = (kept or Destination()).model_copy(update=changes) if changes or kept else None
    offered = {option.id for option in shipping_options(session, destination)}
    wanted = current.request.shipping_option_id if form.shipping_option_id is None else form.shipping_option_id
    chosen = wanted if wanted in offered else _cheapest(session, destination)
    codes, bad_code = list(current.request.discount_codes), False
    if form.code:
        _, problems = discounts(session, [form.code], current.totals.subtotal)
        bad_code = bool(problems)
        if not bad_code and form.code not in codes:
            codes.append(form.code)
    lines = current.request.lines
    if form.action == "drop_unavailable":
        blocked = unavailable_lines(current)
        lines = [line for index, line in enumerate(lines) if index not in blocked] or lines
    return current.request.model_copy(update={"lines": lines, "destination": destination,
                                              "shipping_option_id": chosen, "discount_codes": codes}), bad_code


def update_checkout(db: Database, settings: Settings, token: str, form: AddressForm) -> tuple[Checkout, bool]:
    """Apply the page's address, delivery choice and discount code; True: the code is one the shop lacks."""
    link = _link(settings, token)
    checkout_id = link.session_id(form.checkout_id)
    with db.session() as session:
        current = core.get_checkout(session, link.owner, checkout_id)
        request, bad_code = _asked(session, current, form)
        return core.update_checkout(session, link.owner, checkout_id, request,
                                    review_above=link.review_above), bad_code


def _take_from_cart(session: Session, shopper_id: str, bought: Checkout) -> None:
    """What was bought leaves the shopper's cart; anything added since stays."""
    row = session.get(CartRow, shopper_id, with_for_update=True)
    if row is None:
        return
    taken = Counter({line.item_id: line.quantity for line in bought.lines})
    before = list(row.lines)
    row.lines = [{**line, "quantity": line["quantity"] - taken[line["item_id"]]} for line in before
                 if line["quantity"] > taken[line["item_id"]]]
    record_audit(session, actor=f"shopper:{shopper_id}", action="checkout", target=f"cart:{shopper_id}",
                 before={"lines": before, "order_id": bought.order_id}, after={"lines": row.lines})


def pay(db: Database, settings: Settings, token: str, form: PayForm) -> tuple[Checkout, bool]:
    """Complete the session with the mock handler: one order however often it is paid. Raises core errors.
    True: the form changed the session (or named a bad code), which is saved and shown again instead of paid.
    Paying here is the buyer's review, so an agent's session held for it is paid too."""
    link = _link(settings, token)
    owner, checkout_id = link.owner, link.session_id(form.checkout_id)
    handlers = payment_handlers(settings)
    if not handlers:
        raise Refused("no_payments")
    payment = PaymentInput(handler_id=next(iter(handlers)), token=form.payment_token)
    try:
        with db.session() as session:
            current = core.get_checkout(session, owner, checkout_id)
            if current.status == CheckoutStatus.COMPLETED:
                return current, False
            if current.status in OPEN:
                request, bad_code = _asked(session, current, form)
                if bad_code or request != current.request:
                    return core.update_checkout(session, owner, checkout_id, request,
                                                review_above=link.review_above), True
            if current.status in OPEN and current.status != CheckoutStatus.READY_FOR_COMPLETE:
                fresh = _priced_now(session, owner, checkout_id)
                if fresh.status != CheckoutStatus.READY_FOR_COMPLETE:
                    raise core.NotReady(fresh.problems)
            done = core.complete_checkout(session, owner, checkout_id, payment, handlers)
            if done.order_id is None:  # the card asks the buyer to confirm: the page again
                return done, True
            if link.cart is not None:
                _take_from_cart(session, link.cart.shopper_id, done)
            else:
                queue_order_event(session, owner, done.order_id, "created")
            return done, False
    except (core.InvalidTransition, IntegrityError):
        with db.session() as session:  # a concurrent payment of the same session won: show its order
            latest = core.get_checkout(session, owner, checkout_id)
        if latest.status != CheckoutStatus.COMPLETED:
            raise
        return latest, False
