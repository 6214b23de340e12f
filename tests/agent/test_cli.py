"""`shopassist ask` (JSON lines, sessions) and `shopassist llm serve --dry-run`, with the scripted backend."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from shopassist.cli import app
from shopassist.settings import get_settings
from tests.agent.fakes import FAKE_TOOLS


@pytest.fixture
def scripted_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SHOPASSIST_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("SHOPASSIST_LLM_BACKEND", "scripted")
    monkeypatch.setenv("SHOPASSIST_SCRIPTED_TOKENS_PER_S", "5000")
    monkeypatch.setattr("agent.runner.ALL_TOOLS", FAKE_TOOLS)
    get_settings.cache_clear()
    yield tmp_path / "var"
    get_settings.cache_clear()


def test_ask_json_prints_one_event_per_line_and_keeps_the_session(scripted_env: Path) -> None:
    runner = CliRunner()
    first = runner.invoke(app, ["ask", "boots", "--json", "--session", "s1", "--user", "noah_brown_6181"])
    assert first.exit_code == 0, first.output
    events = [json.loads(line) for line in first.stdout.splitlines()]
    assert events[0]["type"] == "tool_call" and events[-1]["type"] == "done"
    assert [e["type"] for e in events].count("done") == 1
    history = json.loads((scripted_env / "ask_sessions" / "s1.json").read_text())
    assert history[0] == {"role": "user", "text": "boots", "product_ids": []}
    assert history[1]["product_ids"] == ["p1", "p2", "p3"]
    second = runner.invoke(app, ["ask", "cheaper", "--session", "s1"])
    assert second.exit_code == 0 and len(json.loads((scripted_env / "ask_sessions" / "s1.json").read_text())) == 4


def test_llm_serve_dry_run_prints_the_vllm_command(scripted_env: Path) -> None:
    result = CliRunner().invoke(app, ["llm", "serve", "/models/qwen", "--python", "/opt/vllm/bin/python",
                                      "--tool-parser", "hermes", "--dry-run"])
    assert result.exit_code == 0
    assert "/opt/vllm/bin/python -m vllm.entrypoints.openai.api_server --model /models/qwen" in result.output
    assert "--enforce-eager" in result.output and "--tool-call-parser hermes" in result.output
