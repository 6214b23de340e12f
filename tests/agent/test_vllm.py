"""The production LLM path without a GPU: a real vLLM server (CPU build) in a subprocess, agent turns through it (slow).

`make test` builds the vLLM environment (.venv-vllm); `shopassist llm export` converts the shipped GGUF model into
the safetensors folder vLLM loads, and `shopassist llm serve` starts the server exactly as a shop would.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from agent.model_files import QWEN_CODER_1_5B
from agent.runner import AgentRunner
from commerce.db import Database
from shopassist.settings import load_settings
from tests.agent.live import Shop, ask, product_titles, shopassist
from tests.servers import free_port

pytestmark = pytest.mark.slow
VLLM_PYTHON = Path(os.environ.get("SHOPASSIST_TEST_VLLM_PYTHON", ".venv-vllm/bin/python"))
SERVED_NAME = "qwen2.5-coder-1.5b-instruct"
START_TIMEOUT_S = 600
# vLLM's bf16 matmul has no fast path on CPUs without bf16 instructions (AVX2-only machines such as AMD EPYC here):
# the first prefill outran vLLM's own 300 s step limit. float32 runs on any x86-64.
CPU_FLAGS = Path("/proc/cpuinfo").read_text()
CPU_DTYPE = "bfloat16" if "avx512_bf16" in CPU_FLAGS or "amx_bf16" in CPU_FLAGS else "float32"


def _vllm_python() -> Path:
    if not VLLM_PYTHON.exists():
        message = f"no vLLM environment at {VLLM_PYTHON} (`make vllm` builds it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return VLLM_PYTHON


def _wait_until_serving(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"vLLM exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{url}/models", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(2)
    pytest.fail(f"vLLM did not start in {START_TIMEOUT_S} s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def vllm_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    python = _vllm_python()
    exported = subprocess.run([sys.executable, "-m", "shopassist.cli", "llm", "export", "--python", str(python),
                               "--model", QWEN_CODER_1_5B.name], capture_output=True, text=True, timeout=1200)
    assert exported.returncode == 0, exported.stderr[-3000:]
    model_dir = exported.stdout.strip().splitlines()[-1]
    port = free_port()
    log = tmp_path_factory.mktemp("vllm") / "server.log"
    # Both cores for the model (vLLM keeps one for its scheduler by default: half the speed on a 2-core machine).
    environment = {**os.environ, "SHOPASSIST_LLM_MODEL": SERVED_NAME, "OMP_WAIT_POLICY": "PASSIVE",
                   "VLLM_CPU_NUM_OF_RESERVED_CPU": "0"}
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "shopassist.cli", "llm", "serve", model_dir, "--python", str(python),
             "--port", str(port), "--max-model-len", "8192", "--kv-cache-bytes", "1G", "--dtype", CPU_DTYPE],
            stdout=output, stderr=subprocess.STDOUT, env=environment, start_new_session=True)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        _wait_until_serving(process, url, log)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def vllm_shop(vllm_url: str, demo_shop_dir: Path) -> Shop:
    # The LLM plans every turn (the router would plan these itself), with a budget for a server on 2 CPU cores.
    settings = load_settings(data_dir=demo_shop_dir, llm_backend="openai", llm_base_url=vllm_url,
                             llm_model=SERVED_NAME, llm_timeout_s=600, agent_planner="llm",
                             agent_plan_budget_s=START_TIMEOUT_S, env="test")
    database = Database(settings.sqlalchemy_url)
    return AgentRunner(settings, database), database


def test_constrained_search_through_vllm(vllm_shop: Shop) -> None:
    turn = ask(vllm_shop, "waterproof hiking boots under $120")
    (call, *_) = turn.calls("search_products")
    assert call.arguments.get("max_price") == 120 and "boot" in str(call.arguments).lower()
    cards = [card for event in turn.of("products") for card in event.products]
    assert cards and all(card.price <= 120 for card in cards)
    assert turn.text.strip() and not turn.text.lstrip().startswith("{")
    assert turn.events[-1].model == f"openai/{SERVED_NAME}"
    turn.grounded(product_titles(vllm_shop[1]))


def test_policy_question_through_vllm_cites_the_faq(vllm_shop: Shop) -> None:
    turn = ask(vllm_shop, "what's your return policy?")
    assert turn.calls("search_faq") and turn.of("citations")
    turn.grounded([])


def test_gold_eval_against_the_vllm_url(vllm_url: str, demo_shop_dir: Path, tmp_path: Path) -> None:
    report = tmp_path / "gold"
    done = shopassist(demo_shop_dir, "eval", "gold", "--limit", "1", "--intent", "faq", "--llm-backend", "openai",
                      "--llm-base-url", vllm_url, "--llm-model", SERVED_NAME, "--out", str(report))
    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads((report / "summary.json").read_text())
    assert summary["backend"] == "openai"
    (dialogue,) = summary["dialogues"]
    assert not dialogue["error"] and "search_faq" in dialogue["tools_called"]
