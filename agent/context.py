"""Per-turn dependencies handed to the graph as its runtime context (model, tools, prompts, tool context)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from langchain_core.language_models import BaseChatModel

from agent.prompts import PromptSet
from agent.router import IntentGuesser
from agent.state import Language
from agent.templates import Templates
from tools.base import Tool, ToolContext

Planner = Literal["auto", "llm", "router"]
AnswerMode = Literal["facts", "advice", "model"]


@dataclass(frozen=True)
class TurnContext:
    model: BaseChatModel
    tools: dict[str, Tool[Any, Any]]
    prompts: PromptSet
    tool_context: ToolContext
    max_steps: int
    llm_timeout_s: float
    templates: dict[Language, Templates]
    planner: Planner = "auto"
    answer_mode: AnswerMode = "facts"
    advice_sentences: int = 2
    classifier: IntentGuesser | None = None
    plan_max_tokens: int = 320
    plan_budget_s: float = 120.0
    history_messages: int = 6
