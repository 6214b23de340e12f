"""Recurring orders for the signed-in shopper: 'order the coffee beans every month' proposes one from their own
past order (same variants; each period priced that day), and they list, skip the next one, or cancel — every
write confirmed first."""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from commerce.checkout_models import Destination
from commerce.payments import MockTokenHandler
from commerce.pricing import shipping_options
from commerce.recurring_orders import (
    RecurringOrder,
    active_recurring_orders,
    cancel_recurring_orders,
    create_recurring_order,
    skip_next,
)
from commerce.store import get_shopper
from commerce.tables import VariantRow
from tools.access import require_shopper
from tools.actions import ChangeFacts, Plan, WriteOperation
from tools.base import Tool, ToolContext, ToolFailure
from tools.reorder import ReorderInput, chosen_lines, orders_newest_first

Every = Literal["week", "two_weeks", "month"]
DAYS: dict[str, int] = {"week": 7, "two_weeks": 14, "month": 30}


class RecurringOrderInput(BaseModel):
    """Propose ordering items of one of the signed-in shopper's past orders again every week, two weeks or month
    (the latest order, or the latest with an item whose name has the words given), each time at that day's prices
    with their saved address and payment. Nothing is saved until the shopper confirms."""

    model_config = ConfigDict(extra="forbid")
    every: Every = Field(description="'week', 'two_weeks' or 'month'")
    words: str = Field("", max_length=120, description="Words of the item's name, e.g. 'coffee beans'")
    order_id: str | None = Field(None, max_length=16, description="One of the shopper's orders, e.g. '#W1234567'")


class RecurringOrderView(BaseModel):
    title: str = Field(description="e.g. '2 × Coffee Beans (1kg)'")
    every_days: int
    next_at: datetime
    last_reason: str = Field("", description="Why the last period was not made, e.g. 'payment_failed'; '' if it was")


class RecurringOrderList(BaseModel):
    recurring_orders: list[RecurringOrderView] = Field(default_factory=list, description="Oldest first")


class ListRecurringOrdersInput(BaseModel):
    """The signed-in shopper's recurring orders."""

    model_config = ConfigDict(extra="forbid")


class ChangeRecurringOrdersInput(BaseModel):
    """Propose skipping the next delivery of, or cancelling, the signed-in shopper's recurring orders whose items
    have the words given (all of them when there are no words and only one order). Nothing changes until the
    shopper confirms."""

    model_config = ConfigDict(extra="forbid")
    words: str = Field("", max_length=120, description="Words of the item's name, e.g. 'coffee beans'")


def _view(order: RecurringOrder) -> RecurringOrderView:
    return RecurringOrderView(title=order.title, every_days=order.every_days, next_at=order.next_at,
                              last_reason=order.last_reason)


def plan_recurring_order(session: Session, context: ToolContext, arguments: RecurringOrderInput) -> Plan:
    shopper_id = require_shopper(context)
    if not context.settings.mock_payments:
        raise ToolFailure("standing_order_payment", "This shop takes no saved payment for automatic orders.")
    shopper = get_shopper(session, shopper_id)
    if shopper is None or shopper.address is None:
        raise ToolFailure("standing_order_address", "There is no saved address to ship an automatic order to.")
    order, lines = chosen_lines(orders_newest_first(session, shopper_id),
                                ReorderInput(words=arguments.words, order_id=arguments.order_id))
    wanted = list(Counter(line.item_id for line in lines).items())
    names = {line.item_id: line.name for line in lines}
    if any(session.get(VariantRow, item_id) is None for item_id, _ in wanted):
        raise ToolFailure("reorder_unavailable", "Those items are no longer sold.")
    address = Destination(street_address=shopper.address.address1, extended_address=shopper.address.address2,
                          city=shopper.address.city, region=shopper.address.state, country=shopper.address.country,
                          postal_code=shopper.address.zip)
    if not shipping_options(session, address):
        raise ToolFailure("standing_order_shipping", "The shop has no shipping rate for the saved address.")
    title = ", ".join(f"{quantity} × {names[item_id]}" for item_id, quantity in wanted)
    days = DAYS[arguments.every]
    first = context.now() + timedelta(days=days)
    summary = (f"Order {title} every {days} days from order {order.id}, first on {first.date().isoformat()}, each "
               f"time at that day's prices, shipped to {address.street_address}, {address.city} and paid with your "
               f"saved payment.")

    def write(confirming: Session) -> tuple[str, dict[str, Any]]:
        made = create_recurring_order(confirming, shopper_id, wanted, title, days, first, address.model_dump(),
                                      MockTokenHandler.id, sorted(MockTokenHandler.approved_tokens)[0])
        return f"recurring_order:{made.id}", {"every_days": days, "lines": wanted}

    return Plan(summary=summary, write=write,
                result=RecurringOrderView(title=title, every_days=days, next_at=first),
                facts=ChangeFacts(operation="recurring_order", order_id=order.id, items=[title], quantity=days,
                                  address=first.date().isoformat()))


