"""The shopping companion's routes: 'is this a good price?' / '这个价格划算吗' about a product shown or named, and
'order the same as last time' / 'reorder the coffee beans' / '把咖啡豆再来一份' for a signed-in shopper.

The phrasings are data (prompts/router/companion.toml); `agent.router.route` asks here before its own product
branches. Every argument comes from the shopper's words or the products shown earlier.
"""

from __future__ import annotations

from agent.phrasings import first_group, phrasing
from agent.router import ORDER_ID, Route, RouterInput, referenced
from agent.state import ToolCall

_PRICE_QUESTION = phrasing("price_question")
_PRICE_NAMED = phrasing("price_named")
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


def companion_route(request: RouterInput) -> Route | None:
    """A route for the companion's acts, or None when the message asks none of them."""
    return _price_route(request) or _reorder_route(request)
