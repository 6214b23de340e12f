"""The progress line shown as soon as a step's tool calls are known ('Searching “hiking boots” under $120…')."""

from __future__ import annotations

from typing import Any

from agent.render import echoable
from agent.state import ToolCall
from agent.templates import Templates, money
from tools.base import Tool


def _search_detail(templates: Templates, arguments: dict[str, Any]) -> str:
    words = echoable(str(arguments.get("query", "")).strip())
    detail = f"“{words}”" if words else ""
    if isinstance(arguments.get("max_price"), int | float):
        # In the currency the shopper named ('500元以内' is ¥500.00, not $500.00); the search converts it.
        currency = arguments.get("currency") if isinstance(arguments.get("currency"), str) else "USD"
        bound = templates.say("products", "constraint_max", price=money(float(arguments["max_price"]), currency))
        detail = f"{detail} {bound}".strip()
    return detail


def status_text(templates: Templates, calls: list[ToolCall], tools: dict[str, Tool[Any, Any]]) -> str:
    call = calls[0]
    tool = tools.get(call.name)
    if tool is not None and tool.writes:
        return templates.say("status", "write")
    if call.name == "search_products":
        return templates.say("status", "search_products", detail=_search_detail(templates, call.arguments))
    if call.name == "get_order_details":
        return templates.say("status", "get_order_details", detail=str(call.arguments.get("order_id", "")))
    if call.name in templates.sections["status"]:
        return templates.say("status", call.name)
    return templates.say("status", "lookup")
