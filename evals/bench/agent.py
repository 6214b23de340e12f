"""`shopassist bench agent`: how fast the embedded agent shows something — first status, first token, first product
cards — and whole-turn latency, per planner (router or LLM), on requests written for the benchmark (not the gold set).
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
    from agent.runner import AgentRunner
    from commerce.db import Database

# {order} is replaced by one of the benchmark shopper's orders.
REQUESTS = [
    "waterproof hiking boots under $120",
    "what's your return policy?",
    "100元以内的蓝牙耳机",
    "recommend something for me",
    "where is my order {order}?",
    "what's the capital of France?",
    "do you ship internationally?",
    "a warm jacket for winter",
    "我的订单到哪了",
    "running shoes for women, size 8",
    "退货要多久能退款？",
    "I want to talk to a real person",
    "cancel my last order please",
    "蓝色的双肩包",
    "what's in my cart?",
    "gift ideas for a coffee lover under $50",
    # Turns the router does not plan: the LLM planner under its budget (agent_plan_budget_s).
    "what goes well with this?",
    "we're going camping with two kids next weekend, what should we pack?",
    "my dog chews through every toy, got anything tougher?",
    "exchange my t-shirt for a size L",
]


def _percentiles(values: list[float]) -> dict[str, float]:
    import numpy as np

    if not values:
        return {"p50": float("nan"), "p95": float("nan")}
    return {"p50": round(float(np.percentile(values, 50)), 3), "p95": round(float(np.percentile(values, 95)), 3)}


async def _agent_turn(runner: AgentRunner, text: str, shopper: str | None) -> dict[str, Any]:
    from agent.runner import TurnRequest

    started = time.perf_counter()
    firsts: dict[str, float] = {}
    tools: list[str] = []
    final = None
    async for event in runner.stream(TurnRequest(text=text, conversation_id="bench", shopper_id=shopper)):
        firsts.setdefault(event.type, time.perf_counter() - started)
        if event.type == "tool_call":
            tools.append(event.name)
        final = event
    return {"text": text, "status_s": firsts.get("status"), "ttft_s": firsts.get("token"),
            "products_s": firsts.get("products"), "turn_s": time.perf_counter() - started, "tools": tools,
            "planner": getattr(final, "planner", None), "ended_with": getattr(final, "type", None)}


def _shopper_with_orders(database: Database) -> tuple[str | None, str]:
    from sqlalchemy import select

    from commerce.tables import OrderRow

    with database.session() as session:
        row = session.scalars(select(OrderRow).where(OrderRow.status == "pending").order_by(OrderRow.id)).first()
    return (row.shopper_id, row.id) if row else (None, "#W0000001")


def run_bench(runner: AgentRunner, requests: list[str], shopper: str | None) -> dict[str, Any]:
    asyncio.run(_agent_turn(runner, "hello", shopper))
    turns = []
    for text in requests:
        turn = asyncio.run(_agent_turn(runner, text, shopper))
        turns.append(turn)
        typer.echo(f"{turn['status_s'] or float('nan'):6.2f}s status {turn['ttft_s'] or float('nan'):6.2f}s token "
                   f"{turn['turn_s']:6.2f}s turn  {turn['planner'] or '-':6} {','.join(turn['tools']) or '-':32} "
                   f"{text}", err=True)
    by_planner = {planner: [t for t in turns if t["planner"] == planner] for planner in ("router", "llm", "none")}
    return {
        "model": runner.model_name, "prompt_version": runner.prompt_version, "threads": runner.settings.llm_threads,
        "planner_setting": runner.settings.agent_planner, "answer_mode": runner.answer_mode,
        "cpu_count": os.cpu_count(), "load_average": os.getloadavg(),
        "status_s": _percentiles([t["status_s"] for t in turns if t["status_s"] is not None]),
        "ttft_s": _percentiles([t["ttft_s"] for t in turns if t["ttft_s"] is not None]),
        "products_s": _percentiles([t["products_s"] for t in turns if t["products_s"] is not None]),
        "turn_s": _percentiles([t["turn_s"] for t in turns]),
        "router_share": round(len(by_planner["router"]) / len(turns), 3) if turns else 0.0,
        "turn_s_by_planner": {name: _percentiles([t["turn_s"] for t in group]) for name, group in by_planner.items()
                              if group},
        "turns": turns,
    }


def bench_agent(
    threads: Annotated[int, typer.Option(help="llama.cpp threads (cores)")] = 2,
    repeats: Annotated[int, typer.Option(help="How many times to run the request list")] = 1,
    user: Annotated[str | None, typer.Option(help="Shopper id (default: one with a pending order)")] = None,
    out: Annotated[Path, typer.Option(help="JSON report path")] = Path("var/reports/bench_agent.json"),
) -> None:
    """First status / token / products and turn latency (p50/p95) of the embedded agent, and the router's share."""
    from agent.runner import build_runner
    from commerce.db import Database

    settings = get_settings().model_copy(update={"llm_backend": "embedded", "llm_threads": threads})
    database = Database(settings.sqlalchemy_url)
    database.migrate()
    shopper, order = _shopper_with_orders(database)
    started = time.perf_counter()
    runner = build_runner(settings, database)  # loads the model and the system prompt's KV state (or builds it)
    warm_up_s = time.perf_counter() - started
    requests = [text.format(order=order) for text in REQUESTS] * repeats
    report = {"warm_up_s": round(warm_up_s, 2), **run_bench(runner, requests, user or shopper)}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    summary = {key: report[key] for key in ("warm_up_s", "status_s", "ttft_s", "products_s", "turn_s",
                                            "router_share", "turn_s_by_planner", "answer_mode", "load_average")}
    typer.echo(json.dumps(summary, indent=2))
    typer.echo(f"wrote {out}", err=True)
