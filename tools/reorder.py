"""'Order the same as last time', 'reorder the coffee beans': the items of the signed-in shopper's own past order
(the same variants), proposed for their cart at today's prices; nothing changes until they confirm."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from commerce.models import Cart, CartLine, Order, OrderLine
from commerce.store import cart_from_row, order_from_row
from commerce.tables import CartRow, OrderRow, ProductRow, VariantRow
from tools.access import require_shopper
from tools.actions import ChangeFacts, Plan, WriteOperation
from tools.base import ToolContext, ToolFailure
from tools.cart import MAX_CART_LINES, cart_view


class ReorderInput(BaseModel):
    """Put the items of one of the signed-in shopper's past orders back in their cart at today's prices: the
    latest order, or the latest one with an item whose name has the words given. Nothing changes until the
    shopper confirms."""

    model_config = ConfigDict(extra="forbid")
    words: str = Field("", max_length=120, description="Words of the item's name, e.g. 'coffee beans'; empty means "
                       "every item of the latest order")
    order_id: str | None = Field(None, max_length=16, description="One of the shopper's orders, e.g. '#W1234567'")


def orders_newest_first(session: Session, shopper_id: str) -> list[Order]:
    rows = session.scalars(select(OrderRow).where(OrderRow.shopper_id == shopper_id, OrderRow.status != "cancelled")
                           .order_by(OrderRow.created_at.desc(), OrderRow.position.desc(), OrderRow.id.desc()))
    return [order_from_row(row) for row in rows]


def _matches(line: OrderLine, words: list[str]) -> bool:
    name = f"{line.name} {' '.join(line.options.values())}".lower()
    return all(word in name for word in words)


def chosen_lines(orders: list[Order], arguments: ReorderInput) -> tuple[Order, list[OrderLine]]:
    """The order and its lines the request means: by id, by the words of an item's name, or the latest order."""
    if arguments.order_id:
        orders = [order for order in orders if order.id == arguments.order_id]
    words = arguments.words.lower().split()
    for order in orders:
        lines = [line for line in order.lines if _matches(line, words)] if words else order.lines
        if lines:
            return order, lines
    raise ToolFailure("reorder_not_found", "None of the shopper's orders has such an item.")


def plan_reorder(session: Session, context: ToolContext, arguments: ReorderInput) -> Plan:
    shopper_id = require_shopper(context)
    order, lines = chosen_lines(orders_newest_first(session, shopper_id), arguments)
    wanted = Counter(line.item_id for line in lines)  # an order has one line per unit
    cart = cart_from_row(shopper_id, session.get(CartRow, shopper_id, with_for_update=True))
    quantities = {line.item_id: line for line in cart.lines}
    items: list[str] = []
    total = 0.0
    for item_id, quantity in wanted.items():
        variant = session.get(VariantRow, item_id)
        if variant is None or variant.stock < quantity:
            continue  # gone or short today: left out, and the summary lists only what is added
        title = session.get_one(ProductRow, variant.product_id).title
        options = f" ({', '.join(dict(variant.options).values())})" if variant.options else ""
        items.append(f"{quantity} × {title}{options}")
        total += variant.price * quantity
        before = quantities[item_id].quantity if item_id in quantities else 0
        quantities[item_id] = CartLine(product_id=variant.product_id, item_id=item_id,
                                       quantity=min(99, before + quantity))
    if not items:
        raise ToolFailure("reorder_unavailable", "None of those items is in stock today.")
    if len(quantities) > MAX_CART_LINES:
        raise ToolFailure("cart_full", f"the cart holds at most {MAX_CART_LINES} different items")
    new_cart = Cart(shopper_id=shopper_id, lines=list(quantities.values()))
    total = round(total, 2)
    summary = f"Add to your cart from order {order.id}, at today's prices: {', '.join(items)} ({total:.2f} in all)."
    return Plan(summary, [(cart, new_cart)], cart_view(session, context.settings, new_cart),
                facts=ChangeFacts(operation="reorder", order_id=order.id, items=items, amount=total))


REORDER = WriteOperation[Any](
    name="reorder",
    description="Propose putting the items of one of the signed-in shopper's past orders back in their cart at "
                "today's prices (the latest order, or the one with the item named); they confirm.",
    input_model=ReorderInput,
    plan=plan_reorder,
    asked_for=re.compile(r"order|\bbuy|again|usual|same|再|上次|回购|复购", re.IGNORECASE),
)
