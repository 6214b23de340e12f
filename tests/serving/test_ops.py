"""Operations: health, readiness, Prometheus metrics, JSON logs that refuse personal data, log export."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from commerce.db import Database
from serving.dialogue_log import read_logs, write_logs
from serving.export import dialogue_logs
from serving.logs import JsonFormatter, event
from tests.serving.conftest import hello, turn


def test_health_ready_metrics(client: TestClient) -> None:
    assert client.get("/health").json() == {"status": "ok"}
    assert client.get("/ready").json()["database"] == "ok"
    with client.websocket_connect("/ws/chat") as ws:
        hello(ws)
        turn(ws, "tents", "m1")
        turn(ws, "boom", "m2")
        metrics = client.get("/metrics").text
    for name in ("shopassist_turn_seconds_bucket", "shopassist_first_token_seconds_bucket",
                 "shopassist_tool_seconds_bucket", 'shopassist_errors_total{code="internal"}',
                 'shopassist_open_sockets{kind="chat"}'):
        assert name in metrics


def test_json_logs_refuse_fields_that_could_carry_personal_data(caplog: pytest.LogCaptureFixture) -> None:
    with pytest.raises(ValueError):
        event("turn", text="my address is …")
    with caplog.at_level(logging.INFO, logger="shopassist.serving"):
        event("turn", conversation="c1", code="done", latency_ms=12.5)
    line = json.loads(JsonFormatter().format(caplog.records[-1]))
    assert line["event"] == "turn" and line["conversation"] == "c1" and line["latency_ms"] == 12.5


def test_logs_export_writes_the_dialogue_log_format(client: TestClient, database: Database, tmp_path: Path) -> None:
    with client.websocket_connect("/ws/chat") as ws:
        hello(ws)
        done = turn(ws, "a tent for two", "m1")[-1]
        ws.send_json({"type": "feedback", "message_id": done["message_id"], "rating": "down", "comment": "pricey"})
        turn(ws, "cheaper", "m2")
        ws.send_json({"type": "ping"})
        ws.receive_json()
    count = write_logs(tmp_path / "logs.jsonl", dialogue_logs(database))
    logs = list(read_logs(tmp_path / "logs.jsonl"))
    assert count == 1 and len(logs[0].turns) == 2
    first = logs[0].turns[0]
    assert first.user_text == "a tent for two" and first.assistant_text == "Here are two tents."
    assert [p.id for p in first.products] == ["tent-1", "tent-2"] and first.citations[0].id == "returns#window"
    assert first.tool_calls[0].result_ids == ["tent-1", "tent-2"] and first.model == "scripted-test"
    assert first.feedback.rating == "down" and first.feedback.comment == "pricey"
    assert logs[0].turns[1].index == 1
