"""The one explicit list of tools the agent and the MCP server expose."""

from __future__ import annotations

from typing import Any

from tools.actions import WriteOperation, write_tool
from tools.base import Tool, ToolFailure
from tools.calculate import CALCULATE_TOOLS
from tools.cart import CART_OPERATIONS, CART_READ_TOOLS
from tools.faq import SEARCH_FAQ
from tools.handoff import HANDOFF_TOOLS
from tools.identity import IDENTITY_TOOLS
from tools.order_actions import ORDER_OPERATIONS
from tools.orders import ORDER_READ_TOOLS
from tools.preferences import PREFERENCE_TOOLS
from tools.price_history import PRICE_HISTORY
from tools.privacy import FORGET_ME
from tools.product_details import PRODUCT_DETAIL_TOOLS
from tools.recommend import RECOMMEND_PRODUCTS
from tools.recurring_orders import LIST_RECURRING_ORDERS, RECURRING_ORDER_OPERATIONS
from tools.reorder import REORDER
from tools.reviews import REVIEW_INSIGHTS
from tools.search import SEARCH_PRODUCTS
from tools.shown import SHOWN_PRODUCT_TOOLS
from tools.standing_orders import LIST_STANDING_ORDERS, STANDING_ORDER_OPERATIONS
from tools.watches import LIST_WATCHES, WATCH_OPERATIONS

# Writes: the agent's tool only proposes; tools.confirm runs the operation once the shopper confirms.
WRITE_OPERATIONS: list[WriteOperation[Any]] = [*ORDER_OPERATIONS, *CART_OPERATIONS, *WATCH_OPERATIONS, REORDER,
                                               *STANDING_ORDER_OPERATIONS, *RECURRING_ORDER_OPERATIONS, FORGET_ME]

ALL_TOOLS: list[Tool[Any, Any]] = [
    SEARCH_PRODUCTS,
    SEARCH_FAQ,
    REVIEW_INSIGHTS,
    RECOMMEND_PRODUCTS,
    *IDENTITY_TOOLS,
    *ORDER_READ_TOOLS,
    *PRODUCT_DETAIL_TOOLS,
    *SHOWN_PRODUCT_TOOLS,
    *CART_READ_TOOLS,
    LIST_WATCHES,
    LIST_STANDING_ORDERS,
    LIST_RECURRING_ORDERS,
    PRICE_HISTORY,
    *PREFERENCE_TOOLS,
    *CALCULATE_TOOLS,
    *HANDOFF_TOOLS,
    *(write_tool(operation) for operation in WRITE_OPERATIONS),
]


# Tools that read a shopper's account: offered to the planner only for a signed-in shopper or one verifying in chat.
ACCOUNT_TOOLS = frozenset(tool.name for tool in [*IDENTITY_TOOLS, *ORDER_READ_TOOLS, *CART_READ_TOOLS,
                                                LIST_WATCHES, LIST_STANDING_ORDERS,
                                                LIST_RECURRING_ORDERS, *PREFERENCE_TOOLS])
IDENTITY_TOOL_NAMES = frozenset(tool.name for tool in IDENTITY_TOOLS)


def tool_by_name(name: str) -> Tool[Any, Any] | None:
    return next((tool for tool in ALL_TOOLS if tool.name == name), None)


def write_operation(name: str) -> WriteOperation[Any]:
    operation = next((operation for operation in WRITE_OPERATIONS if operation.name == name), None)
    if operation is None:
        raise ToolFailure("unknown_action", f"unknown action {name!r}")
    return operation
