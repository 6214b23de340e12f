"""ACP request bodies → the checkout core's CheckoutInput, and core checkouts → ACP CheckoutSession bodies."""

from __future__ import annotations

from typing import Any, get_args

from pydantic import ValidationError

from commerce.buyer_links import session_url
from commerce.checkout_models import Buyer, Checkout, CheckoutInput, CheckoutStatus, Destination, Problem
from protocols.acp import models as acp
from protocols.acp.errors import AcpError
from protocols.common.orders import public_order_id
from protocols.common.payments import MOCK_HANDLER_NAMESPACE
from protocols.common.payments import payment_handlers as usable_handlers
from shopassist.settings import Settings

S = CheckoutStatus
STATUS: dict[CheckoutStatus, acp.Status] = {
    S.INCOMPLETE: "not_ready_for_payment", S.REQUIRES_ESCALATION: "requires_escalation",
    S.READY_FOR_COMPLETE: "ready_for_payment", S.COMPLETE_IN_PROGRESS: "complete_in_progress",
    S.COMPLETED: "completed", S.CANCELED: "canceled",
}
ERROR_CODES: frozenset[str] = frozenset(get_args(acp.ErrorCode))
# Where a field of the core's CheckoutInput came from in an ACP request.
REQUEST_NAMES = {"lines": "line_items", "item_id": "item.id", "destination": "fulfillment_details.address",
                 "city": "city", "region": "state", "street_address": "line_one", "extended_address": "line_two",
                 "shipping_option_id": "selected_fulfillment_options", "discount_codes": "discounts.codes"}
# The core names request fields by their UCP path; an ACP agent sent them elsewhere.
PARAMS = {"$.fulfillment.methods[0].destinations": "$.fulfillment_details.address",
          "$.fulfillment.methods[0].groups[0].selected_option_id": "$.selected_fulfillment_options"}
LABELS = {
    "en": {"items_base_amount": "Items", "subtotal": "Subtotal", "discount": "Discount", "fulfillment": "Shipping",
           "total": "Total"},
    "zh": {"items_base_amount": "商品", "subtotal": "小计", "discount": "折扣", "fulfillment": "运费", "total": "合计"},
}


def _destination(details: acp.FulfillmentDetails) -> Destination | None:
    address = details.address
    if address is None:
        return None
    first, _, last = address.name.strip().partition(" ")
    return Destination(street_address=address.line_one, extended_address=address.line_two, city=address.city,
                       region=address.state, country=address.country.upper(), postal_code=address.postal_code,
                       first_name=first, last_name=last)


def _buyer(buyer: acp.Buyer) -> Buyer:
    return Buyer(email=buyer.email, first_name=buyer.first_name, last_name=buyer.last_name)


def checkout_input(request: acp.CreateRequest | acp.UpdateRequest | acp.CompleteRequest,
                   previous: CheckoutInput | None = None) -> CheckoutInput:
    """What the request sets; a part it leaves out keeps the previous value (an update may leave out the items)."""
    fields = previous.model_dump() if previous else {}
    line_items: list[acp.LineItemRequest] | None = getattr(request, "line_items", None)
    if line_items:
        fields["lines"] = [{"item_id": line.item.id, "quantity": line.quantity} for line in line_items]
    details = getattr(request, "fulfillment_details", None)
    if details is not None:
        fields["destination"] = _destination(details) or fields.get("destination")
        if details.email and not (request.buyer or previous and previous.buyer.email):
            fields["buyer"] = Buyer(email=details.email)
    if request.buyer is not None:
        fields["buyer"] = _buyer(request.buyer)
    selected = getattr(request, "selected_fulfillment_options", None)
    if selected:
        fields["shipping_option_id"] = next((option.option_id for option in selected if option.type == "shipping"),
                                            fields.get("shipping_option_id"))
    discounts = getattr(request, "discounts", None)
    coupons = getattr(request, "coupons", None)
    if discounts is not None or coupons is not None:
        fields["discount_codes"] = discounts.codes if discounts is not None else coupons
    try:
        return CheckoutInput.model_validate(fields)
    except ValidationError as error:  # a value the core refuses is the request's, named by the request's path
        raise AcpError.of_validation(error, REQUEST_NAMES) from None


def payment_handlers(settings: Settings) -> list[acp.PaymentHandler]:
    return [acp.PaymentHandler(id=handler_id, name=MOCK_HANDLER_NAMESPACE, display_name="Test card",
                               version=acp.VERSION, requires_delegate_payment=False, requires_pci_compliance=False,
                               psp="shopassist_mock") for handler_id in usable_handlers(settings)]


def _totals(pairs: list[tuple[acp.TotalType, int]], language: str) -> list[acp.Total]:
    labels = LABELS[language]
    return [acp.Total(type=kind, display_text=labels[kind], amount=amount) for kind, amount in pairs]


