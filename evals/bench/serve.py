"""`shopassist bench serve`: N concurrent websocket sessions against the scripted LLM backend.

The server runs in its own process (uvicorn, the real app, `llm_backend=scripted`, no tools) so that its memory
and CPU are its own. The same runner is first timed in-process without a server: the baseline. Added latency is
observed minus baseline, per token (arrival offset from the shopper's send) and per turn (send → done).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from shopassist.settings import load_settings

TEXT = "a warm sleeping bag under $120"


def bench_app() -> Any:
    """uvicorn factory for the server process: the real app over the scripted agent runner without tools."""
    from agent.runner import AgentRunner
    from commerce.db import Database
    from serving.app import create_app
    from serving.heap import settle_heap

    settings = load_settings()
    database = Database(settings.sqlalchemy_url)
    database.migrate()
    app = create_app(settings, database, AgentRunner(settings, database, tools=[]))
    settle_heap()
    return app


async def _baseline(settings: Any, turns: int) -> tuple[list[float], float]:
    """Token offsets (ms from the request) and turn time of the runner alone, medians over `turns` runs."""
    from agent.events import TokenEvent
    from agent.runner import AgentRunner, TurnRequest
    from commerce.db import Database

    database = Database(settings.sqlalchemy_url)
    database.migrate()
    runner = AgentRunner(settings, database, tools=[])
    offsets: list[list[float]] = []
    totals: list[float] = []
    for index in range(turns):
        started, seen = time.perf_counter(), []
        async for event in runner.stream(TurnRequest(text=TEXT, conversation_id=f"baseline-{index}")):
            if isinstance(event, TokenEvent):
                seen.append((time.perf_counter() - started) * 1000)
        totals.append((time.perf_counter() - started) * 1000)
        offsets.append(seen)
    return [statistics.median(column) for column in zip(*offsets, strict=True)], statistics.median(totals)


async def _session(url: str, turns: int, ramp_s: float, start: asyncio.Event, results: dict[str, Any]) -> None:
    from websockets.asyncio.client import connect

    async with connect(url, compression=None, max_size=None, open_timeout=60) as ws:
        await ws.send(json.dumps({"type": "hello"}))
        while json.loads(await ws.recv())["type"] != "session":
            pass
        results["connected"] += 1
        await start.wait()
        await asyncio.sleep(random.uniform(0, ramp_s))
        for index in range(turns):
            message_id = f"{id(ws)}-{index}"
            sent = time.perf_counter()
            await ws.send(json.dumps({"type": "message", "text": TEXT, "client_message_id": message_id}))
            tokens: list[str] = []
            offsets: list[float] = []
            while True:
                frame = json.loads(await ws.recv())
                if frame["type"] == "token":
                    tokens.append(frame["text"])
                    offsets.append((time.perf_counter() - sent) * 1000)
                elif frame["type"] in ("done", "error"):
                    break
            results["turns"].append({"ok": frame["type"] == "done", "code": frame.get("code", ""),
                                     "tokens": tokens, "offsets": offsets, "done_text": frame.get("text", ""),
                                     "turn_ms": (time.perf_counter() - sent) * 1000})


def _rss_mb(pid: int) -> float:
    import psutil

    return float(psutil.Process(pid).memory_info().rss) / 2**20


def _cpu_s(pid: int) -> float:
    import psutil

    times = psutil.Process(pid).cpu_times()
    return round(times.user + times.system, 2)


def _percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"p50": 0.0, "p95": 0.0}
    ordered = sorted(values)
    return {"p50": round(ordered[len(ordered) // 2], 2), "p95": round(ordered[int(len(ordered) * 0.95) - 1], 2)}


def _wait_ready(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the bench server exited; run it by hand to see why")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the bench server did not start")


async def _run_clients(url: str, sessions: int, turns: int, ramp_s: float, pid: int) -> dict[str, Any]:
    results: dict[str, Any] = {"connected": 0, "turns": []}
    start = asyncio.Event()
    idle_mb = _rss_mb(pid)
    tasks = [asyncio.create_task(_session(url, turns, ramp_s, start, results)) for _ in range(sessions)]
    while results["connected"] < sessions and not any(task.done() for task in tasks):
        await asyncio.sleep(0.05)
    connected_mb, connected_cpu_s = _rss_mb(pid), _cpu_s(pid)
    started = time.perf_counter()
    start.set()
    peak_mb = connected_mb
    while not all(task.done() for task in tasks):
        peak_mb = max(peak_mb, _rss_mb(pid))
        await asyncio.sleep(0.2)
    failures = [repr(task.exception()) for task in tasks if task.exception() is not None]
    results.update(server_cpu_s=_cpu_s(pid), server_turns_cpu_s=_cpu_s(pid) - connected_cpu_s,
                   bench_client_cpu_s=_cpu_s(os.getpid()))
    results.update(wall_s=time.perf_counter() - started, idle_mb=idle_mb, connected_mb=connected_mb,
                   peak_mb=peak_mb, session_failures=failures[:5], failed_sessions=len(failures))
    return results


def _report(results: dict[str, Any], baseline_offsets: list[float], baseline_turn_ms: float,
            sessions: int, turns: int, tokens_per_s: float) -> dict[str, Any]:
    expected_tokens = len(baseline_offsets)
    done = [turn for turn in results["turns"] if turn["ok"]]
    lost = (sessions * turns - len(done)) * expected_tokens
    lost += sum(max(0, expected_tokens - len(turn["tokens"])) for turn in done)
    mismatched = sum(1 for turn in done if "".join(turn["tokens"]) != turn["done_text"])
    token_added = [offset - baseline_offsets[i] for turn in done for i, offset in enumerate(turn["offsets"])
                   if i < expected_tokens]
    return {
        "sessions": sessions, "turns_per_session": turns, "scripted_tokens_per_s": tokens_per_s,
        "turns_done": len(done), "turn_errors": sorted({turn["code"] for turn in results["turns"] if not turn["ok"]}),
        "failed_sessions": results["failed_sessions"], "session_failures": results["session_failures"],
        "frames_lost": lost, "turns_with_text_mismatch": mismatched,
        "baseline_turn_ms": round(baseline_turn_ms, 1),
        "added_ms_per_token": _percentiles(token_added),
        "added_ms_per_turn": _percentiles([turn["turn_ms"] - baseline_turn_ms for turn in done]),
        "turn_ms": _percentiles([turn["turn_ms"] for turn in done]),
        "tokens_per_s_delivered": round(sum(len(t["tokens"]) for t in done) / results["wall_s"], 1),
        "server_rss_mb": {"idle": round(results["idle_mb"], 1), "all_connected": round(results["connected_mb"], 1),
                          "peak": round(results["peak_mb"], 1)},
        "server_kb_per_idle_session": round((results["connected_mb"] - results["idle_mb"]) * 1024 / sessions, 1),
        "wall_s": round(results["wall_s"], 2),
        "cpu_s": {"server": results["server_cpu_s"], "bench_clients": results["bench_client_cpu_s"],
                  "cores": os.cpu_count(), "load_average": [round(load, 2) for load in os.getloadavg()]},
        "server_cpu_ms_per_turn": round(results["server_turns_cpu_s"] * 1000 / max(1, sessions * turns), 2),
    }


def bench_serve(
    sessions: Annotated[int, typer.Option(min=1, help="Concurrent websocket sessions")] = 500,
    turns: Annotated[int, typer.Option(min=1, help="Turns per session")] = 2,
    tokens_per_s: Annotated[float, typer.Option(help="Scripted backend's token rate")] = 50.0,
    ramp_s: Annotated[float, typer.Option(help="Sessions send their first message within this many seconds")] = 2.0,
    out: Annotated[Path, typer.Option(help="JSON report")] = Path("var/reports/bench_serve.json"),
) -> None:
    """Concurrent websocket sessions against the scripted backend: added latency, frames lost, memory."""
    with tempfile.TemporaryDirectory(prefix="shopassist-bench-") as data_dir:
        env = {**os.environ, "SHOPASSIST_LLM_BACKEND": "scripted", "SHOPASSIST_DATA_DIR": data_dir,
               "SHOPASSIST_DATABASE_URL": "", "SHOPASSIST_REDIS_URL": os.environ.get("SHOPASSIST_REDIS_URL", ""),
               "SHOPASSIST_SCRIPTED_TOKENS_PER_S": str(tokens_per_s), "SHOPASSIST_ENV": "test",
               "SHOPASSIST_MAX_CONCURRENT_STREAMS": str(sessions * 2),
               "SHOPASSIST_MESSAGES_PER_MINUTE": "100000", "SHOPASSIST_MESSAGES_PER_MINUTE_PER_IP": "1000000"}
        settings = load_settings(llm_backend="scripted", data_dir=Path(data_dir) / "baseline",
                                 scripted_tokens_per_s=tokens_per_s, database_url="")
        baseline_offsets, baseline_turn_ms = asyncio.run(_baseline(settings, 5))
        port = _free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "evals.bench.serve:bench_app", "--port", str(port),
             "--log-level", "warning", "--ws-per-message-deflate", "false", "--no-access-log"],
            env=env, stdout=subprocess.DEVNULL)
        try:
            _wait_ready(port, server)
            results = asyncio.run(_run_clients(f"ws://127.0.0.1:{port}/ws/chat", sessions, turns, ramp_s,
                                               server.pid))
        finally:
            server.terminate()
            server.wait(timeout=30)
    report = _report(results, baseline_offsets, baseline_turn_ms, sessions, turns, tokens_per_s)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
    print(f"wrote {out}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
