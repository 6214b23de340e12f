"""`shopassist bench ucp`: checkout create → complete and catalog search latency through the UCP REST endpoints,
over real HTTP against a uvicorn server process, on a synthetic catalog of N products (100k by default).

The catalog is `bench search`'s synthetic one, bulk-inserted into a temporary SQLite database (one variant each).
Search runs over that catalog's in-process index with random unit vectors in the shipped spaces' sizes (MiniLM 384-d
and USE 512-d) and no Chroma: embedding 100k product texts for real would take the bench most of an hour on 2 cores,
and the hashing test embedder's 64-d vectors would make the dense part of each search cheaper than the real one.
Search relevance is not what is measured here; `eval retrieval` does that.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import tempfile
import time
from pathlib import Path
from typing import Annotated, Any

import httpx
import numpy as np
import typer
from sqlalchemy import insert

from commerce.agents import issue_agent_key
from commerce.db import Database
from commerce.tables import ProductRow, ShippingRateRow, VariantRow
from evals.bench.search import ADJECTIVES, WORDS, build_index, load_average, synthetic_docs
from serving.cluster import free_port
from shopassist.settings import load_settings

PROFILE = 'profile="https://bench.example/.well-known/ucp"'
IN_STOCK = 1_000_000  # units per in-stock variant: checkouts never run a bench item out
CHUNK = 10_000
PAY_WITH = {"payment": {"instruments": [{"id": "instr_1", "handler_id": "mock_payment_handler", "type": "card",
                                         "selected": True, "credential": {"type": "token", "token": "success_token"}}]}}


def write_catalog(database: Database, n: int, seed: int) -> list[str]:
    """The synthetic products and a variant each (`{id}-v`), by bulk insert; returns the in-stock variant ids."""
    docs = synthetic_docs(n, np.random.default_rng(seed))  # the same docs build_index(n, seed) indexes
    with database.session() as session:
        for start in range(0, n, CHUNK):
            batch = docs[start:start + CHUNK]
            session.execute(insert(ProductRow), [
                {"id": doc.id, "title": doc.title, "description": "", "brand": doc.brand,
                 "category_path": list(doc.category_path), "price": round(doc.price, 2), "currency": doc.currency,
                 "attributes": {"color": next(iter(doc.colours))}, "rating": doc.rating, "review_count": 0,
                 "image_url": "", "language": doc.language} for doc in batch])
            session.execute(insert(VariantRow), [
                {"id": f"{doc.id}-v", "product_id": doc.id, "position": 0, "options": {},
                 "price": round(doc.price, 2), "stock": IN_STOCK if doc.in_stock else 0} for doc in batch])
        session.add(ShippingRateRow(id="std-ship", country_code="default", service_level="standard",
                                    title="Standard", amount=500))
    return [f"{doc.id}-v" for doc in docs if doc.in_stock]


def _serve(folder: str, n: int, seed: int, port: int) -> None:
    """The server process: the real app over the database in `folder` and the synthetic index of its products."""
    import uvicorn

    from agent.runner import AgentRunner
    from serving.app import create_app
    from tools.deps import Deps
    from vectorstore.passages import PassageIndex
    from vectorstore.service import SearchService

    settings = load_settings(env="test", data_dir=Path(folder) / "var", llm_backend="scripted",
                             public_base_url=f"http://127.0.0.1:{port}")
    database = Database(f"sqlite:///{Path(folder) / 'shop.db'}")
    index, _ = build_index(n, seed)
    search = SearchService(index, PassageIndex(index.spaces[0].embedder))
    app = create_app(settings, database, AgentRunner(settings, database, tools=[]),
                     Deps(database, settings, search=search))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


def _wait_until_up(url: str, server: multiprocessing.process.BaseProcess, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not server.is_alive():
            raise RuntimeError("the bench server exited while starting")
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.25)
    raise RuntimeError(f"the bench server did not start within {timeout_s:.0f} s")


def _percentiles(samples: list[float]) -> dict[str, float]:
    return {"p50_ms": round(float(np.percentile(samples, 50)) * 1000, 1),
            "p95_ms": round(float(np.percentile(samples, 95)) * 1000, 1), "calls": len(samples)}


def _post(client: httpx.Client, path: str, body: dict[str, Any], expected: int) -> tuple[float, httpx.Response]:
    """Seconds the call took, and its response (which must have the `expected` status)."""
    started = time.perf_counter()
    response = client.post(path, json=body)
    elapsed = time.perf_counter() - started
    if response.status_code != expected:
        raise RuntimeError(f"POST {path}: {response.status_code} {response.text[:300]}")
    return elapsed, response


def checkout_body(variant_id: str) -> dict[str, Any]:
    destination = {"id": "d1", "street_address": "1 Bench St", "address_locality": "Springfield",
                   "address_region": "IL", "address_country": "US", "postal_code": "62704"}
    return {"line_items": [{"item": {"id": variant_id}, "quantity": 1}], "buyer": {"email": "bench@example.com"},
            "fulfillment": {"methods": [{"type": "shipping", "destinations": [destination],
                                         "groups": [{"id": "group_1", "selected_option_id": "std-ship"}]}]}}


def search_bodies(count: int, seed: int) -> list[dict[str, Any]]:
    """Two-word queries from the catalog's vocabulary; every other one with a price filter (minor units)."""
    rng = np.random.default_rng(seed)
    bodies: list[dict[str, Any]] = []
    for i in range(count):
        body: dict[str, Any] = {"query": " ".join(str(word) for word in rng.choice(WORDS + ADJECTIVES, 2))}
        if i % 2:
            body["filters"] = {"price": {"max": int(rng.choice([3000, 6000, 12000]))}}
        bodies.append(body)
    return bodies


