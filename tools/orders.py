"""Read tools over the verified shopper's own account: profile, order list and order details."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import select

from commerce.models import Order
from commerce.store import order_from_row
from commerce.tables import OrderRow
from tools.access import load_shopper, order_ids_of, owned_order, same_shopper
from tools.base import Tool, ToolContext
from tools.views import OrderList, OrderSummary, OrderView, ShopperView

ORDER_ID = Field(
    description="The order id, such as '#W0000000'. Be careful there is a '#' symbol at the beginning of the order id.",
    min_length=1, max_length=64,
)


class UserDetailsRequest(BaseModel):
    user_id: str | None = Field(
        None, description="Optional; the verified shopper's id, e.g. 'sara_doe_496'. Other ids are refused."
    )


class OrderRequest(BaseModel):
    order_id: str = ORDER_ID


class ListOrdersRequest(BaseModel):
    status: str | None = Field(default=None, description="Only orders in this status, e.g. 'pending' or 'delivered'")


def get_user_details(context: ToolContext, request: UserDetailsRequest) -> ShopperView:
    shopper_id = same_shopper(context, request.user_id)
    with context.db.session() as session:
        return ShopperView.of(load_shopper(session, shopper_id), order_ids_of(session, shopper_id))


def get_order_details(context: ToolContext, request: OrderRequest) -> OrderView:
    shopper_id = same_shopper(context, None)
    with context.db.session() as session:
        return OrderView.of(owned_order(session, shopper_id, request.order_id))


def _total(order: Order) -> float:
    """What the shopper paid (shipping and discounts included, as a checkout charges them); the items' prices for an
    order with no payment recorded."""
    paid = [payment.amount for payment in order.payments if payment.transaction_type == "payment"]
    return round(sum(paid) if paid else sum(line.price for line in order.lines), 2)


def list_orders(context: ToolContext, request: ListOrdersRequest) -> OrderList:
    shopper_id = same_shopper(context, None)
    query = select(OrderRow).where(OrderRow.shopper_id == shopper_id).order_by(OrderRow.position, OrderRow.id)
    if request.status:
        query = query.where(OrderRow.status == request.status)
    with context.db.session() as session:
        orders = [order_from_row(row) for row in session.scalars(query)]
    return OrderList(orders=[
        OrderSummary(
            order_id=order.id, status=order.status, item_count=len(order.lines),
            total=_total(order),
        )
        for order in orders
    ])


ORDER_READ_TOOLS: list[Tool[Any, Any]] = [
    Tool(
        "get_user_details",
        "Get the verified shopper's profile: name, email, default address, payment methods and order ids.",
        UserDetailsRequest, get_user_details,
    ),
    Tool("list_orders", "List the verified shopper's orders with status, item count and total.", ListOrdersRequest,
         list_orders),
    Tool("get_order_details", "Get the status and details of one of the verified shopper's orders.", OrderRequest,
         get_order_details),
]
