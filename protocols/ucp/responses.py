"""Checkout sessions and orders as UCP response bodies, checked against the ucp-sdk models before they leave."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import ConfigDict
from ucp_sdk.models.schemas.shopping import discount, fulfillment
from ucp_sdk.models.schemas.shopping.order import Order as UcpOrder

from commerce.buyer_links import session_url
from commerce.checkout_models import Checkout, CheckoutStatus, Destination, PricedLine, Problem
from commerce.models import Order, OrderStatus
from protocols.ucp.profile import ORDER, checkout_metadata, response_metadata
from shopassist.settings import Settings

SHIPPING_METHOD, DESTINATION, GROUP = "shipping_1", "dest_1", "group_1"


class UcpCheckout(fulfillment.Checkout, discount.Checkout):
    """A checkout with the fulfillment and discount extensions this business declares."""

    model_config = ConfigDict(extra="allow")


def public_order_id(order_id: str) -> str:
    """Order ids start with '#' in the shop ('#W1234567'); in a URL path that would start a fragment."""
    return order_id.removeprefix("#")


def shop_order_id(public_id: str) -> str:
    return f"#{public_id}"


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


def _fulfillment(checkout: Checkout) -> dict[str, Any]:
    line_ids = [line.id for line in checkout.lines]
    method: dict[str, Any] = {"id": SHIPPING_METHOD, "type": "shipping", "line_item_ids": line_ids}
    destination = checkout.request.destination
    if destination is not None:
        method |= {"destinations": [{"id": DESTINATION, **_address(destination)}],
                   "selected_destination_id": DESTINATION}
    if checkout.shipping_options:
        options = [{"id": option.id, "title": option.title, "totals": [{"type": "total", "amount": option.amount}]}
                   for option in checkout.shipping_options]
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
        **({"buyer": buyer} if buyer else {}),
    }
    if checkout.status == CheckoutStatus.REQUIRES_ESCALATION:
        body["continue_url"] = session_url(settings, checkout.owner, checkout.id)
    if checkout.status == CheckoutStatus.COMPLETED and checkout.order_id:
        public_id = public_order_id(checkout.order_id)
        body["order"] = {"id": public_id, "permalink_url": f"{base}/orders/{public_id}"}
    return UcpCheckout.model_validate(body).model_dump(mode="json", by_alias=True, exclude_none=True)


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
    destination = checkout.request.destination
    expectation = {"id": "exp_1", "method_type": "shipping",
                   "line_items": [{"id": line.id, "quantity": line.quantity} for line in checkout.lines],
                   "destination": _address(destination) if destination else {}}
    events = [{"id": f"evt_{number + 1}", "type": "shipped", "occurred_at": at.isoformat(),
               "tracking_number": fulfilment.tracking_id[0] if fulfilment.tracking_id else None,
               "line_items": [{"id": line.id, "quantity": line.quantity} for line in checkout.lines
                              if line.item_id in fulfilment.item_ids]}
              for number, (fulfilment, at) in enumerate(zip(order.fulfilments, shipped_at, strict=True))]
    body = {"ucp": response_metadata((ORDER,)), "id": public_id, "checkout_id": checkout.id,
            "permalink_url": f"{settings.public_base_url.rstrip('/')}/orders/{public_id}", "line_items": lines,
            "fulfillment": {"expectations": [expectation], "events": events}, "currency": checkout.currency,
            "totals": _totals(checkout)}
    if canceled and canceled_at is not None:
        body["adjustments"] = [_cancellation(checkout, canceled_at)]
    return UcpOrder.model_validate(body).model_dump(mode="json", by_alias=True, exclude_none=True)
