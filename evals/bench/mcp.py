"""`shopassist bench mcp`: p50/p95 of `search_products` and `recommend_products` over `/mcp` (in-process ASGI)."""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any

import anyio
import numpy as np
import typer

from shopassist.settings import get_settings

QUERIES = [
    "waterproof hiking boots under $120",
    "wireless headphones",
    "100元以内的蓝牙耳机",
    "a warm jacket for winter",
    "running shoes not leather",
    "coffee grinder",
]


def _percentiles(timings: list[float]) -> dict[str, float]:
    return {name: round(float(np.percentile(timings, q)), 1) for name, q in (("p50_ms", 50), ("p95_ms", 95))}


async def _timed(call: Callable[[], Awaitable[Any]], count: int) -> dict[str, Any]:
    """The first call apart (it loads indexes and fits signals), then `count` timed calls."""
    started = time.perf_counter()
    await call()
    first = (time.perf_counter() - started) * 1000
    timings = []
    for _ in range(count):
        started = time.perf_counter()
        await call()
        timings.append((time.perf_counter() - started) * 1000)
    return {"first_call_ms": round(first, 1), "calls": count, **_percentiles(timings)}


async def run(calls: int, shopper_id: str | None) -> dict[str, Any]:
    import httpx2
    from mcp.client.session import ClientSession
    from mcp.client.streamable_http import streamable_http_client

    from commerce.db import Database
    from serving.identity import issue_token
    from serving.mcp_server import McpEndpoint
    from tools.deps import Deps

    settings = get_settings()
    database = Database(settings.sqlalchemy_url)
    endpoint = McpEndpoint(Deps(database, settings))
    headers = {"Authorization": f"Bearer {issue_token(settings, shopper_id)}"} if shopper_id else {}
    position = 0

    transport = httpx2.ASGITransport(app=endpoint.asgi_app)
    async with endpoint.run(), httpx2.AsyncClient(transport=transport, headers=headers, timeout=120) as http, \
            streamable_http_client("http://bench/", http_client=http) as (read, write), \
            ClientSession(read, write) as session:
        await session.initialize()

        async def call(name: str, arguments: dict[str, Any]) -> None:
            result = await session.call_tool(name, arguments)
            if result.is_error:
                raise RuntimeError(f"{name} failed: {result.content[0].text}")

        async def search() -> None:
            nonlocal position
            position += 1
            await call("search_products", {"query": QUERIES[position % len(QUERIES)], "limit": 5})

        async def recommend() -> None:
            await call("recommend_products", {"mode": "for_you", "limit": 5})

        return {"search_products": await _timed(search, calls), "recommend_products": await _timed(recommend, calls)}


def bench_mcp(
    calls: Annotated[int, typer.Option(help="Timed calls per tool (after one untimed first call)")] = 20,
    shopper: Annotated[str | None, typer.Option(help="Shopper id to sign in as (personalized results)")] = None,
    label: Annotated[str, typer.Option(help="A name for this run in the report, e.g. before/after")] = "",
    out: Annotated[Path, typer.Option(help="JSON report path")] = Path("var/reports/bench_mcp.json"),
) -> None:
    """p50/p95 latency of search_products and recommend_products over /mcp, against the configured shop."""
    report = {"label": label, "shopper": shopper, **anyio.run(run, calls, shopper)}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    typer.echo(json.dumps(report, indent=2, ensure_ascii=False))
    typer.echo(f"wrote {out}", err=True)
