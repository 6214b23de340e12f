"""The shopping companion's routes: 'is this a good price?' / '这个价格划算吗' about a product shown or named;
for a signed-in shopper, 'buy it for me if it drops below $40' / '降到200元就帮我买' (a standing order, proposed),
their standing orders listed or cancelled, 'order the same as last time' / 'reorder the coffee beans', and
'order the coffee beans every month' / '咖啡豆每个月帮我买一次' (a recurring order) listed, skipped or cancelled.

The phrasings are data (prompts/router/companion.toml); `agent.router.route` asks here before its own product
branches. Every argument comes from the shopper's words or the products shown earlier.
"""

from __future__ import annotations

import re

from agent.phrasings import first_group, phrasing
from agent.router import ORDER_ID, Route, RouterInput, _named_variant, referenced
from agent.state import ToolCall
from vectorstore.query import parse_query

_PRICE_QUESTION = phrasing("price_question")
_PRICE_NAMED = phrasing("price_named")
_STANDING = phrasing("standing_order")
_STANDING_LIST = phrasing("standing_order_list")
_STANDING_CANCEL = phrasing("standing_order_cancel")
_STANDING_TARGET = phrasing("standing_order_target")
_STANDING_PRICE = phrasing("standing_order_price")
_YUAN = ("元", "块", "¥", "￥", "人民币", "rmb")
_DOLLAR = ("美元", "美金", "$", "usd")
_EVERYTHING = phrasing("standing_order_everything")
_RECURRING = phrasing("recurring")
_RECURRING_ITEM = phrasing("recurring_item")
_RECURRING_LIST = phrasing("recurring_list")
_RECURRING_SKIP = phrasing("recurring_skip")
_RECURRING_CANCEL = phrasing("recurring_cancel")
_RECURRING_TARGET = phrasing("recurring_target")
# How often, from the shopper's words; the first that fits wins ('every two weeks' before 'every week').
_EVERY = (("two_weeks", re.compile(r"two weeks|2 weeks|other week|fortnight|biweekly|两周|两个星期|隔周")),
          ("week", re.compile(r"\bweek|weekly|每周|每星期|每个星期|每个礼拜", re.IGNORECASE)),
          ("month", re.compile(r"month|每月|每个月", re.IGNORECASE)))
_PAST_ORDER = phrasing("past_order_pointer")
_REORDER = phrasing("reorder")
_REORDER_ITEM = phrasing("reorder_item")
# Words that point at what was shown rather than name a product ('is this a good price', '这个价格划算吗').
_POINTERS = frozenset("this that it it's they these those one the first second third last price "
                      "这 这个 这款 这件 那个 那款 它 第一个 第二个 第三个 最后一个 现在".split())


def _named(text: str) -> str:
    match = _PRICE_NAMED.search(text)
    words = first_group(match).strip() if match else ""
    meaningful = [word for word in words.split() if word.lower() not in _POINTERS]
    return "" if not meaningful or words in _POINTERS or words.startswith(("$", "¥")) else words


def _price_route(request: RouterInput) -> Route | None:
    text = request.text
    if not _PRICE_QUESTION.search(text):
        return None
    picked = referenced(text, request.shown)
    if len(picked) == 1:
        return Route(intent="price_question",
                            calls=[ToolCall(name="price_history", arguments={"product_id": picked[0].id})])
    if named := _named(text):
        return Route(intent="price_question",
                            calls=[ToolCall(name="price_history", arguments={"words": named[:120]})])
    if len(request.shown) == 1:
        return Route(intent="price_question",
                            calls=[ToolCall(name="price_history", arguments={"product_id": request.shown[0].id})])
    return Route(intent="price_question", reply="which_product")


def _reorder_route(request: RouterInput) -> Route | None:
    text = request.text
    if not _REORDER.search(text):
        return None
    if not request.signed_in:
        return Route(intent="reorder", reply="not_signed_in")
    order = ORDER_ID.search(text)
    if order:  # 'reorder #W1234567': every item of that order
        return Route(intent="reorder", calls=[ToolCall(name="reorder", arguments={
            "order_id": f"#{first_group(order).upper()}"})])
    item = _REORDER_ITEM.search(text)
    arguments = {"words": first_group(item).strip()[:120]} if item else {}
    return Route(intent="reorder", calls=[ToolCall(name="reorder", arguments=arguments)])


def _standing_route(request: RouterInput) -> Route | None:
    text = request.text
    cancel, listing = _STANDING_CANCEL.search(text), _STANDING_LIST.search(text)
    if not (cancel or listing or _STANDING.search(text)):
        return None
    if not request.signed_in:
        return Route(intent="standing_order", reply="not_signed_in")
    if cancel:
        target = _STANDING_TARGET.search(text)
        which: dict[str, object] = ({"everything": True} if _EVERYTHING.search(text) else
                                    {"words": first_group(target).strip()} if target else {})
        return Route(intent="standing_order", calls=[ToolCall(name="cancel_standing_orders", arguments=which)])
    if listing:
        return Route(intent="standing_order", calls=[ToolCall(name="list_standing_orders")])
    picked = referenced(text, request.shown) or (request.shown if len(request.shown) == 1 else [])
    price = _STANDING_PRICE.search(text)
    if len(picked) != 1 or price is None:
        return Route(intent="standing_order", reply="which_product")
    arguments: dict[str, object] = {"product_id": picked[0].id, "price_below": float(first_group(price))}
    dollars = any(sign in text.lower() for sign in _DOLLAR)
    currency = "USD" if dollars else parse_query(text).currency or (
        "CNY" if any(sign in text.lower() for sign in _YUAN) else None)
    if currency:
        arguments["currency"] = currency
    if variant := _named_variant(text, {**picked[0].variants, **picked[0].sold_out}):
        arguments["variant_id"] = variant
    elif len(picked[0].variants) + len(picked[0].sold_out) == 1:
        arguments["variant_id"] = next(iter({**picked[0].variants, **picked[0].sold_out}))
    return Route(intent="standing_order", calls=[ToolCall(name="standing_order", arguments=arguments)])


def _recurring_route(request: RouterInput) -> Route | None:
    text = request.text
    skip, cancel, listing = (_RECURRING_SKIP.search(text), _RECURRING_CANCEL.search(text),
                             _RECURRING_LIST.search(text))
    if not (skip or cancel or listing or _RECURRING.search(text)):
        return None
    if not request.signed_in:
        return Route(intent="recurring_order", reply="not_signed_in")
    if skip or cancel:
        target = _RECURRING_TARGET.search(text)
        words = {"words": first_group(target).strip()[:120]} if target else {}
        name = "skip_recurring_order" if skip else "cancel_recurring_orders"
        return Route(intent="recurring_order", calls=[ToolCall(name=name, arguments=words)])
    if listing:
        return Route(intent="recurring_order", calls=[ToolCall(name="list_recurring_orders")])
    every = next((name for name, pattern in _EVERY if pattern.search(text)), "month")
    arguments: dict[str, object] = {"every": every}
    order = ORDER_ID.search(text)
    item = _RECURRING_ITEM.search(text)
    if order:
        arguments["order_id"] = f"#{first_group(order).upper()}"
    elif item and not _PAST_ORDER.search(first_group(item)):
        arguments["words"] = first_group(item).strip()[:120]
    return Route(intent="recurring_order", calls=[ToolCall(name="recurring_order", arguments=arguments)])


def companion_route(request: RouterInput) -> Route | None:
    """A route for the companion's acts, or None when the message asks none of them."""
    return (_price_route(request) or _standing_route(request) or _recurring_route(request)
            or _reorder_route(request))
