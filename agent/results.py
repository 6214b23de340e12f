"""Tool outputs → compact fenced DATA for the prompt, and → the events their output types declare (cards,
citations, proposed actions, handoff, verified identity)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from agent.events import ActionRequiredEvent, Citation, HandoffEvent, IdentityEvent, ProductCard
from agent.guardrails import fence
from agent.state import ToolOutcome
from tools.actions import ProposedAction
from tools.display import ShowsCitations, ShowsProducts
from tools.handoff import HANDOFF_TOOL, Handoff

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


def product_cards(outcome: ToolOutcome) -> list[ProductCard]:
    return outcome.output.product_cards() if outcome.ok and isinstance(outcome.output, ShowsProducts) else []


def citations(outcome: ToolOutcome) -> list[Citation]:
    return outcome.output.citations() if outcome.ok and isinstance(outcome.output, ShowsCitations) else []


def proposed_actions(outcome: ToolOutcome) -> list[ActionRequiredEvent]:
    action = outcome.output
    if not outcome.ok or not isinstance(action, ProposedAction):
        return []
    return [ActionRequiredEvent(action_id=action.action_id, tool=action.action, summary=action.summary,
                                expires_at=action.expires_at.isoformat())]


def is_handoff_tool(name: str) -> bool:
    return name == HANDOFF_TOOL


def handoff(outcome: ToolOutcome) -> HandoffEvent | None:
    if not outcome.ok or not isinstance(outcome.output, Handoff):
        return None
    return HandoffEvent(reason=outcome.output.summary)


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
