"""Fault tests on a real local cluster (`shopassist cluster`): Postgres, Redis, Chroma server, an LLM server, two
replicas behind nginx. Each kills something while shoppers stream and writes its report under var/reports/."""

from __future__ import annotations

import asyncio
import shutil
import signal
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from commerce.demo.products import generate_products
from commerce.importers.jsonl import export_jsonl
from serving.cluster import Cluster, postgres_bin
from serving.cluster_cli import bring_up, replica_env
from tests.servers import free_port, require
from tests.serving.shoppers import Shopper, half_written, report, stored_outcomes, write_report

pytestmark = pytest.mark.slow
LEASE_S = 3.0


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    require(postgres_bin() is not None, "Postgres")
    require(shutil.which("redis-server") is not None, "redis-server")
    root = tmp_path_factory.mktemp("cluster")
    # A 60-product shop: indexed in seconds (the demo shop's 3,200 take minutes on 2 cores).
    export_jsonl([item.product for item in generate_products(7)[:60]], root / "catalog.jsonl")
    # 10 tokens/s: a scripted answer streams for ~2 s, long enough to be killed in the middle.
    running = bring_up(root / "cluster", replicas=2, port=free_port(), tokens_per_s=10,
                       catalog=root / "catalog.jsonl", extra_env={
                           "SHOPASSIST_TURN_LEASE_S": str(LEASE_S), "SHOPASSIST_MESSAGES_PER_MINUTE_PER_IP": "100000"})
    try:
        warm = [Shopper(f"warm{index}", _url(running)) for index in range(2)]  # round robin: one per replica
        for shopper in warm:
            asyncio.run(shopper.say("tents", "warm"))
        yield running
    finally:
        running.down()


def _url(cluster: Cluster) -> str:
    return f"ws://127.0.0.1:{cluster['proxy'].port}/ws/chat"


def _database_url(cluster: Cluster) -> str:
    return replica_env(cluster, cluster.root / "data")["SHOPASSIST_DATABASE_URL"]


def _streaming(cluster: Cluster, sessions: int, fault: Callable[[], None],
               after_s: float) -> tuple[list[Shopper], float]:
    """`sessions` shoppers say two things each; `fault` strikes `after_s` in. Returns them and the seconds from the
    fault until every message was answered or failed."""
    shoppers = [Shopper(f"s{index}", _url(cluster)) for index in range(sessions)]

    async def converse(shopper: Shopper) -> None:
        for turn in range(2):
            await shopper.say(f"{shopper.name} wants tents, turn {turn}", f"{shopper.name}-{turn}")

    async def scenario() -> float:
        tasks = [asyncio.create_task(converse(shopper)) for shopper in shoppers]
        await asyncio.sleep(after_s)
        struck_at = time.monotonic()
        fault()
        await asyncio.gather(*tasks)
        return time.monotonic() - struck_at

    return shoppers, asyncio.run(scenario())


def test_replica_sigkilled_while_50_sessions_stream(cluster: Cluster) -> None:
    # 1.5 s in, every session has sent its first message; answers take ~2 s to stream.
    shoppers, recovered_s = _streaming(cluster, 50, lambda: cluster.kill("api-1", signal.SIGKILL), 1.5)

    async def histories() -> list[bool]:
        return list(await asyncio.gather(*(shopper.history_intact() for shopper in shoppers)))

    figures = report(shoppers, stored_outcomes(_database_url(cluster), [s.session_id or "" for s in shoppers]),
                     fault="api-1 SIGKILL", lease_s=LEASE_S, all_answered_s_after_kill=round(recovered_s, 1),
                     histories_intact=sum(asyncio.run(histories())))
    write_report("kill_replica", figures)
    cluster.restart("api-1")
    assert figures["messages"] == 100 and figures["lost"] == 0 and figures["duplicated"] == 0, figures
    assert figures["failed"] == {} and figures["interrupted_and_resent"] > 0, figures
    assert figures["answered"] + figures["interrupted_and_resent"] == 100, figures
    assert figures["histories_intact"] == 50, figures