def _message(problem: Problem, buyer_link: str) -> acp.MessageError | acp.MessageWarning:
    """`buyer_link`: where the buyer pays a session held for them (ACP has no continue_url field)."""
    param = PARAMS.get(problem.path or "", problem.path)
    if not problem.blocking and problem.code.startswith("discount_code_"):
        return acp.MessageWarning(code="discount_code_invalid", param=param, content=problem.content)
    code = problem.code if problem.code in ERROR_CODES else "invalid"
    if problem.escalate:
        return acp.MessageError(code=code, param=param, content=f"{problem.content}: {buyer_link}",  # type: ignore[arg-type]
                                resolution="requires_buyer_input")
    resolution = "requires_buyer_input" if code == "missing" else "recoverable"
    return acp.MessageError(code=code, param=param, content=problem.content, resolution=resolution)  # type: ignore[arg-type]


def _fulfillment_details(destination: Destination | None, email: str) -> acp.FulfillmentDetailsOut | None:
    if destination is None:
        return None
    name = f"{destination.first_name} {destination.last_name}".strip()
    address = acp.AddressOut(name=name, line_one=destination.street_address,
                             line_two=destination.extended_address or None, city=destination.city,
                             state=destination.region, country=destination.country,
                             postal_code=destination.postal_code)
    return acp.FulfillmentDetailsOut(name=name or None, email=email or None, address=address)


def _rejected(checkout: Checkout) -> list[acp.RejectedDiscount]:
    """The codes the core refused: each has a problem that names it."""
    refused = [problem for problem in checkout.problems if problem.code == "discount_code_invalid"]
    codes = dict.fromkeys(code.strip().upper() for code in checkout.request.discount_codes)
    return [acp.RejectedDiscount(code=code, reason="discount_code_invalid", message=problem.content)
            for code in codes for problem in refused if repr(code) in problem.content]


def session_body(checkout: Checkout, settings: Settings, language: str = "en") -> dict[str, Any]:
    """The ACP CheckoutSession of a core checkout, validated against the models; `language` 'en' or 'zh' labels the
    totals."""
    base = settings.public_base_url.rstrip("/")
    amounts, chosen = checkout.totals, checkout.request.shipping_option_id
    line_ids = [line.id for line in checkout.lines]
    shipping_chosen = any(option.id == chosen for option in checkout.shipping_options)
    cart: list[tuple[acp.TotalType, int]] = [("items_base_amount", amounts.subtotal), ("subtotal", amounts.subtotal)]
    cart += [("discount", amounts.discount)] if amounts.discount else []
    cart += [("fulfillment", amounts.fulfillment)] if shipping_chosen else []
    buyer = checkout.request.buyer
    held = checkout.status == S.REQUIRES_ESCALATION
    buyer_link = session_url(settings, checkout.owner, checkout.id) if held else ""
    session = acp.CheckoutSession(
        id=checkout.id, capabilities=acp.Capabilities(payment=acp.Payment(handlers=payment_handlers(settings))),
        buyer=acp.BuyerOut(email=buyer.email, first_name=buyer.first_name or None,
                           last_name=buyer.last_name or None) if buyer.email else None,
        status=STATUS[checkout.status], currency=checkout.currency.lower(),
        line_items=[acp.LineItem(id=line.id, item=acp.Item(id=line.item_id, name=line.title,
                                                          unit_amount=line.unit_price),
                                 quantity=line.quantity, name=line.title, unit_amount=line.unit_price,
                                 product_id=line.product_id, variant_id=line.item_id,
                                 variant_options=[acp.VariantOption(name=name, value=value)
                                                  for name, value in line.options.items()],
                                 totals=_totals([("items_base_amount", line.subtotal), ("subtotal", line.subtotal),
                                                 ("total", line.subtotal)], language))
                    for line in checkout.lines],
        fulfillment_details=_fulfillment_details(checkout.request.destination, buyer.email),
        fulfillment_options=[acp.FulfillmentOptionShipping(id=option.id, title=option.title,
                                                           totals=_totals([("total", option.amount)], language))
                             for option in checkout.shipping_options],
        selected_fulfillment_options=[acp.SelectedOption(option_id=chosen, item_ids=line_ids)]
        if shipping_chosen and chosen else [],
        totals=_totals([*cart, ("total", amounts.total)], language),
        messages=[_message(problem, buyer_link) for problem in checkout.problems],
        links=[acp.Link(type="terms_of_use", url=f"{base}/terms"),
               acp.Link(type="privacy_policy", url=f"{base}/privacy")],
        discounts=acp.Discounts(
            codes=checkout.request.discount_codes,
            applied=[acp.AppliedDiscount(id=f"disc_{number + 1}", code=item.code,
                                         coupon=acp.Coupon(id=item.code, name=item.title), amount=item.amount)
                     for number, item in enumerate(checkout.discounts)],
            rejected=_rejected(checkout)),
    )
    if checkout.status == S.COMPLETED and checkout.order_id:
        public_id = public_order_id(checkout.order_id)
        session.order = acp.Order(id=public_id, checkout_session_id=checkout.id, order_number=public_id,
                                  permalink_url=f"{base}/orders/{public_id}", status="confirmed")
    return session.model_dump(mode="json", exclude_none=True)
