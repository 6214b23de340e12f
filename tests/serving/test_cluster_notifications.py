"""Alerts on a real local cluster (`shopassist cluster`: Postgres, Redis, Chroma server, two replicas behind nginx):
the shopper connected to both replicas gets each trigger once — after an operator's offer update and after a
`shopassist data import` of a new feed — and nothing once forgotten. Writes its figures under var/reports/."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect

from commerce.db import Database
from commerce.importers.jsonl import export_jsonl
from commerce.models import Product, Variant
from commerce.watches import create_watch
from ranking.privacy import erase_shopper
from serving.cluster import BIN, Cluster, postgres_bin
from serving.cluster_cli import bring_up, replica_env
from serving.identity import issue_token
from shopassist.settings import load_settings
from tests.servers import free_port, require
from tests.serving.shoppers import write_report

pytestmark = pytest.mark.slow
OPERATOR = {"Authorization": "Bearer operator-dev-token"}
TRAIL = Product(id="p_trail", title="Trail Runner X", price=120.0,
                variants=[Variant(id="v_trail", options={"size": "10"}, price=120.0, stock=3)])


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    require(postgres_bin() is not None, "Postgres")
    require(shutil.which("redis-server") is not None, "redis-server")
    root = tmp_path_factory.mktemp("alerts")
    export_jsonl([TRAIL], root / "catalog.jsonl")
    running = bring_up(root / "cluster", replicas=2, port=free_port(), catalog=root / "catalog.jsonl")
    try:
        yield running
    finally:
        running.down()


def _env(cluster: Cluster) -> dict[str, str]:
    return replica_env(cluster, cluster.root / "data")


async def _open(port: int, token: str) -> ClientConnection:
    ws = await connect(f"ws://127.0.0.1:{port}/ws/chat", open_timeout=10, compression=None)
    await ws.send(json.dumps({"type": "hello", "token": token}))
    while json.loads(await ws.recv())["type"] != "session":
        pass
    return ws


async def _notes_within(sockets: list[ClientConnection], seconds: float) -> list[tuple[int, dict[str, Any], float]]:
    """(socket index, notification frame, seconds after the call) for everything that arrives within `seconds`."""
    started = time.monotonic()
    found: list[tuple[int, dict[str, Any], float]] = []

    async def drain(index: int, ws: ClientConnection) -> None:
        while (left := seconds - (time.monotonic() - started)) > 0:
            try:
                frame = json.loads(await asyncio.wait_for(ws.recv(), left))
            except TimeoutError:
                return
            if frame["type"] == "notification":
                found.append((index, frame, round(time.monotonic() - started, 3)))

    await asyncio.gather(*(drain(index, ws) for index, ws in enumerate(sockets)))
    return found


def _offer(cluster: Cluster, price: float) -> int:
    response = httpx.post(f"http://127.0.0.1:{cluster['proxy'].port}/v1/console/offers", headers=OPERATOR,
                          json={"offers": [{"variant_id": "v_trail", "price": price}]}, timeout=10)
    response.raise_for_status()
    return int(response.json()["notifications"])


def _import(cluster: Cluster, price: float, folder: Path) -> None:
    feed = folder / f"feed-{price}.jsonl"
    export_jsonl([TRAIL.model_copy(update={"variants": [TRAIL.variants[0].model_copy(update={"price": price})]})],
                 feed)
    done = subprocess.run([str(BIN / "shopassist"), "data", "import", str(feed), "--format", "jsonl"],
                          env={**os.environ, **_env(cluster)}, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]


def test_two_replicas_show_each_trigger_once_and_nothing_after_forget_me(cluster: Cluster, tmp_path: Path) -> None:
    database = Database(_env(cluster)["SHOPASSIST_DATABASE_URL"])
    with database.session() as session:
        create_watch(session, "alice", "p_trail", "below", timedelta(days=90), 100.0)
    token = issue_token(load_settings(), "alice")

    async def scenario() -> dict[str, Any]:
        sockets = [await _open(cluster[name].port, token) for name in ("api-1", "api-2")]
        try:
            queued_by_console = _offer(cluster, 89.0)
            console = await _notes_within(sockets, 2.0)
            _offer(cluster, 120.0)  # over the threshold again: re-armed
            _import(cluster, 79.0, tmp_path)
            imported = await _notes_within(sockets, 2.0)
            with database.session() as session:
                erase_shopper(session, "alice")
            _offer(cluster, 120.0)
            _import(cluster, 70.0, tmp_path)
            forgotten = await _notes_within(sockets, 2.0)
        finally:
            for ws in sockets:
                await ws.close()
        return {"queued_by_console": queued_by_console, "console": console, "imported": imported,
                "after_forget_me": forgotten}

    seen = asyncio.run(scenario())
    figures = {
        "replicas_connected": 2,
        "console_update_notifications": len(seen["console"]),
        "console_update_arrival_s": [arrival for _, _, arrival in seen["console"]],
        "import_notifications": len(seen["imported"]),
        "import_arrival_s_after_import_returned": [arrival for _, _, arrival in seen["imported"]],
        "after_forget_me": len(seen["after_forget_me"]),
    }
    write_report("alerts_two_replicas", figures)
    assert seen["queued_by_console"] == 1
    assert [frame["price"] for _, frame, _ in seen["console"]] == [89.0], figures
    assert [frame["price"] for _, frame, _ in seen["imported"]] == [79.0], figures
    assert seen["imported"][0][2] < 1.0, figures
    assert seen["after_forget_me"] == [], figures
