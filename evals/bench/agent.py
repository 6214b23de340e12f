"""`shopassist bench agent`: time to first token and turn latency of the embedded agent, and its own overhead.

Overhead = agent TTFT ÷ bare-LLM TTFT on the same final prompt, both starting from a KV cache that holds only the
system prompt (as for any new turn): what planning and tools add on top of just answering.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from shopassist.settings import get_settings

if TYPE_CHECKING:
    from langchain_core.messages import BaseMessage

    from agent.runner import AgentRunner

REQUESTS = [
    "waterproof hiking boots under $120",
    "what's your return policy?",
    "100元以内的蓝牙耳机",
    "recommend something for me",
    "where is my order #W0000001?",
    "what's the capital of France?",
    "do you ship internationally?",
    "a warm jacket for winter",
]


def prompt_recorder() -> Any:
    """A callback keeping the messages of the latest chat-model call: after a turn, the final answer prompt."""
    from langchain_core.callbacks import BaseCallbackHandler

    class PromptRecorder(BaseCallbackHandler):
        last: list[BaseMessage] = []

        def on_chat_model_start(self, serialized: dict[str, Any], messages: list[list[BaseMessage]],
                                **kwargs: Any) -> Any:
            self.last = messages[0]

    return PromptRecorder()


def _percentiles(values: list[float]) -> dict[str, float]:
    import numpy as np

    if not values:
        return {"p50": float("nan"), "p95": float("nan")}
    return {"p50": round(float(np.percentile(values, 50)), 3), "p95": round(float(np.percentile(values, 95)), 3)}


async def _agent_turn(runner: AgentRunner, text: str, shopper: str | None) -> dict[str, Any]:
    from agent.runner import TurnRequest

    started = time.perf_counter()
    first: float | None = None
    tools: list[str] = []
    final = None
    async for event in runner.stream(TurnRequest(text=text, conversation_id="bench", shopper_id=shopper)):
        if event.type == "token" and first is None:
            first = time.perf_counter() - started
        elif event.type == "tool_call":
            tools.append(event.name)
        final = event
    return {"text": text, "ttft_s": first, "turn_s": time.perf_counter() - started, "tools": tools,
            "ended_with": getattr(final, "type", None)}


def _bare_ttft(runner: AgentRunner, messages: list[BaseMessage]) -> float:
    """TTFT of the model alone on `messages`, after resetting its cache to the system prompt only."""
    from langchain_core.messages import HumanMessage, SystemMessage

    runner.model.invoke([SystemMessage(runner.prompts.system), HumanMessage("hi")], max_tokens=1)
    started = time.perf_counter()
    for _chunk in runner.model.stream(messages, max_tokens=1):
        break
    return time.perf_counter() - started


def run_bench(runner: AgentRunner, requests: list[str], shopper: str | None) -> dict[str, Any]:
    recorder = prompt_recorder()
    runner.model.callbacks = [recorder]
    first = asyncio.run(_agent_turn(runner, "hello", shopper))
    turns = []
    for text in requests:
        recorder.last = []
        turn = asyncio.run(_agent_turn(runner, text, shopper))
        # Turns answered without the model (off-topic prefilter) have no final prompt to compare with.
        turn["bare_ttft_s"] = _bare_ttft(runner, recorder.last) if recorder.last else None
        if turn["ttft_s"] and turn["bare_ttft_s"]:
            turn["overhead_ratio"] = turn["ttft_s"] / turn["bare_ttft_s"]
        turns.append(turn)
        typer.echo(f"{turn['ttft_s'] or float('nan'):7.2f}s TTFT {turn['turn_s']:7.2f}s turn "
                   f"{turn['bare_ttft_s'] or float('nan'):6.2f}s bare  {','.join(turn['tools']) or '-':40} {text}",
                   err=True)
    return {
        "model": runner.model_name, "prompt_version": runner.prompt_version, "threads": runner.settings.llm_threads,
        "cpu_count": os.cpu_count(), "load_average": os.getloadavg(), "first_turn_s": first["turn_s"],
        "ttft_s": _percentiles([t["ttft_s"] for t in turns if t["ttft_s"]]),
        "turn_s": _percentiles([t["turn_s"] for t in turns]),
        "bare_llm_ttft_s": _percentiles([t["bare_ttft_s"] for t in turns if t["bare_ttft_s"]]),
        "overhead_ratio": _percentiles([t["overhead_ratio"] for t in turns if "overhead_ratio" in t]),
        "turns": turns,
    }


def bench_agent(
    threads: Annotated[int, typer.Option(help="llama.cpp threads (cores)")] = 2,
    repeats: Annotated[int, typer.Option(help="How many times to run the request list")] = 1,
    user: Annotated[str | None, typer.Option(help="Shopper id for the order/recommendation requests")] = None,
    out: Annotated[Path, typer.Option(help="JSON report path")] = Path("var/reports/bench_agent.json"),
) -> None:
    """TTFT and turn latency (p50/p95) of the embedded agent, and agent TTFT ÷ bare-LLM TTFT."""
    from agent.runner import build_runner
    from commerce.db import Database

    settings = get_settings().model_copy(update={"llm_backend": "embedded", "llm_threads": threads})
    database = Database(settings.sqlalchemy_url)
    database.migrate()
    started = time.perf_counter()
    runner = build_runner(settings, database)  # loads the model and the system prompt's KV state (or builds it)
    warm_up_s = time.perf_counter() - started
    report = {"warm_up_s": round(warm_up_s, 2), **run_bench(runner, REQUESTS * repeats, user)}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    summary = {key: report[key] for key in ("warm_up_s", "first_turn_s", "ttft_s", "turn_s", "bare_llm_ttft_s",
                                            "overhead_ratio", "load_average")}
    typer.echo(json.dumps(summary, indent=2))
    typer.echo(f"wrote {out}", err=True)
