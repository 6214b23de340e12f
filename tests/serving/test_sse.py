"""POST /v1/chat streams the same turn as server-sent events, with the same limits and dedupe."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from commerce.db import Database
from shopassist.settings import load_settings
from tests.serving.conftest import hello, make_client, until
from tests.serving.fakes import ANSWER, STATUS, ScriptedRunner


def events(body: str) -> list[dict[str, Any]]:
    frames = []
    for block in body.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        frame = json.loads(lines["data"])
        assert frame["type"] == lines["event"]
        frames.append(frame)
    return frames


def test_a_turn_over_sse(client: TestClient) -> None:
    response = client.post("/v1/chat", json={"text": "tents", "client_message_id": "s1"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
    frames = events(response.text)
    assert [f["type"] for f in frames][:2] == ["session", "ack"] and frames[-1]["type"] == "done"
    assert "".join(f["text"] for f in frames if f["type"] == "token") == "".join(ANSWER)
    assert [f["text"] for f in frames if f["type"] == "status"] == [STATUS]
    session_id = frames[0]["session_id"]
    again = events(client.post("/v1/chat", json={"session_id": session_id, "text": "tents",
                                                 "client_message_id": "s1"}).text)
    assert [f["type"] for f in again] == ["session", "ack", "done"] and again[1]["duplicate"] is True
    assert again[0]["resumed"] is True and len(again[0]["history"]) == 2


def test_sse_limits_and_bad_requests(tmp_path: Path, database: Database) -> None:
    settings = load_settings(env="test", data_dir=tmp_path, messages_per_minute=1)
    with make_client(settings, database, ScriptedRunner()) as client:
        first = events(client.post("/v1/chat", json={"text": "tents", "client_message_id": "a"}).text)
        session_id = first[0]["session_id"]
        limited = client.post("/v1/chat", json={"session_id": session_id, "text": "x", "client_message_id": "b"})
        assert limited.status_code == 429 and limited.json()["code"] == "rate_limited"
        big = client.post("/v1/chat", json={"text": "x" * 20_000, "client_message_id": "c"})
        assert big.status_code == 413 and big.json()["code"] == "frame_too_large"
        bad = client.post("/v1/chat", json={"client_message_id": "d"})
        assert bad.status_code == 422 and bad.json()["code"] == "bad_frame"


def test_a_resend_over_sse_while_the_first_send_still_runs_streams_until_its_answer(
        tmp_path: Path, database: Database) -> None:
    settings = load_settings(env="test", data_dir=tmp_path, messages_per_minute=50)
    with make_client(settings, database, ScriptedRunner(status_pause_s=1.0)) as client:
        with client.websocket_connect("/ws/chat") as ws:
            session_id = hello(ws)["session_id"]
            ws.send_json({"type": "message", "text": "tents", "client_message_id": "r1"})
            until(ws, "ack")
            resent = events(client.post("/v1/chat", json={"session_id": session_id, "text": "tents",
                                                          "client_message_id": "r1"}).text)
            assert until(ws, "done", "error")[-1]["type"] == "done"
    assert [f["type"] for f in resent][:2] == ["session", "ack"] and resent[1]["duplicate"] is True
    assert resent[-1]["type"] == "done" and resent[-1]["client_message_id"] == "r1"
