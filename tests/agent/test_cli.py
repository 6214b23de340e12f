"""`shopassist ask` (JSON lines, sessions), `llm serve --dry-run` and `llm export`, without a real model."""

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
    assert events[0]["type"] == "status" and events[-1]["type"] == "done"
    assert [e["type"] for e in events if e["type"] != "status"][0] == "tool_call"
    assert [e["type"] for e in events].count("done") == 1
    history = json.loads((scripted_env / "ask_sessions" / "s1.json").read_text())
    assert history[0] == {"role": "user", "text": "boots", "product_ids": [], "searched": "", "dialogue": None}
    assert history[1]["product_ids"] == ["p1", "p2", "p3"] and history[1]["searched"] == "boots"
    assert history[1]["dialogue"]["shown"] == ["p1", "p2", "p3"] and history[1]["dialogue"]["act"] == "search"
    second = runner.invoke(app, ["ask", "cheaper", "--session", "s1"])
    assert second.exit_code == 0 and len(json.loads((scripted_env / "ask_sessions" / "s1.json").read_text())) == 4


def test_llm_serve_dry_run_prints_the_vllm_command(scripted_env: Path) -> None:
    result = CliRunner().invoke(app, ["llm", "serve", "/models/qwen", "--python", "/opt/vllm/bin/python",
                                      "--tool-parser", "hermes", "--dry-run"])
    assert result.exit_code == 0
    assert "/opt/vllm/bin/python -m vllm.entrypoints.openai.api_server --model /models/qwen" in result.output
    assert "--enforce-eager" in result.output and "--tool-call-parser hermes" in result.output
    assert "--kv-cache-memory-bytes" not in result.output
    assert "--dtype auto" in result.output
    sized = CliRunner().invoke(app, ["llm", "serve", "/models/qwen", "--kv-cache-bytes", "1G", "--dtype", "float32",
                                     "--dry-run"])
    assert "--kv-cache-memory-bytes 1G" in sized.output and "--dtype float32" in sized.output


def _converter(tmp_path: Path, exit_code: int) -> Path:
    """Stands in for the vLLM environment's Python: records each conversion and creates the output folder."""
    script = tmp_path / f"python-{exit_code}"
    script.write_text(f'#!/bin/sh\necho "$2" >> {tmp_path}/conversions\nmkdir -p "$3"\nexit {exit_code}\n')
    script.chmod(0o755)
    return script


def test_llm_export_converts_once_and_prints_the_folder(scripted_env: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("agent.cli.ensure_model_file", lambda folder, model: folder / f"{model.name}.gguf")
    python = _converter(tmp_path, 0)
    runner = CliRunner()
    first = runner.invoke(app, ["llm", "export", "--python", str(python), "--model", "qwen2.5-coder-0.5b"])
    assert first.exit_code == 0, first.output
    folder = Path(first.stdout.strip().splitlines()[-1])
    assert folder == scripted_env / "models" / "qwen2.5-coder-0.5b-instruct-q4_k_m-hf" and folder.is_dir()
    again = runner.invoke(app, ["llm", "export", "--python", str(python), "--model", "qwen2.5-coder-0.5b"])
    assert again.exit_code == 0 and again.stdout.strip().splitlines()[-1] == str(folder)
    assert (tmp_path / "conversions").read_text().splitlines() == [str(folder.parent / (folder.name[:-3] + ".gguf"))]


def test_llm_export_reports_a_failed_conversion(scripted_env: Path, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("agent.cli.ensure_model_file", lambda folder, model: folder / f"{model.name}.gguf")
    result = CliRunner().invoke(app, ["llm", "export", "--python", str(_converter(tmp_path, 3))])
    assert result.exit_code == 1 and "conversion failed (exit 3)" in result.output
    assert not (scripted_env / "models" / "qwen2.5-coder-1.5b-instruct-q4_k_m-hf" / "source.sha256").exists()