def measure(url: str, api_key: str, variants: list[str], checkouts: int, searches: int, seed: int) -> dict[str, Any]:
    """Sequential calls from one client (after 5 untimed of each), so each latency is the server's alone."""
    rng = np.random.default_rng(seed)
    headers = {"UCP-Agent": PROFILE, "Authorization": f"Bearer {api_key}"}
    create, complete, both, search = [], [], [], []
    with httpx.Client(base_url=url, headers=headers, timeout=60) as client:
        bodies = search_bodies(searches + 5, seed)
        load = load_average()
        for number in range(checkouts + 5):
            variant = variants[int(rng.integers(len(variants)))]
            created_s, created = _post(client, "/checkout-sessions", checkout_body(variant), 201)
            path = f"/checkout-sessions/{created.json()['id']}/complete"
            completed_s, done = _post(client, path, PAY_WITH, 200)
            if done.json()["status"] != "completed":
                raise RuntimeError(f"checkout ended {done.json()['status']}")
            if number >= 5:
                create.append(created_s)
                complete.append(completed_s)
                both.append(created_s + completed_s)
        found = 0
        for number, body in enumerate(bodies):
            elapsed, response = _post(client, "/catalog/search", body, 200)
            if number >= 5:
                search.append(elapsed)
                found += bool(response.json()["products"])
    return {"checkout_create": _percentiles(create), "checkout_complete": _percentiles(complete),
            "checkout_create_to_complete": _percentiles(both), "catalog_search": _percentiles(search),
            "searches_with_products": found, "load_average_1m": [load, load_average()]}


def run(products: int, checkouts: int, searches: int, seed: int = 0, start_timeout_s: float = 900) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-ucp-") as folder:
        database = Database(f"sqlite:///{Path(folder) / 'shop.db'}")
        database.migrate()
        started = time.perf_counter()
        variants = write_catalog(database, products, seed)
        insert_s = time.perf_counter() - started
        with database.session() as session:
            api_key = issue_agent_key(session, "bench").api_key
        database.engine.dispose()
        port = free_port()
        server = multiprocessing.get_context("spawn").Process(target=_serve, args=(folder, products, seed, port),
                                                              daemon=True)
        started = time.perf_counter()
        server.start()
        try:
            _wait_until_up(f"http://127.0.0.1:{port}", server, start_timeout_s)
            start_s = time.perf_counter() - started
            figures = measure(f"http://127.0.0.1:{port}", api_key, variants, checkouts, searches, seed)
        finally:
            server.terminate()
            server.join(timeout=30)
    return {"products": products, "database": "sqlite", "index": "synthetic vectors, MiniLM 384-d + USE 512-d",
            "catalog_insert_s": round(insert_s, 1), "server_start_s": round(start_s, 1), **figures,
            "cpus": os.cpu_count()}


def bench_ucp(
    products: Annotated[int, typer.Option(help="Synthetic catalog size")] = 100_000,
    checkouts: Annotated[int, typer.Option(help="Timed checkouts (create then complete), after 5 untimed")] = 200,
    searches: Annotated[int, typer.Option(help="Timed catalog searches, after 5 untimed")] = 200,
    out: Annotated[Path, typer.Option(help="JSON report path")] = Path("var/reports/bench_ucp.json"),
) -> None:
    """p50/p95 of UCP checkout create → complete and catalog search over HTTP, at `products` products."""
    report = run(products, checkouts, searches)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2), encoding="utf-8")
    typer.echo(json.dumps(report, indent=2))
    typer.echo(f"wrote {out}", err=True)
