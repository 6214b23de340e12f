"""Checkout sessions' lifecycle: create, update, cancel, and complete (stock, payment and order in one transaction).

Every function runs inside the caller's session: `Database.session()` commits all of it or none of it.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from commerce.buyers import saved_addresses, with_saved_destination
from commerce.checkout_models import Checkout, CheckoutInput, CheckoutStatus, PaymentInput, Problem
from commerce.events import record_checkout
from commerce.orders_from_checkout import create_order
from commerce.payments import PaymentHandler
from commerce.price_history import record_prices
from commerce.pricing import discounts, price_lines, shipping_options, totals
from commerce.promotions import with_free_shipping
from commerce.tables import CheckoutSessionRow, VariantRow

S = CheckoutStatus
EDITABLE = frozenset({S.INCOMPLETE, S.REQUIRES_ESCALATION, S.READY_FOR_COMPLETE})
TRANSITIONS: dict[CheckoutStatus, frozenset[CheckoutStatus]] = {
    S.INCOMPLETE: EDITABLE | {S.CANCELED},
    S.REQUIRES_ESCALATION: EDITABLE | {S.CANCELED},
    S.READY_FOR_COMPLETE: EDITABLE | {S.COMPLETE_IN_PROGRESS, S.CANCELED},
    S.COMPLETE_IN_PROGRESS: frozenset({S.COMPLETED}),
    S.COMPLETED: frozenset(),
    S.CANCELED: frozenset(),
}


class CheckoutError(Exception):
    code = "invalid"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class CheckoutNotFound(CheckoutError):
    code = "not_found"


class InvalidTransition(CheckoutError):
    code = "invalid_transition"

    def __init__(self, current: CheckoutStatus, target: CheckoutStatus) -> None:
        super().__init__(f"A checkout that is {current.value} cannot become {target.value}")
        self.current = current
        self.target = target


class NotReady(CheckoutError):
    code = "not_ready"

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(problem.content for problem in problems if problem.blocking))
        self.problems = problems
        # one reason, e.g. a concurrent complete took the last unit: the agent is told that reason's code
        reasons = {problem.code for problem in problems if problem.blocking}
        if len(reasons) == 1:
            self.code = reasons.pop()


class OutOfStock(CheckoutError):
    code = "out_of_stock"


class NothingAvailable(CheckoutError):
    """No requested item exists or is in stock: there is nothing to make a session of."""

    code = "item_unavailable"

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(problem.content for problem in problems))
        self.problems = problems


class PaymentFailed(CheckoutError):
    code = "payment_failed"


def require_transition(current: CheckoutStatus, target: CheckoutStatus) -> None:
    if target not in TRANSITIONS[current]:
        raise InvalidTransition(current, target)


def _status(problems: list[Problem]) -> CheckoutStatus:
    """Anything only the buyer can settle makes it theirs (the page asks them for the rest too)."""
    if any(problem.escalate for problem in problems):
        return S.REQUIRES_ESCALATION
    return S.INCOMPLETE if any(problem.blocking for problem in problems) else S.READY_FOR_COMPLETE


def payable_by_buyer(checkout: Checkout) -> bool:
    """Ready, or held only for what the buyer settles by paying on the shop's page."""
    return all(problem.escalate for problem in checkout.problems if problem.blocking)


def evaluate(session: Session, checkout_id: str, owner: str, currency: str, request: CheckoutInput,
             review_above: int | None = None, shopper_id: str | None = None) -> Checkout:
    """The session as the shop's rows price it now; ready when nothing blocks completing it. A total above
    `review_above` (minor units) is for the buyer to review and pay on the shop's page: requires_escalation.
    `shopper_id`: the known buyer (from the caller's credentials), whose saved addresses are offered."""
    saved = saved_addresses(session, shopper_id)
    request = request.model_copy(update={"destination": with_saved_destination(request.destination, saved)})
    lines, problems = price_lines(session, request)
    subtotal = sum(line.subtotal for line in lines)
    applied, discount_problems = discounts(session, request.discount_codes, subtotal)
    options = with_free_shipping(session, shipping_options(session, request.destination), lines,
                                 subtotal - sum(item.amount for item in applied))
    chosen = next((option for option in options if option.id == request.shipping_option_id), None)
    if request.destination is None or not request.destination.complete:
        problems.append(Problem(code="missing", content="A shipping destination with a country is needed",
                                path="$.fulfillment.methods[0].destinations"))
    elif chosen is None:
        problems.append(Problem(code="missing" if request.shipping_option_id is None else "invalid",
                                content="Choose one of the shipping options",
                                path="$.fulfillment.methods[0].groups[0].selected_option_id"))
    problems += discount_problems
    amounts = totals(lines, applied, chosen)
    if review_above is not None and amounts.total > review_above:
        problems.append(Problem(code="requires_buyer_review", escalate="buyer_review",
                                content="The shop asks the buyer to review and pay an order of this size on its "
                                        "checkout page"))
    return Checkout(id=checkout_id, owner=owner, status=_status(problems), currency=currency, request=request,
                    lines=lines, shipping_options=options, discounts=applied, totals=amounts, problems=problems,
                    saved_destinations=saved, shopper_id=shopper_id)


