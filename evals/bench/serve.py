"""`shopassist bench serve`: N concurrent websocket sessions against 1 or more replicas (scripted LLM backend).

Each replica is its own uvicorn process (the real app, `llm_backend=scripted`, no tools); with more than one they
sit behind nginx and share a throwaway Postgres (serving/cluster.py). The clients run in processes of their own.
The same runner is first timed in-process without a server: the baseline. Added latency is observed minus
baseline, per token (arrival of the frame that carried it) and per turn (send → done), as the clients see it and
as the replicas measure it (their turn histogram's mean). Streamed tokens arrive coalesced (stream_frame_ms):
a token is lost when the text streamed for its turn does not reach it.

Sessions behave as shoppers: all connect first, then each sends its first message at a random moment within
`ramp_s` and, after each answer, reads for a random pause (exponential, mean `think_s`) before the next. `--ramp-s 2
--think-s 0` is the all-at-once burst; the report states the turn rate and concurrency that the run offered.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from shopassist.settings import load_settings

TEXT = "a warm sleeping bag under $120"
# The model plans and writes every answer (streamed sentence by sentence at the scripted token rate): rendered
# answers would leave nothing to stream.
MODEL_WRITES = {"agent_planner": "llm", "agent_answer": "model"}


def bench_app() -> Any:
    """uvicorn factory for a server process: the real app over the scripted agent runner without tools."""
    from agent.runner import AgentRunner
    from commerce.db import Database
    from serving.app import create_app
    from serving.heap import settle_heap

    settings = load_settings()
    database = Database(settings.sqlalchemy_url)
    app = create_app(settings, database, AgentRunner(settings, database, tools=[]))
    settle_heap()
    return app


async def _baseline(settings: Any, turns: int) -> tuple[list[tuple[float, int]], float]:
    """Per token: (ms from the request, end offset in the answer's text), and the turn time: medians of the runner
    alone over `turns` runs."""
    from agent.events import TokenEvent
    from agent.runner import AgentRunner, TurnRequest
    from commerce.db import Database

    database = Database(settings.sqlalchemy_url)
    database.migrate()
    runner = AgentRunner(settings, database, tools=[])
    offsets: list[list[float]] = []
    totals: list[float] = []
    ends: list[int] = []
    for index in range(turns):
        started, seen, ends = time.perf_counter(), [], []
        async for event in runner.stream(TurnRequest(text=TEXT, conversation_id=f"baseline-{index}")):
            if isinstance(event, TokenEvent):
                seen.append((time.perf_counter() - started) * 1000)
                ends.append((ends[-1] if ends else 0) + len(event.text))
        totals.append((time.perf_counter() - started) * 1000)
        offsets.append(seen)
    medians = [statistics.median(column) for column in zip(*offsets, strict=True)]
    return list(zip(medians, ends, strict=True)), statistics.median(totals)


async def _session(url: str, turns: int, ramp_s: float, think_s: float, start: asyncio.Event,
                   results: dict[str, Any]) -> None:
    from websockets.asyncio.client import connect

    async with connect(url, compression=None, max_size=None, open_timeout=120) as ws:
        await ws.send(json.dumps({"type": "hello"}))
        while json.loads(await ws.recv())["type"] != "session":
            pass
        results["connected"] += 1
        await start.wait()
        await asyncio.sleep(random.uniform(0, ramp_s))
        for index in range(turns):
            if index and think_s:
                await asyncio.sleep(random.expovariate(1 / think_s))
            message_id = f"{os.getpid()}-{id(ws)}-{index}"
            sent, sent_at = time.perf_counter(), time.time()
            await ws.send(json.dumps({"type": "message", "text": TEXT, "client_message_id": message_id}))
            text, frames = "", []
            while True:
                frame = json.loads(await ws.recv())
                if frame["type"] == "token":
                    text += frame["text"]
                    frames.append(((time.perf_counter() - sent) * 1000, len(text)))
                elif frame["type"] in ("done", "error"):
                    break
            results["turns"].append({"ok": frame["type"] == "done", "code": frame.get("code", ""), "text": text,
                                     "frames": frames, "done_text": frame.get("text", ""),
                                     "turn_ms": (time.perf_counter() - sent) * 1000,
                                     "span": (sent_at, time.time())})


def _client_process(url: str, sessions: int, turns: int, ramp_s: float, think_s: float, ready: Any, go: Any,
                    out: Any) -> None:
    """One client process: connect its sessions, say so, wait for `go`, run the turns, send the results back."""

    async def run() -> dict[str, Any]:
        results: dict[str, Any] = {"connected": 0, "turns": []}
        start = asyncio.Event()
        tasks = [asyncio.create_task(_session(url, turns, ramp_s, think_s, start, results)) for _ in range(sessions)]
        while results["connected"] < sessions and not any(task.done() for task in tasks):
            await asyncio.sleep(0.05)
        ready.put(results["connected"])
        await asyncio.to_thread(go.wait)
        start.set()
        await asyncio.gather(*tasks, return_exceptions=True)
        failures = [repr(task.exception()) for task in tasks if task.exception() is not None]
        times = os.times()
        return {**results, "failures": failures, "cpu_s": times.user + times.system}

    out.put(asyncio.run(run()))


def _cpu_s(pids: list[int]) -> float:
    import psutil

    return round(sum(sum(psutil.Process(pid).cpu_times()[:2]) for pid in pids), 2)


def _rss_mb(pids: list[int]) -> float:
    import psutil

    return sum(float(psutil.Process(pid).memory_info().rss) for pid in pids) / 2**20


def _server_turn_ms(ports: list[int]) -> float:
    """Mean turn time the replicas measured (their Prometheus turn histogram: sum / count)."""
    import httpx

    total = count = 0.0
    for port in ports:
        body = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
        total += sum(float(v) for v in re.findall(r'^shopassist_turn_seconds_sum\{outcome="done"\} (\S+)', body, re.M))
        count += sum(float(v) for v in re.findall(r'^shopassist_turn_seconds_count\{outcome="done"\} (\S+)', body,
                                                    re.M))
    return total * 1000 / count if count else 0.0


def _run_clients(url: str, sessions: int, turns: int, ramp_s: float, think_s: float, processes: int,
                 server_pids: list[int]) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    ready, go, out = context.Queue(), context.Event(), context.Queue()
    shares = [sessions // processes + (1 if index < sessions % processes else 0) for index in range(processes)]
    clients = [context.Process(target=_client_process, args=(url, share, turns, ramp_s, think_s, ready, go, out))
               for share in shares if share]
    for client in clients:
        client.start()
    idle_mb = _rss_mb(server_pids)
    connected = sum(ready.get(timeout=600) for _ in clients)
    connected_mb, connected_cpu_s = _rss_mb(server_pids), _cpu_s(server_pids)
    started = time.perf_counter()
    go.set()
    parts: list[dict[str, Any]] = []
    peak_mb = connected_mb
    while len(parts) < len(clients):
        peak_mb = max(peak_mb, _rss_mb(server_pids))
        try:
            parts.append(out.get(timeout=0.2))
        except Exception:  # queue.Empty: keep sampling memory
            continue
    wall_s = time.perf_counter() - started
    for client in clients:
        client.join(timeout=30)
    return {"connected": connected, "turns": [turn for part in parts for turn in part["turns"]],
            "session_failures": [f for part in parts for f in part["failures"]][:5],
            "failed_sessions": sum(len(part["failures"]) for part in parts), "wall_s": wall_s,
            "idle_mb": idle_mb, "connected_mb": connected_mb, "peak_mb": peak_mb,
            "server_turns_cpu_s": _cpu_s(server_pids) - connected_cpu_s,
            "client_cpu_s": round(sum(part["cpu_s"] for part in parts), 2)}


def _token_delays(turn: dict[str, Any], baseline: list[tuple[float, int]]) -> list[float]:
    """Added ms per token: arrival of the frame that carried it minus when the runner alone produced it."""
    delays, frame_index = [], 0
    for offset, end in baseline:
        while frame_index < len(turn["frames"]) and turn["frames"][frame_index][1] < end:
            frame_index += 1
        if frame_index == len(turn["frames"]):
            break
        delays.append(turn["frames"][frame_index][0] - offset)
    return delays


def _percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"p50": 0.0, "p95": 0.0}
    ordered = sorted(values)
    return {"p50": round(ordered[len(ordered) // 2], 2), "p95": round(ordered[int(len(ordered) * 0.95) - 1], 2)}


def _turns_in_flight(spans: list[tuple[float, float]]) -> dict[str, float]:
    """Turns running at once, as the clients saw them: the most at any moment, and on average while any ran."""
    if not spans:
        return {"max": 0, "mean": 0.0}
    edges = sorted([(start, 1) for start, _ in spans] + [(end, -1) for _, end in spans])
    running = most = 0
    for _, step in edges:
        running += step
        most = max(most, running)
    busy_s = max(end for _, end in spans) - min(start for start, _ in spans)
    return {"max": most, "mean": round(sum(end - start for start, end in spans) / max(busy_s, 1e-9), 1)}


def _report(results: dict[str, Any], baseline: list[tuple[float, int]], baseline_turn_ms: float,
            server_turn_ms: float, sessions: int, turns: int, tokens_per_s: float, replicas: int,
            client_processes: int, ramp_s: float, think_s: float) -> dict[str, Any]:
    done = [turn for turn in results["turns"] if turn["ok"]]
    spans = [tuple(turn["span"]) for turn in results["turns"]]
    lost = (sessions * turns - len(done)) * len(baseline)
    lost += sum(sum(1 for _, end in baseline if end > len(turn["text"])) for turn in done)
    frames = sum(len(turn["frames"]) for turn in results["turns"])
    return {
        "sessions": sessions, "turns_per_session": turns, "scripted_tokens_per_s": tokens_per_s,
        "replicas": replicas, "client_processes": client_processes, "ramp_s": ramp_s, "think_s": think_s,
        "turns_done": len(done),
        "offered_turns_per_s": round(len(results["turns"]) / results["wall_s"], 1),
        "turns_in_flight": _turns_in_flight(spans),
        "turn_errors": sorted({turn["code"] for turn in results["turns"] if not turn["ok"]}),
        "failed_sessions": results["failed_sessions"], "session_failures": results["session_failures"],
        "tokens_lost": lost, "turns_with_text_mismatch": sum(1 for turn in done if turn["text"] != turn["done_text"]),
        "baseline_turn_ms": round(baseline_turn_ms, 1),
        "added_ms_per_token": _percentiles([d for turn in done for d in _token_delays(turn, baseline)]),
        "added_ms_per_turn": _percentiles([turn["turn_ms"] - baseline_turn_ms for turn in done]),
        "server_added_ms_per_turn_mean": round(server_turn_ms - baseline_turn_ms, 1),
        "turn_ms": _percentiles([turn["turn_ms"] for turn in done]),
        "token_frames": frames, "tokens_per_frame": round(len(baseline) * len(done) / max(1, frames), 2),
        "frames_per_s": round(frames / results["wall_s"], 1),
        "server_rss_mb": {"idle": round(results["idle_mb"], 1), "all_connected": round(results["connected_mb"], 1),
                          "peak": round(results["peak_mb"], 1)},
        "wall_s": round(results["wall_s"], 2),
        "cpu_s": {"servers": round(results["server_turns_cpu_s"], 2), "clients": results["client_cpu_s"],
                  "cores": os.cpu_count(), "load_average_after": [round(load, 2) for load in os.getloadavg()]},
        "server_cpu_ms_per_turn": round(results["server_turns_cpu_s"] * 1000 / max(1, sessions * turns), 2),
    }


def bench_serve(
    sessions: Annotated[int, typer.Option(min=1, help="Concurrent websocket sessions")] = 500,
    turns: Annotated[int, typer.Option(min=1, help="Turns per session")] = 2,
    tokens_per_s: Annotated[float, typer.Option(help="Scripted backend's token rate")] = 50.0,
    ramp_s: Annotated[float, typer.Option(help="Sessions send their first message within this many seconds")] = 30.0,
    think_s: Annotated[float, typer.Option(help="Mean pause between an answer and the session's next message")] = 8.0,
    replicas: Annotated[int, typer.Option(min=1, help="Server processes (more than one: nginx + Postgres)")] = 1,
    client_processes: Annotated[int, typer.Option(min=1, help="Processes the sessions are spread over")] = 2,
    out: Annotated[Path | None, typer.Option(help="JSON report (default var/reports/bench_serve_<N>r.json)")] = None,
) -> None:
    """Concurrent websocket sessions against the scripted backend: added latency, tokens lost, frames, CPU."""
    from serving.cluster import (
        Cluster,
        Service,
        free_port,
        init_postgres,
        postgres_service,
        proxy_service,
    )

    out = out or Path(f"var/reports/bench_serve_{replicas}r.json")
    load_before = [round(load, 2) for load in os.getloadavg()]
    with tempfile.TemporaryDirectory(prefix="shopassist-bench-") as data_dir:
        settings = load_settings(llm_backend="scripted", data_dir=Path(data_dir) / "baseline",
                                 scripted_tokens_per_s=tokens_per_s, database_url="", **MODEL_WRITES)
        baseline, baseline_turn_ms = asyncio.run(_baseline(settings, 5))
        cluster = Cluster(Path(data_dir) / "cluster")
        try:
            database_url = ""
            if replicas > 1:
                database_url = "postgresql+psycopg://shopassist@127.0.0.1:{}/postgres".format(
                    cluster.start(postgres_service(init_postgres("shopassist"), free_port())).port)
            env = {"SHOPASSIST_LLM_BACKEND": "scripted", "SHOPASSIST_DATA_DIR": data_dir,
                   "SHOPASSIST_DATABASE_URL": database_url, "SHOPASSIST_REDIS_URL": "",
                   "SHOPASSIST_SCRIPTED_TOKENS_PER_S": str(tokens_per_s), "SHOPASSIST_ENV": "test",
                   "SHOPASSIST_MAX_CONCURRENT_STREAMS": str(sessions * 2),
                   "SHOPASSIST_MESSAGES_PER_MINUTE": "100000", "SHOPASSIST_MESSAGES_PER_MINUTE_PER_IP": "1000000",
                   **{f"SHOPASSIST_{name.upper()}": value for name, value in MODEL_WRITES.items()}}
            from commerce.db import Database

            Database(database_url or f"sqlite:///{data_dir}/shop.db").migrate()  # once, before replicas race to
            ports = [free_port() for _ in range(replicas)]
            servers = [cluster.start(Service(
                name=f"api-{number}", port=port, env=env, ready_path="/health",
                command=[sys.executable, "-m", "uvicorn", "--factory", "evals.bench.serve:bench_app", "--port",
                         str(port), "--log-level", "warning", "--ws-per-message-deflate", "false",
                         "--no-access-log"])) for number, port in enumerate(ports, start=1)]
            entry = ports[0] if replicas == 1 else cluster.start(proxy_service(cluster.root, free_port(), ports)).port
            results = _run_clients(f"ws://127.0.0.1:{entry}/ws/chat", sessions, turns, ramp_s, think_s,
                                   client_processes, [server.pid or 0 for server in servers])
            server_turn_ms = _server_turn_ms(ports)
        finally:
            cluster.down()
    report = _report(results, baseline, baseline_turn_ms, server_turn_ms, sessions, turns, tokens_per_s, replicas,
                     client_processes, ramp_s, think_s)
    report["cpu_s"]["load_average_before"] = load_before
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))  # noqa: T201 - a benchmark's figures are its output
    print(f"wrote {out}")  # noqa: T201
