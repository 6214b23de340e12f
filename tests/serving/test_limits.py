"""Every limit answers with an `error` frame and the server keeps serving: size, rate, streams, time-out."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from commerce.db import Database
from serving.limits import MemoryRateLimiter, StreamSlots
from shopassist.settings import load_settings
from tests.serving.conftest import hello, make_client, turn, until
from tests.serving.fakes import ScriptedRunner


def test_an_oversized_frame_is_refused_and_the_socket_stays_open(client: TestClient) -> None:
    with client.websocket_connect("/ws/chat") as ws:
        hello(ws)
        ws.send_json({"type": "message", "text": "x" * 20_000, "client_message_id": "big"})
        assert until(ws, "error")[-1]["code"] == "frame_too_large"
        assert turn(ws, "tents", "m1")[-1]["type"] == "done"


def test_an_overlong_message_is_refused(tmp_path: Path, database: Database) -> None:
    settings = load_settings(env="test", data_dir=tmp_path, max_message_chars=10)
    with make_client(settings, database, ScriptedRunner()) as client, client.websocket_connect("/ws/chat") as ws:
        hello(ws)
        assert turn(ws, "a very long message indeed", "m1")[-1]["code"] == "message_too_long"


def test_messages_per_minute_per_session(tmp_path: Path, database: Database) -> None:
    settings = load_settings(env="test", data_dir=tmp_path, messages_per_minute=2)
    with make_client(settings, database, ScriptedRunner()) as client, client.websocket_connect("/ws/chat") as ws:
        hello(ws)
        assert turn(ws, "tents", "m1")[-1]["type"] == "done"
        assert turn(ws, "tents", "m2")[-1]["type"] == "done"
        error = turn(ws, "tents", "m3")[-1]
        assert error["code"] == "rate_limited" and error["client_message_id"] == "m3"
        ws.send_json({"type": "ping"})
        assert until(ws, "pong")


def test_messages_per_minute_per_ip_across_sessions(tmp_path: Path, database: Database) -> None:
    settings = load_settings(env="test", data_dir=tmp_path, messages_per_minute=10, messages_per_minute_per_ip=3)
    with make_client(settings, database, ScriptedRunner()) as client:
        codes = []
        for index in range(4):
            with client.websocket_connect("/ws/chat") as ws:
                hello(ws)
                codes.append(turn(ws, "tents", f"m{index}")[-1].get("code"))
    assert codes == [None, None, None, "rate_limited"]


def test_concurrent_streams(tmp_path: Path, database: Database) -> None:
    settings = load_settings(env="test", data_dir=tmp_path, max_concurrent_streams=1)
    runner = ScriptedRunner()
    with make_client(settings, database, runner) as client:
        with client.websocket_connect("/ws/chat") as first, client.websocket_connect("/ws/chat") as second:
            hello(first)
            hello(second)
            first.send_json({"type": "message", "text": "gate tents", "client_message_id": "a"})
            until(first, "ack")
            assert turn(second, "tents", "b")[-1]["code"] == "too_many_streams"
            client.portal.call(runner.release.set)  # type: ignore[union-attr]
            assert until(first, "done")[-1]["client_message_id"] == "a"
            assert turn(second, "tents", "c")[-1]["type"] == "done"


def test_a_turn_that_runs_too_long_is_cut_off(tmp_path: Path, database: Database) -> None:
    settings = load_settings(env="test", data_dir=tmp_path, turn_timeout_s=0.3)
    with make_client(settings, database, ScriptedRunner()) as client, client.websocket_connect("/ws/chat") as ws:
        hello(ws)
        error = turn(ws, "slow tents", "m1")[-1]
        assert error["code"] == "turn_timeout" and error["client_message_id"] == "m1"
        assert turn(ws, "tents", "m2")[-1]["type"] == "done"


@pytest.mark.anyio
async def test_memory_rate_limiter_slides() -> None:
    now = [0.0]
    limiter = MemoryRateLimiter(clock=lambda: now[0])
    assert [await limiter.allow("k", 2) for _ in range(3)] == [True, True, False]
    now[0] = 61.0
    assert await limiter.allow("k", 2) is True


def test_stream_slots() -> None:
    slots = StreamSlots(1)
    assert slots.try_acquire() and not slots.try_acquire()
    slots.release()
    assert slots.try_acquire()