def list_recurring_orders(context: ToolContext, arguments: ListRecurringOrdersInput) -> RecurringOrderList:
    shopper_id = require_shopper(context)
    with context.db.session() as session:
        return RecurringOrderList(recurring_orders=[_view(o) for o in active_recurring_orders(session, shopper_id)])


def _chosen(session: Session, shopper_id: str, words: str) -> list[RecurringOrder]:
    listed = active_recurring_orders(session, shopper_id)
    terms = words.lower().split()
    chosen = [o for o in listed if all(term in o.title.lower() for term in terms)] if terms else (
        listed if len(listed) == 1 else [])
    if not chosen:
        raise ToolFailure("recurring_order_not_found", "No recurring order of this shopper matches.")
    return chosen


def _plan_change(session: Session, context: ToolContext, arguments: ChangeRecurringOrdersInput,
                 operation: Literal["skip", "cancel"]) -> Plan:
    shopper_id = require_shopper(context)
    chosen = _chosen(session, shopper_id, arguments.words)
    ids, titles = [o.id for o in chosen], [o.title for o in chosen]
    change = skip_next if operation == "skip" else cancel_recurring_orders

    def write(confirming: Session) -> tuple[str, dict[str, Any]]:
        return f"recurring_order:{shopper_id}", {operation: change(confirming, shopper_id, ids)}

    summary = (f"Skip the next delivery of {', '.join(titles)}." if operation == "skip" else
               f"Cancel your recurring order of {', '.join(titles)}.")
    return Plan(summary=summary, write=write, result=RecurringOrderList(recurring_orders=[_view(o) for o in chosen]),
                facts=ChangeFacts(operation=f"{operation}_recurring_orders", items=titles))


def plan_skip(session: Session, context: ToolContext, arguments: ChangeRecurringOrdersInput) -> Plan:
    return _plan_change(session, context, arguments, "skip")


def plan_cancel(session: Session, context: ToolContext, arguments: ChangeRecurringOrdersInput) -> Plan:
    return _plan_change(session, context, arguments, "cancel")


# Offered to the LLM planner only for a message about repeating orders.
ASKED_FOR = re.compile(r"every|weekly|monthly|recurring|subscri|skip|每|定期|跳过|周期", re.IGNORECASE)
RECURRING_ORDER_OPERATIONS = [
    WriteOperation("recurring_order", "Propose ordering items of the signed-in shopper's past order again every "
                   "week, two weeks or month; they confirm.", RecurringOrderInput, plan_recurring_order, ASKED_FOR),
    WriteOperation("skip_recurring_order", "Propose skipping the next delivery of a recurring order; they confirm.",
                   ChangeRecurringOrdersInput, plan_skip, ASKED_FOR),
    WriteOperation("cancel_recurring_orders", "Propose cancelling recurring orders; they confirm.",
                   ChangeRecurringOrdersInput, plan_cancel, ASKED_FOR),
]
LIST_RECURRING_ORDERS = Tool("list_recurring_orders", "List the signed-in shopper's recurring orders.",
                             ListRecurringOrdersInput, list_recurring_orders, asked_for=ASKED_FOR)