def test_llm_server_killed_mid_stream(cluster: Cluster) -> None:
    shopper = Shopper("llm", _url(cluster))
    replicas = {name: cluster[name].pid for name in ("api-1", "api-2")}

    async def scenario() -> dict[str, Any]:
        talking = asyncio.create_task(shopper.say("tents for two please", "llm-0"))
        await asyncio.sleep(1.0)  # the plan is done and the answer is streaming
        cluster.kill("llm", signal.SIGKILL)
        await talking
        cluster.restart("llm")
        back = time.monotonic()
        attempt, backoff = 0, 0.5
        while True:  # what a client does after llm_unavailable: retry with backoff, a new message each time
            attempt += 1
            await shopper.say("tents for two please", f"llm-retry-{attempt}")
            if f"llm-retry-{attempt}" in shopper.answered or attempt == 8:
                break
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 4.0)
        return {"answered_after_restart_s": round(time.monotonic() - back, 1), "attempts": attempt}

    recovery = asyncio.run(scenario())
    stored = stored_outcomes(_database_url(cluster), [shopper.session_id or ""])
    figures = report([shopper], stored, fault="LLM server SIGKILL mid-stream",
                     error_after_s=round(shopper.error_after_s.get("llm-0", -1), 1), **recovery)
    write_report("kill_llm", figures)
    assert shopper.failed.get("llm-0") == "llm_unavailable", figures
    assert figures["error_after_s"] <= 10, figures
    assert f"llm-retry-{recovery['attempts']}" in shopper.answered, figures
    assert {name: cluster[name].pid for name in replicas} == replicas  # no API restart
    assert figures["lost"] == 0 and figures["duplicated"] == 0, figures


def test_postgres_restarted_while_sessions_stream(cluster: Cluster) -> None:
    def restart() -> None:
        cluster.stop("postgres")  # a fast shutdown: open transactions roll back
        cluster.restart("postgres")

    shoppers, _ = _streaming(cluster, 10, restart, 1.0)
    sessions = [shopper.session_id or "" for shopper in shoppers]
    figures = report(shoppers, stored_outcomes(_database_url(cluster), sessions), fault="Postgres restart",
                     **half_written(_database_url(cluster), sessions))
    write_report("restart_postgres", figures)
    assert figures["lost"] == 0 and figures["duplicated"] == 0, figures
    assert figures["orphan_replies"] == 0 and figures["leases_of_answered_messages"] == 0, figures
    assert set(figures["failed"].values()) <= {"internal"}, figures  # failed cleanly, with an error frame


def test_chroma_server_down_search_still_answers_then_back(cluster: Cluster) -> None:
    shopper = Shopper("chroma", _url(cluster))
    restarted = Shopper("chroma-restarted", f"ws://127.0.0.1:{cluster['api-2'].port}/ws/chat")
    cluster.kill("chroma", signal.SIGKILL)
    try:
        asyncio.run(shopper.say("tents for two", "chroma-down"))
        cluster.kill("api-2", signal.SIGKILL)
        cluster.restart("api-2")  # starts without its index: it cannot load it now
        asyncio.run(restarted.say("tents for two", "chroma-down"))
    finally:
        cluster.restart("chroma")
    asyncio.run(shopper.say("tents for two", "chroma-back"))
    asyncio.run(restarted.say("tents for two", "chroma-back"))
    figures = report([shopper, restarted], stored_outcomes(_database_url(cluster), [shopper.session_id or "",
                                                                                     restarted.session_id or ""]),
                     fault="Chroma server SIGKILL", products_shown={"running replica": shopper.products,
                                                                    "replica restarted meanwhile": restarted.products})
    write_report("kill_chroma", figures)
    # Running replicas hold the index in memory (dense vectors and BM25): search stays hybrid without the server.
    assert shopper.products["chroma-down"] > 0 and shopper.products["chroma-back"] > 0, figures
    # A replica started meanwhile serves, answers without products, and loads the index once Chroma is back.
    assert "chroma-down" not in restarted.products and restarted.products["chroma-back"] > 0, figures
    assert figures["lost"] == 0 and figures["failed"] == {}, figures
