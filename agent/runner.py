"""The agent's public API for serving and evals: `build_runner(settings, db).stream(TurnRequest)` → events."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, nullcontext
from pathlib import Path
from typing import Any, Protocol

from langchain_core.language_models import BaseChatModel

from agent.acts import INTENT_ACTS
from agent.context import AnswerMode, TurnContext
from agent.demand import searched_terms, unmet_demand
from agent.dialogue import next_state
from agent.events import AgentEvent, DoneEvent, ErrorEvent, TokenEvent
from agent.graph import build_graph, final_outcomes
from agent.guardrails import agent_logger, mask_pii
from agent.llm import build_chat_model, model_label
from agent.model_files import ModelFileError
from agent.prompts import PROMPTS_DIR, build_prompts
from agent.router import IntentGuesser
from agent.state import HistoryMessage, TurnRequest
from agent.templates import load_templates
from agent.turn_facts import last_dialogue
from commerce.db import Database
from shopassist.settings import Settings
from tools.base import Tool, ToolContext
from tools.deps import Deps
from tools.registry import ALL_TOOLS

__all__ = ["AgentRunner", "HistoryMessage", "TurnRequest", "TurnRunner", "build_runner"]

log = agent_logger(__name__)
EMBEDDED_PLAN_BUDGET_S = 0.8  # seconds; see Settings.agent_plan_budget_s
SERVED_PLAN_BUDGET_S = 3.0


def error_event(error: BaseException) -> ErrorEvent:
    """Every failure of a turn, as the one event that closes it; messages never carry internals."""
    if isinstance(error, TimeoutError):
        return ErrorEvent(code="llm_timeout", message="The assistant took too long to answer. Please try again.")
    if isinstance(error, ModelFileError):
        return ErrorEvent(code="model_unavailable", message="The assistant's model is not available.")
    name = type(error).__name__
    if "Connection" in name or "APIStatus" in name or "APITimeout" in name or "RateLimit" in name:
        return ErrorEvent(code="llm_unavailable", message="The assistant's language model is not reachable.")
    return ErrorEvent(code="internal", message="Something went wrong on our side. Please try again.")


class TurnRunner(Protocol):
    """What serving and the eval harness need of a runner: AgentRunner, or a scripted one in tests."""

    def stream(self, request: TurnRequest) -> AsyncIterator[AgentEvent]: ...


class AgentRunner:
    """One per process: holds the chat model (for embedded, one Llama instance), the tools and the graph."""

    def __init__(self, settings: Settings, db: Database, model: BaseChatModel | None = None,
                 tools: list[Tool[Any, Any]] | None = None, model_name: str | None = None,
                 classifier: IntentGuesser | None = None, deps: Deps | None = None,
                 prompts_dir: Path = PROMPTS_DIR) -> None:
        self.settings = settings
        self.db = db
        self.model = model if model is not None else build_chat_model(settings)
        self.model_name = model_name or model_label(settings)
        self.tools = list(ALL_TOOLS if tools is None else tools)
        self.prompts = build_prompts(self.tools, prompts_dir)
        self.templates = load_templates(prompts_dir)
        self.classifier = classifier
        self._graph = build_graph(settings.agent_max_steps)
        # Shared across turns: the search index and the ranker are loaded once per process.
        self.deps = deps or Deps(db, settings)
        # One in-process model has one KV cache: interleaving turns would evict each other's prefixes.
        self._turn_lock = asyncio.Lock() if settings.llm_backend == "embedded" else None

    def warm_up(self) -> None:
        """Put the system prompt in the model's KV cache (from disk after the first time) and load the search
        indexes and embedders with an anonymous search in each language (the first Chinese one embeds the
        catalog's words for translation): fast first turns."""
        warm = getattr(self.model, "warm_prefix", None)
        if warm is not None:
            warm(self.prompts.system)
        search = next((tool for tool in self.tools if tool.name == "search_products"), None)
        indexed = bool(self.settings.chroma_host) or self.settings.chroma_path.exists()
        if search is not None and indexed:
            try:
                context = self._context(TurnRequest(text="", conversation_id="warm-up")).tool_context
                for query in ("gift", "礼物"):
                    search.run(context, {"query": query})
            except Exception as error:  # e.g. the Chroma server is down: serve anyway, the first search retries
                log.warning("search not warmed up (%s): the first search loads it", type(error).__name__)

    @property
    def prompt_version(self) -> str:
        return self.prompts.version

    def _context(self, request: TurnRequest) -> TurnContext:
        tool_context = ToolContext(self.deps, shopper_id=request.shopper_id, conversation_id=request.conversation_id)
        # An experiment variant changes per-turn settings only (commerce.experiments.EXPERIMENT_SETTINGS).
        settings = self.settings.model_copy(update=request.settings) if request.settings else self.settings
        return TurnContext(
            model=self.model, tools={tool.name: tool for tool in self.tools}, prompts=self.prompts,
            tool_context=tool_context,
            max_steps=settings.agent_max_steps, llm_timeout_s=settings.llm_timeout_s,
            templates=self.templates, planner=settings.agent_planner, answer_mode=answer_mode(settings),
            advice_sentences=settings.agent_advice_sentences, classifier=self.classifier,
            plan_budget_s=plan_budget_s(settings),
        )

    @property
    def plan_budget_s(self) -> float:
        return plan_budget_s(self.settings)

    @property
    def answer_mode(self) -> AnswerMode:
        return answer_mode(self.settings)

    async def stream(self, request: TurnRequest) -> AsyncIterator[AgentEvent]:
        """Events of one turn; always ends with exactly one DoneEvent or ErrorEvent."""
        started = time.perf_counter()
        answer: list[str] = []
        planner = "none"
        state: dict[str, Any] = {}
        lock: AbstractAsyncContextManager[Any] = self._turn_lock or nullcontext()
        try:
            async with lock:
                async for mode, event in self._graph.astream({"request": request}, context=self._context(request),
                                                             stream_mode=["custom", "values"]):
                    if mode == "values":
                        planner = event.get("planner", planner)
                        state = event
                        continue
                    if isinstance(event, TokenEvent):
                        answer.append(event.text)
                    yield event
        except Exception as error:
            log.exception("turn failed in conversation %s: %s", request.conversation_id, mask_pii(str(error)))
            yield error_event(error)
            return
        outcomes = final_outcomes(state.get("steps", []))
        understanding = state.get("understanding")
        act = understanding.act if understanding is not None else ""
        if act in ("", "other"):  # the fallback's plan when the planner ran out of time
            act = INTENT_ACTS.get(str(state.get("intent") or ""), "other")
        yield DoneEvent(act=act, producer=state.get("producer", "none"),
                        dialogue=next_state(last_dialogue(request.history), act, outcomes),
                        text="".join(answer), planner=planner, model=self.model_name,
                        prompt_version=self.prompts.version,
                        latency_ms=round((time.perf_counter() - started) * 1000, 1),
                        intent=str(state.get("intent") or ""), unmet=unmet_demand(outcomes),
                        searches=searched_terms(outcomes))


def plan_budget_s(settings: Settings) -> float:
    if settings.agent_plan_budget_s is not None:
        return settings.agent_plan_budget_s
    return EMBEDDED_PLAN_BUDGET_S if settings.llm_backend == "embedded" else SERVED_PLAN_BUDGET_S


def answer_mode(settings: Settings) -> AnswerMode:
    if settings.agent_answer != "auto":
        return settings.agent_answer
    # Each token of the embedded model costs ~150 ms on 2 cores: its answers are the rendered facts alone.
    return "facts" if settings.llm_backend == "embedded" else "advice"


def load_classifier(settings: Settings) -> IntentGuesser | None:
    """The router's intent classifier, unless the LLM plans every turn (it loads a sentence encoder: ~4 s)."""
    if settings.agent_planner == "llm":
        return None
    from agent.intents import IntentClassifier

    return IntentClassifier.load(cache_dir=settings.model_cache_dir / "intents")


def build_runner(settings: Settings, db: Database, deps: Deps | None = None) -> AgentRunner:
    """The process's one runner, warmed up; serving calls this once at start-up and shares it."""
    runner = AgentRunner(settings, db, classifier=load_classifier(settings), deps=deps)
    runner.warm_up()
    return runner
