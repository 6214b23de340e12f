"""Serving fixtures: an app over a throwaway database with the scripted test runner, and frame helpers."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession

from commerce.db import Database
from serving.app import create_app
from shopassist.settings import Settings, load_settings
from tests.serving.fakes import ScriptedRunner


@pytest.fixture
def serving_settings(tmp_path: Path) -> Settings:
    return load_settings(env="test", data_dir=tmp_path / "var", messages_per_minute=50,
                         messages_per_minute_per_ip=500, redis_url=os.environ.get("SHOPASSIST_TEST_REDIS_URL", ""))


@pytest.fixture
def runner() -> ScriptedRunner:
    return ScriptedRunner()


def make_client(settings: Settings, database: Database, runner: Any, client_ip: str = "203.0.113.5") -> TestClient:
    return TestClient(create_app(settings, database, runner), client=(client_ip, 50000))


@pytest.fixture
def client(serving_settings: Settings, database: Database, runner: ScriptedRunner) -> Iterator[TestClient]:
    with make_client(serving_settings, database, runner) as test_client:
        yield test_client


def until(ws: WebSocketTestSession, *types: str) -> list[dict[str, Any]]:
    """Frames up to and including the first whose type is in `types`."""
    frames = []
    while True:
        frame = ws.receive_json()
        frames.append(frame)
        if frame["type"] in types:
            return frames


def hello(ws: WebSocketTestSession, **fields: Any) -> dict[str, Any]:
    ws.send_json({"type": "hello", **fields})
    return until(ws, "session")[-1]


def turn(ws: WebSocketTestSession, text: str, client_message_id: str) -> list[dict[str, Any]]:
    ws.send_json({"type": "message", "text": text, "client_message_id": client_message_id})
    return until(ws, "done", "error")
