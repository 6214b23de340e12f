"""Agent test fixtures: real model calls fail loudly outside slow tests; a runner over the scripted fake."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from agent.runner import AgentRunner
from commerce.db import Database
from shopassist.settings import Settings
from tests.agent.fakes import FAKE_TOOLS, ScriptedChatModel
from tests.agent.live import build_demo_shop
from tools.base import Tool


def _refuse(*args: Any, **kwargs: Any) -> Any:
    raise RuntimeError("a unit test tried to call a real LLM; use ScriptedChatModel or mark the test slow")


@pytest.fixture(autouse=True)
def no_real_model_calls(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    if request.node.get_closest_marker("slow"):
        return
    from langchain_openai import ChatOpenAI

    from agent.llama_chat import LlamaChatModel

    for model in (LlamaChatModel, ChatOpenAI):
        for method in ("_generate", "_stream", "_agenerate", "_astream"):
            monkeypatch.setattr(model, method, _refuse, raising=False)
    monkeypatch.setattr(LlamaChatModel, "llama", property(_refuse))


@pytest.fixture
def make_runner(tmp_settings: Settings, database: Database) -> Callable[..., tuple[AgentRunner, ScriptedChatModel]]:
    def make(*replies: Any, max_steps: int = 4, tools: list[Tool[Any, Any]] = FAKE_TOOLS,
             **settings: Any) -> tuple[AgentRunner, ScriptedChatModel]:
        model = ScriptedChatModel(replies=list(replies))
        # The LLM planner and a model-written answer unless a test asks otherwise: these tests drive the model.
        update = {"agent_max_steps": max_steps, "agent_planner": "llm", "agent_answer": "model", **settings}
        configured = tmp_settings.model_copy(update=update)
        return AgentRunner(configured, database, model=model, tools=tools, model_name="scripted-fake"), model

    return make


@pytest.fixture(scope="session")
def demo_shop_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir with the demo shop and its search index, built once (or SHOPASSIST_TEST_SHOP_DIR, already built)."""
    reuse = os.environ.get("SHOPASSIST_TEST_SHOP_DIR")
    if reuse:
        return Path(reuse)
    data_dir = tmp_path_factory.mktemp("demo-shop") / "var"
    build_demo_shop(data_dir)
    return data_dir
