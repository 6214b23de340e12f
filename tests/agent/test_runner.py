"""Runner-level behaviour: the scripted bench backend, history rendering, the factory's backends."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from agent.llm import LLMConfigError, build_chat_model
from agent.runner import AgentRunner, HistoryMessage, TurnRequest, build_runner
from agent.scripted_backend import CANNED_ANSWER
from commerce.db import Database
from commerce.models import Product
from commerce.store import upsert_product
from shopassist.settings import Settings
from tests.agent.fakes import FAKE_TOOLS, next_step, plan


def collect(runner: AgentRunner, request: TurnRequest) -> list[Any]:
    async def run() -> list[Any]:
        return [event async for event in runner.stream(request)]

    return asyncio.run(run())


def test_scripted_backend_streams_canned_tokens_after_a_query_tool(tmp_settings: Settings, database: Database) -> None:
    settings = tmp_settings.model_copy(update={"llm_backend": "scripted", "scripted_tokens_per_s": 2000.0,
                                               "agent_answer": "model"})
    runner = AgentRunner(settings, database, tools=FAKE_TOOLS)
    events = [e for e in collect(runner, TurnRequest(text="boots", conversation_id="c")) if e.type != "status"]
    assert events[0].type == "tool_call" and events[0].name == "search_products"
    assert events[0].arguments == {"query": "boots"}
    # The model's text reaches the shopper sentence by sentence, each checked by the guard first.
    assert [e.text.strip() for e in events if e.type == "token"] == [
        "Here is what I found for you in our shop.", "Tell me what else you are looking for."]
    assert events[-1].text == CANNED_ANSWER and events[-1].model == "scripted-bench"


def test_build_runner_uses_registered_tools(tmp_settings: Settings, database: Database) -> None:
    runner = build_runner(tmp_settings.model_copy(update={"llm_backend": "scripted"}), database)
    assert runner.prompt_version.startswith("prompts-") and runner.tools


def test_history_shows_earlier_products_in_order(make_runner, database: Database) -> None:
    with database.session() as session:
        for product_id, title, price in [("p1", "TrailMax Boot", 99.0), ("p2", "Ridge Hiker", 119.0)]:
            upsert_product(session, Product(id=product_id, title=title, price=price))
    runner, model = make_runner(plan(("search_products", {"query": "Ridge Hiker"})), next_step(), "It costs $119.")
    history = [HistoryMessage(role="user", text="boots"),
               HistoryMessage(role="assistant", text="Here are two.", product_ids=["p1", "p2", "gone"])]
    collect(runner, TurnRequest(text="tell me more about the second one", conversation_id="c", history=history))
    shown = str(model.calls[0][0][2].content)
    assert "1) id p1: TrailMax Boot — 99.00 USD" in shown and "2) id p2: Ridge Hiker" in shown
    assert "3) id gone: (no longer listed)" in shown


def test_the_written_language_beats_the_ui_language(make_runner) -> None:
    runner, model = make_runner(plan(intent="greeting"), "你好！")
    collect(runner, TurnRequest(text="你好", conversation_id="c", language="en"))
    assert "Chinese" in str(model.calls[-1][0][-1].content)


def test_ui_language_decides_when_the_text_has_no_letters(make_runner) -> None:
    runner, model = make_runner(plan(intent="greeting"), "你好！")
    collect(runner, TurnRequest(text="👍", conversation_id="c", language="zh"))
    assert "Chinese" in str(model.calls[-1][0][-1].content)


def test_openai_backend_is_chat_openai(tmp_settings: Settings) -> None:
    model = build_chat_model(tmp_settings.model_copy(update={"llm_backend": "openai", "llm_model": "qwen"}))
    assert type(model).__name__ == "ChatOpenAI"


def test_missing_gguf_path_is_a_config_error(tmp_settings: Settings) -> None:
    with pytest.raises(LLMConfigError):
        build_chat_model(tmp_settings.model_copy(update={"llm_model": "/nowhere/model.gguf"}))


@pytest.mark.parametrize(("backend", "configured", "budget"), [
    ("embedded", None, 0.8), ("openai", None, 3.0), ("embedded", 5.0, 5.0), ("openai", 1.5, 1.5)])
def test_the_planners_time_budget_follows_the_backend_unless_set(tmp_settings: Settings, database: Database,
                                                                  backend: str, configured: float | None,
                                                                  budget: float) -> None:
    settings = tmp_settings.model_copy(update={"llm_backend": backend, "agent_plan_budget_s": configured})
    assert AgentRunner(settings, database, model=object(), tools=FAKE_TOOLS).plan_budget_s == budget  # type: ignore[arg-type]
