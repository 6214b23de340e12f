"""Scale-out variants: two app replicas sharing Postgres and Redis (run when the test machine has them), and
Redis going away under them."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from commerce.db import Database
from serving.cluster import redis_service, wait_until
from shopassist.settings import load_settings
from tests.servers import free_port, local_cluster, require
from tests.serving.conftest import hello, make_client, turn, until
from tests.serving.fakes import ScriptedRunner
from tests.serving.shoppers import write_report

OPERATOR = {"Authorization": "Bearer operator-dev-token"}


@pytest.mark.postgres
def test_resume_and_dedupe_on_postgres(postgres_url: str, tmp_path: Path) -> None:
    database = Database(postgres_url)
    database.migrate()
    runner = ScriptedRunner()
    settings = load_settings(env="test", data_dir=tmp_path, database_url=postgres_url)
    with make_client(settings, database, runner) as client:
        with client.websocket_connect("/ws/chat") as ws:
            session_id = hello(ws)["session_id"]
            first = turn(ws, "tents", "m1")[-1]
        with client.websocket_connect("/ws/chat") as ws:
            session = hello(ws, session_id=session_id)
            again = turn(ws, "tents", "m1")
    assert [item["role"] for item in session["history"]] == ["user", "assistant"]
    assert again[0]["duplicate"] is True and again[-1]["message_id"] == first["message_id"]
    assert len(runner.requests) == 1


def test_rate_limits_are_shared_by_replicas_through_redis(tmp_path: Path, database: Database, redis_url: str) -> None:
    settings = load_settings(env="test", data_dir=tmp_path, redis_url=redis_url, messages_per_minute=100,
                             messages_per_minute_per_ip=2)
    ip = f"client-{uuid.uuid4().hex}"  # a fresh key: Redis keeps counters across test runs
    with make_client(settings, database, ScriptedRunner(), ip) as one, \
            make_client(settings, database, ScriptedRunner(), ip) as two:
        codes = []
        for client in (one, two, one):
            with client.websocket_connect("/ws/chat") as ws:
                hello(ws)
                codes.append(turn(ws, "tents", "m")[-1].get("code"))
    assert codes == [None, None, "rate_limited"]


def _operator_replies(shopper_side: TestClient, operator_side: TestClient, text: str) -> list[dict[str, Any]]:
    """A shopper on one replica asks for a human; an operator on the other answers: the shopper's frames."""
    with shopper_side.websocket_connect("/ws/chat") as ws:
        session_id = hello(ws)["session_id"]
        turn(ws, "a human please", "m1")
        response = operator_side.post(f"/v1/console/conversations/{session_id}/reply", headers=OPERATOR,
                                      json={"text": text})
        assert response.status_code == 200
        return until(ws, "operator")


def test_operator_reply_on_one_replica_reaches_the_shopper_on_another(
    tmp_path: Path, database: Database, redis_url: str
) -> None:
    settings = load_settings(env="test", data_dir=tmp_path, redis_url=redis_url)
    with make_client(settings, database, ScriptedRunner()) as shopper_side, \
            make_client(settings, database, ScriptedRunner()) as operator_side:
        frames = _operator_replies(shopper_side, operator_side, "Sam here, from replica two.")
    assert {"type": "state", "state": "human"} in frames
    assert frames[-1]["text"] == "Sam here, from replica two."


def test_redis_down_degrades_to_per_replica_then_shares_again(
    tmp_path: Path, database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    require(shutil.which("redis-server") is not None, "redis-server")
    with local_cluster() as servers:
        redis = servers.start(redis_service(free_port()))
        settings = load_settings(env="test", data_dir=tmp_path, redis_url=f"redis://127.0.0.1:{redis.port}/0",
                                 messages_per_minute=100, messages_per_minute_per_ip=2)
        with make_client(settings, database, ScriptedRunner()) as one, \
                make_client(settings, database, ScriptedRunner()) as two:
            servers.kill("redis")
            codes = []
            for client in (one, two, one, one):
                with client.websocket_connect("/ws/chat") as ws:
                    hello(ws)
                    codes.append(turn(ws, "tents", "m")[-1].get("code"))
            warned = "Redis unavailable" in caplog.text

            servers.restart("redis")
            hubs = [client.app.state.services.hub for client in (one, two)]  # type: ignore[attr-defined]
            wait_until(lambda: all(hub.shared for hub in hubs), 20, "the hubs did not reconnect to Redis")
            fanned_out = _operator_replies(one, two, "Back across replicas.")[-1]["text"] == "Back across replicas."
    write_report("redis_down", {"fault": "Redis SIGKILL, then restarted", "turns": len(codes),
                                "answered": codes.count(None), "errors": [code for code in codes if code],
                                "warning_logged": warned, "fan_out_across_replicas_after_restart": fanned_out})
    assert codes == [None, None, None, "rate_limited"]  # every turn answered; limits per replica
    assert warned and fanned_out
