"""The eval commands end to end: gold against an OpenAI-compatible server process, import + replay, CI gate."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from commerce.db import Database
from shopassist.cli import app
from tests.servers import free_port
from tests.shared_data import ABCD_SAMPLE


@pytest.fixture
def openai_server() -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "tests.evals.openai_stub", str(port)],
                               cwd=Path(__file__).resolve().parents[2])
    url = f"http://127.0.0.1:{port}/v1"
    try:
        for _ in range(100):
            try:
                httpx.get(f"http://127.0.0.1:{port}/stats", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def shop_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data_dir = tmp_path / "var"
    data_dir.mkdir()
    Database(f"sqlite:///{data_dir / 'shop.db'}").migrate()
    monkeypatch.setenv("SHOPASSIST_DATA_DIR", str(data_dir))
    monkeypatch.setenv("SHOPASSIST_ENV", "test")
    return data_dir


def test_gold_runs_against_an_openai_compatible_server(openai_server: str, shop_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "report"
    llm_plans = {**os.environ, "SHOPASSIST_AGENT_PLANNER": "llm"}  # the router would decline these without the server
    result = CliRunner(env=llm_plans).invoke(app, [
        "eval", "gold", "--intent", "off_topic", "--limit", "3", "--llm-backend", "openai", "--llm-base-url",
        openai_server, "--llm-model", "stub", "--out", str(out), "--fail-under", "tool_accuracy=1.0"])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["backend"] == "openai" and len(summary["dialogues"]) == 3
    assert all(d["answer"] and not d["error"] and d["tool_ok"] for d in summary["dialogues"])
    assert httpx.get(openai_server.removesuffix("/v1") + "/stats").json()["requests"] > 0
    assert (out / "report.html").exists() and (out / "gold_per_intent.png").exists()
    gate = CliRunner(env=llm_plans).invoke(app, [
        "eval", "gold", "--intent", "off_topic", "--limit", "1", "--llm-backend", "openai", "--llm-base-url",
        openai_server, "--out", str(out), "--fail-under", "argument_accuracy=0.5"])
    assert gate.exit_code == 1 and "argument_accuracy = None" in gate.output


@pytest.mark.skipif(not ABCD_SAMPLE.exists(), reason="ABCD sample not present")
def test_import_then_replay_with_the_scripted_backend(shop_dir: Path, tmp_path: Path) -> None:
    logs = tmp_path / "abcd.jsonl"
    assert CliRunner().invoke(app, ["eval", "import-logs", str(ABCD_SAMPLE), str(logs)]).exit_code == 0
    out = tmp_path / "replay"
    env = {**os.environ, "SHOPASSIST_LLM_BACKEND": "scripted"}
    result = CliRunner(env=env).invoke(app, ["eval", "replay", str(logs), "--limit", "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["sections"]["Dialogue-log replay"]["summary"]["turns"] > 3
    assert "Dialogue-log replay" in (out / "report.md").read_text()
