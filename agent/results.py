"""Tool outputs → compact fenced DATA for the prompt, and → structured events (cards, citations, actions)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from agent.events import ActionRequiredEvent, Citation, HandoffEvent, IdentityEvent, ProductCard
from agent.guardrails import fence
from agent.state import ToolOutcome

MAX_LIST_ITEMS = 5
MAX_TEXT_CHARS = 220
# Fields the model never needs to read; they only cost prompt tokens.
_HIDDEN_KEYS = {"image", "image_url", "url", "embedding", "vector", "variants", "score_details"}
_HANDOFF_TOOLS = ("transfer_to_human", "handoff")


def compact(value: Any) -> Any:
    """Shorten long texts and lists and drop empty or display-only fields, recursively."""
    if isinstance(value, dict):
        return {key: compact(item) for key, item in value.items()
                if key not in _HIDDEN_KEYS and item not in (None, "", [], {})}
    if isinstance(value, list):
        kept = [compact(item) for item in value[:MAX_LIST_ITEMS]]
        return kept + ([f"... {len(value) - MAX_LIST_ITEMS} more"] if len(value) > MAX_LIST_ITEMS else [])
    if isinstance(value, str) and len(value) > MAX_TEXT_CHARS:
        return value[:MAX_TEXT_CHARS] + "…"
    if isinstance(value, float):
        return round(value, 2)
    return value


def data_block(outcomes: list[ToolOutcome]) -> str:
    """Tool results as data: one fenced JSON line per call; fence tags inside the text are neutralized."""
    lines = []
    for outcome in outcomes:
        payload = compact(outcome.data) if outcome.ok else {"error": outcome.data, "code": outcome.error_code}
        arguments = json.dumps(outcome.arguments, ensure_ascii=False, separators=(",", ":"))
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
        lines.append(f"{outcome.name}({arguments}) -> {fence(body)}")
    return "<data>\n" + "\n".join(lines) + "\n</data>"


def _walk(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from _walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item)


def _product_fields(node: dict[str, Any]) -> tuple[str, str, float] | None:
    """(id, title, price) when the node is a product: search hits, recommendations, product details."""
    product_id, title = node.get("id") or node.get("product_id"), node.get("title") or node.get("name")
    if not isinstance(product_id, str) or not isinstance(title, str) or "item_id" in node:
        return None  # order and cart lines carry item ids: they are not product listings
    price = node.get("price")
    if not isinstance(price, int | float):
        prices = [v["price"] for v in node.get("variants") or [] if isinstance(v, dict) and "price" in v]
        if not prices:
            return None
        price = min(prices)
    return product_id, title, float(price)


def product_cards(outcome: ToolOutcome) -> list[ProductCard]:
    cards: dict[str, ProductCard] = {}
    for node in _walk(outcome.data) if outcome.ok else ():
        fields = _product_fields(node)
        if fields is None or fields[0] in cards:
            continue
        product_id, title, price = fields
        cards[product_id] = ProductCard(
            id=product_id, title=title, price=price, currency=str(node.get("currency") or "USD"),
            image=str(node.get("image") or node.get("image_url") or ""), url=str(node.get("url") or ""),
            in_stock=bool(node.get("in_stock", node.get("available", True))),
            reason=str(node.get("reason") or node.get("explanation") or ""),
        )
    return list(cards.values())


def citations(outcome: ToolOutcome) -> list[Citation]:
    found: dict[str, Citation] = {}
    for node in _walk(outcome.data) if outcome.ok else ():
        if all(isinstance(node.get(key), str) for key in ("id", "title", "section", "source")):
            found.setdefault(node["id"], Citation(id=node["id"], title=node["title"], section=node["section"],
                                                  source=node["source"]))
    return list(found.values())


def proposed_actions(outcome: ToolOutcome) -> list[ActionRequiredEvent]:
    actions = []
    for node in _walk(outcome.data) if outcome.ok else ():
        if isinstance(node.get("action_id"), str) and isinstance(node.get("summary"), str):
            actions.append(ActionRequiredEvent(action_id=node["action_id"], tool=str(node.get("tool") or outcome.name),
                                               summary=node["summary"], expires_at=str(node.get("expires_at", ""))))
    return actions


def is_handoff_tool(name: str) -> bool:
    return any(marker in name for marker in _HANDOFF_TOOLS)


def handoff(outcome: ToolOutcome) -> HandoffEvent | None:
    if not outcome.ok or not is_handoff_tool(outcome.name):
        return None
    reason = outcome.arguments.get("summary") or outcome.arguments.get("reason") or "shopper asked for a person"
    return HandoffEvent(reason=str(reason))


def identity(outcome: ToolOutcome) -> IdentityEvent | None:
    return IdentityEvent(shopper_id=outcome.verified_shopper) if outcome.verified_shopper else None


def result_ids(outcome: ToolOutcome) -> list[str]:
    """Ids of what the call returned (products, passages, orders, actions), for the tool_call event and logs."""
    ids: list[str] = []
    if outcome.ok:
        for node in _walk(outcome.data):
            for key in ("id", "product_id", "action_id", "order_id"):
                if isinstance(node.get(key), str) and node[key] not in ids:
                    ids.append(node[key])
    return ids
