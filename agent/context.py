"""Per-turn dependencies handed to the graph as its runtime context (model, tools, prompts, tool context)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from langchain_core.language_models import BaseChatModel

from agent.prompts import PromptSet
from tools.base import Tool, ToolContext


@dataclass(frozen=True)
class TurnContext:
    model: BaseChatModel
    tools: dict[str, Tool[Any, Any]]
    prompts: PromptSet
    plan_format: dict[str, Any]
    follow_up_format: dict[str, Any]
    tool_context: ToolContext
    max_steps: int
    llm_timeout_s: float
    plan_max_tokens: int = 320
    history_messages: int = 6
