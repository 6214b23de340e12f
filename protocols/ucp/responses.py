"""Checkout sessions and orders as UCP response bodies, checked against the ucp-sdk models before they leave."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import ConfigDict
from ucp_sdk.models.schemas.shopping import buyer_consent, discount, fulfillment
from ucp_sdk.models.schemas.shopping.order import Order as UcpOrder
from ucp_sdk.models.schemas.shopping.types.error_response import ErrorResponse

from commerce.buyer_links import session_url
from commerce.checkout_models import Checkout, CheckoutStatus, Destination, PricedLine, Problem, ShippingOption
from commerce.models import Order, OrderStatus
from protocols.common.orders import public_order_id
from protocols.ucp.profile import ORDER, VERSION, checkout_metadata, response_metadata
from shopassist.settings import Settings

SHIPPING_METHOD, DESTINATION, GROUP = "shipping_1", "dest_1", "group_1"


class UcpCheckout(fulfillment.Checkout, discount.Checkout, buyer_consent.Checkout):
    """A checkout with the fulfillment, discount and buyer consent extensions this business declares."""

    model_config = ConfigDict(extra="allow")


def line_body(line: PricedLine) -> dict[str, Any]:
    return {"id": line.id, "item": {"id": line.item_id, "title": line.title, "price": line.unit_price},
            "quantity": line.quantity, "totals": [{"type": "subtotal", "amount": line.subtotal},
                                                  {"type": "total", "amount": line.subtotal}]}


def message_body(problem: Problem) -> dict[str, Any]:
    where = {"path": problem.path} if problem.path else {}
    if problem.blocking:
        severity = f"requires_{problem.escalate}" if problem.escalate else "recoverable"
        return {"type": "error", "code": problem.code, "content": problem.content, "severity": severity, **where}
    return {"type": "warning", "code": problem.code, "content": problem.content, **where}


def _address(destination: Destination) -> dict[str, Any]:
    fields = {"street_address": destination.street_address, "extended_address": destination.extended_address,
              "address_locality": destination.city, "address_region": destination.region,
              "address_country": destination.country, "postal_code": destination.postal_code,
              "first_name": destination.first_name, "last_name": destination.last_name}
    return {name: value for name, value in fields.items() if value}


def _totals(checkout: Checkout) -> list[dict[str, Any]]:
    amounts = checkout.totals
    rows = [{"type": "subtotal", "display_text": "Subtotal", "amount": amounts.subtotal}]
    if amounts.discount:
        rows.append({"type": "discount", "display_text": "Discount", "amount": -amounts.discount})
    if any(option.id == checkout.request.shipping_option_id for option in checkout.shipping_options):
        rows.append({"type": "fulfillment", "display_text": "Shipping", "amount": amounts.fulfillment})
    return [*rows, {"type": "total", "display_text": "Total", "amount": amounts.total}]


def _destinations(checkout: Checkout) -> dict[str, Any]:
    """The known buyer's saved addresses, then the chosen one if it is not among them; ids as the agent sent
    them (an address sent without one is 'dest_1')."""
    destination = checkout.request.destination
    chosen = (destination.id or DESTINATION) if destination is not None and _address(destination) else None
    listed = [{"id": address.id, **_address(address)} for address in checkout.saved_destinations]
    if destination is not None and chosen is not None and all(entry["id"] != chosen for entry in listed):
        listed.append({"id": chosen, **_address(destination)})
    return ({"destinations": listed} if listed else {}) | ({"selected_destination_id": chosen} if chosen else {})


def _option(option: ShippingOption) -> dict[str, Any]:
    return {"id": option.id, "title": option.title, "totals": [{"type": "total", "amount": option.amount}],
            **({"description": option.promotion} if option.promotion else {})}


def _fulfillment(checkout: Checkout) -> dict[str, Any]:
    line_ids = [line.id for line in checkout.lines]
    method: dict[str, Any] = {"id": SHIPPING_METHOD, "type": "shipping", "line_item_ids": line_ids,
                              **_destinations(checkout)}
    if checkout.shipping_options:
        options = [_option(option) for option in checkout.shipping_options]
        chosen = checkout.request.shipping_option_id
        group = {"id": GROUP, "line_item_ids": line_ids, "options": options,
                 **({"selected_option_id": chosen} if any(o.id == chosen for o in checkout.shipping_options) else {})}
        method["groups"] = [group]
    return {"methods": [method]}


def checkout_body(checkout: Checkout, settings: Settings) -> dict[str, Any]:
    base = settings.public_base_url.rstrip("/")
    buyer = checkout.request.buyer.model_dump(exclude_defaults=True)
    body: dict[str, Any] = {
        "ucp": checkout_metadata(settings), "id": checkout.id, "status": checkout.status.value,
        "currency": checkout.currency, "line_items": [line_body(line) for line in checkout.lines],
        "totals": _totals(checkout), "messages": [message_body(problem) for problem in checkout.problems],
        "links": [{"type": "terms_of_service", "url": f"{base}/terms"},
                  {"type": "privacy_policy", "url": f"{base}/privacy"}],
        "fulfillment": _fulfillment(checkout),
        "discounts": {"codes": checkout.request.discount_codes,
                      "applied": [item.model_dump() for item in checkout.discounts]},
        # agents read payment.instruments back after every update: the ones they chose, never a credential
        "payment": {"instruments": [instrument.model_dump(exclude_defaults=True) | {"selected": instrument.selected}
                                    for instrument in checkout.request.instruments]},
        **({"buyer": buyer} if buyer else {}),
    }
    if checkout.status == CheckoutStatus.REQUIRES_ESCALATION:
        body["continue_url"] = session_url(settings, checkout.owner, checkout.id)
    if checkout.status == CheckoutStatus.COMPLETED and checkout.order_id:
        public_id = public_order_id(checkout.order_id)
        body["order"] = {"id": public_id, "permalink_url": f"{base}/orders/{public_id}"}
    return UcpCheckout.model_validate(body).model_dump(mode="json", by_alias=True, exclude_none=True)


def unavailable_body(problems: list[Problem], settings: Settings) -> dict[str, Any]:
    """No requested item exists or is in stock: no session is made; the messages say why (HTTP 200)."""
    messages = [message_body(problem) | {"severity": "unrecoverable"} for problem in problems]
    body = {"ucp": {"version": VERSION, "status": "error"}, "messages": messages,
            "continue_url": f"{settings.public_base_url.rstrip('/')}/"}
    return ErrorResponse.model_validate(body).model_dump(mode="json", exclude_none=True)


def _expectation(checkout: Checkout) -> dict[str, Any]:
    """The one shipment: its lines, where it goes, and how (the chosen rate, and the promotion that made it free)."""
    destination = checkout.request.destination
    chosen = next((option for option in checkout.shipping_options
                   if option.id == checkout.request.shipping_option_id), None)
    place = ", ".join(part for part in (destination.city, destination.country) if part) if destination else ""
    how = chosen.title if chosen is not None else "Shipping"
    description = " ".join(part for part in (how, f"to {place}" if place else "",
                                             f"({chosen.promotion})" if chosen and chosen.promotion else "") if part)
    return {"id": "exp_1", "method_type": "shipping", "description": description,
            "line_items": [{"id": line.id, "quantity": line.quantity} for line in checkout.lines],
            "destination": _address(destination) if destination else {}}


def _order_line(line: PricedLine, shipped: bool, canceled: bool) -> dict[str, Any]:
    total = 0 if canceled else line.quantity
    status = "removed" if canceled else "fulfilled" if shipped else "processing"
    return {**line_body(line), "quantity": {"original": line.quantity, "total": total,
                                            "fulfilled": total if shipped else 0}, "status": status}


def _cancellation(checkout: Checkout, at: datetime) -> dict[str, Any]:
    return {"id": "adj_cancel", "type": "cancellation", "occurred_at": at.isoformat(), "status": "completed",
            "line_items": [{"id": line.id, "quantity": -line.quantity} for line in checkout.lines],
            "totals": [{"type": "total", "amount": -checkout.totals.total}], "description": "Order canceled"}


def order_body(order: Order, checkout: Checkout, shipped_at: list[datetime], settings: Settings,
               canceled_at: datetime | None = None) -> dict[str, Any]:
    """`shipped_at[i]` is when `order.fulfilments[i]` shipped; a canceled order has `canceled_at`."""
    public_id = public_order_id(order.id)
    shipped = {item for fulfilment in order.fulfilments for item in fulfilment.item_ids}
    canceled = order.status == OrderStatus.CANCELLED and canceled_at is not None
    lines = [_order_line(line, line.item_id in shipped, canceled) for line in checkout.lines]
    events = [{"id": f"evt_{number + 1}", "type": "shipped", "occurred_at": at.isoformat(),
               "tracking_number": fulfilment.tracking_id[0] if fulfilment.tracking_id else None,
               "line_items": [{"id": line.id, "quantity": line.quantity} for line in checkout.lines
                              if line.item_id in fulfilment.item_ids]}
              for number, (fulfilment, at) in enumerate(zip(order.fulfilments, shipped_at, strict=True))]
    body = {"ucp": response_metadata((ORDER,)), "id": public_id, "checkout_id": checkout.id,
            "permalink_url": f"{settings.public_base_url.rstrip('/')}/orders/{public_id}", "line_items": lines,
            "fulfillment": {"expectations": [_expectation(checkout)], "events": events}, "currency": checkout.currency,
            "totals": _totals(checkout)}
    if canceled and canceled_at is not None:
        body["adjustments"] = [_cancellation(checkout, canceled_at)]
    return UcpOrder.model_validate(body).model_dump(mode="json", by_alias=True, exclude_none=True)