def create_checkout(session: Session, owner: str, currency: str, request: CheckoutInput, *,
                    checkout_id: str | None = None, shopper_id: str | None = None,
                    review_above: int | None = None) -> Checkout:
    """`checkout_id`: a caller-made id (the chat derives one from its link, so reopening it finds the session)."""
    checkout = evaluate(session, checkout_id or f"chk_{secrets.token_hex(12)}", owner, currency, request,
                        review_above, shopper_id)
    unavailable = [p for p in checkout.problems if p.code in ("not_found", "out_of_stock")]
    if len(unavailable) == len(request.lines):
        raise NothingAvailable(unavailable)
    session.add(CheckoutSessionRow(id=checkout.id, owner=owner, status=checkout.status.value,
                                   data=checkout.model_dump(mode="json")))
    session.flush()
    record_checkout(session, "checkout_started", owner, checkout.totals.total, shopper_id)
    return checkout


def get_checkout(session: Session, owner: str, checkout_id: str) -> Checkout:
    """Another owner's session reads as not found, so nothing leaks."""
    row = session.get(CheckoutSessionRow, checkout_id)
    if row is None or row.owner != owner:
        raise CheckoutNotFound(f"No checkout session {checkout_id!r}")
    return Checkout.model_validate(row.data)


def _move(session: Session, current: Checkout, target: Checkout) -> Checkout:
    """Store `target` only if the row is still in `current`'s status: a concurrent change wins, this one is refused."""
    require_transition(current.status, target.status)
    moved = session.execute(
        update(CheckoutSessionRow)
        .where(CheckoutSessionRow.id == current.id, CheckoutSessionRow.status == current.status.value)
        .values(status=target.status.value, data=target.model_dump(mode="json"), order_id=target.order_id,
                updated_at=func.now())
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        latest = get_checkout(session, current.owner, current.id)
        raise InvalidTransition(latest.status, target.status)
    return target


def update_checkout(session: Session, owner: str, checkout_id: str, request: CheckoutInput, *,
                    review_above: int | None = None) -> Checkout:
    current = get_checkout(session, owner, checkout_id)
    if current.status not in EDITABLE:
        raise InvalidTransition(current.status, S.INCOMPLETE)
    fresh = evaluate(session, checkout_id, owner, current.currency, request, review_above, current.shopper_id)
    return _move(session, current, fresh)


def cancel_checkout(session: Session, owner: str, checkout_id: str) -> Checkout:
    current = get_checkout(session, owner, checkout_id)
    return _move(session, current, current.model_copy(update={"status": S.CANCELED}))


def _take_stock(session: Session, checkout: Checkout) -> None:
    for line in checkout.lines:
        enough = VariantRow.id == line.item_id, VariantRow.stock >= line.quantity
        taken = session.execute(update(VariantRow).where(*enough).values(stock=VariantRow.stock - line.quantity))
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            raise OutOfStock(f"{line.title} is no longer in stock for {line.quantity}")
    record_prices(session, {line.product_id for line in checkout.lines})  # a sell-out is in the price history


def _payment_needs_buyer(checkout: Checkout) -> Checkout:
    problem = Problem(code="payment_needs_buyer", escalate="buyer_input",
                      content="The card issuer asks the buyer to confirm this payment on the shop's checkout page")
    problems = [*checkout.problems, problem]
    return checkout.model_copy(update={"status": _status(problems), "problems": problems})


def complete_checkout(session: Session, owner: str, checkout_id: str, payment: PaymentInput,
                      handlers: Mapping[str, PaymentHandler], *, review_above: int | None = None) -> Checkout:
    """Re-price, claim the session, take the stock, charge, write the order; any failure undoes all of it.
    `review_above`: the caller is not the buyer, who must pay an order above it themselves. A session only the
    buyer can pay (above that, or a payment the issuer wants them to confirm) is returned requires_escalation."""
    current = get_checkout(session, owner, checkout_id)
    fresh = evaluate(session, checkout_id, owner, current.currency, current.request, review_above,
                     current.shopper_id)
    handler = handlers.get(payment.handler_id)
    if current.status in EDITABLE and handler is not None and handler.needs_buyer(payment.token):
        return _move(session, current, _payment_needs_buyer(fresh))
    if fresh.status == S.REQUIRES_ESCALATION and current.status in EDITABLE:
        return _move(session, current, fresh)
    require_transition(current.status, S.COMPLETE_IN_PROGRESS)
    if fresh.status != S.READY_FOR_COMPLETE:
        # a concurrent complete of this session may have taken its stock: then it is that session's state that refuses
        require_transition(get_checkout(session, owner, checkout_id).status, S.COMPLETE_IN_PROGRESS)
        raise NotReady(fresh.problems)
    if handler is None:
        raise PaymentFailed(f"Unknown payment handler {payment.handler_id!r}")
    claimed = _move(session, current, fresh.model_copy(update={"status": S.COMPLETE_IN_PROGRESS}))
    _take_stock(session, claimed)
    result = handler.charge(payment.token, claimed.totals.total, claimed.currency)
    if not result.approved:
        raise PaymentFailed(result.reason or "The payment was declined")
    order_id = create_order(session, claimed, handler.id, result.reference)
    return _move(session, claimed, claimed.model_copy(update={"status": S.COMPLETED, "order_id": order_id}))


def checkout_of_order(session: Session, owner: str, order_id: str) -> Checkout:
    """The completed session behind an order, if `owner` made it."""
    query = select(CheckoutSessionRow).where(CheckoutSessionRow.order_id == order_id,
                                             CheckoutSessionRow.owner == owner)
    row = session.scalar(query)
    if row is None:
        raise CheckoutNotFound(f"No order {order_id!r}")
    return Checkout.model_validate(row.data)
