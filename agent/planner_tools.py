"""What the LLM planner may be offered in one turn: only the tools that can apply to this shopper and message.

A message that addresses the assistant's rules gets discovery tools only (search, policies, product details), so an
injected instruction never reaches a write tool or an account look-up; an anonymous shopper who gives no email or zip
to verify with gets no account tools, so the planner cannot invent look-ups for them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from agent.guardrails import looks_like_injection
from agent.state import HistoryMessage, ToolCall
from tools.base import Tool
from tools.registry import ACCOUNT_TOOLS, IDENTITY_TOOL_NAMES

_VERIFYING = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+|\bzip\b|\bpostcode\b|邮编", re.I)
SUMMARY_CHARS = 500
SUMMARY_MESSAGES = 3
_SENTENCE = re.compile(r"(?<=[.!?。！？；;])\s*")


def planner_tools(tools: Iterable[Tool[Any, Any]], text: str, signed_in: bool) -> list[Tool[Any, Any]]:
    offered = list(tools)
    if looks_like_injection(text):
        return [tool for tool in offered if not tool.writes and tool.name not in ACCOUNT_TOOLS]
    if not signed_in:
        verifying = bool(_VERIFYING.search(text))
        return [tool for tool in offered if not tool.writes
                and (tool.name not in ACCOUNT_TOOLS or (verifying and tool.name in IDENTITY_TOOL_NAMES))]
    return offered


def shopper_words(text: str, history: list[HistoryMessage]) -> str:
    """The shopper's own latest messages, oldest first, without sentences that address the assistant's rules: what a
    human agent reads in a handoff, instead of whatever the planner wrote."""
    messages = [message.text for message in history if message.role == "user"][-(SUMMARY_MESSAGES - 1):] + [text]
    kept = [" ".join(part for part in _SENTENCE.split(message) if part and not looks_like_injection(part)).strip()
            for message in messages]
    return " / ".join(message for message in kept if message)[:SUMMARY_CHARS] or "The shopper asked for a person."


def with_shopper_summary(call: ToolCall, text: str, history: list[HistoryMessage]) -> ToolCall:
    return call.model_copy(update={"arguments": {**call.arguments, "summary": shopper_words(text, history)}})
