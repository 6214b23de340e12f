"""Shop-signed shopper tokens: valid ones unlock the session; forged and expired ones leave it anonymous."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from commerce.db import Database
from serving.identity import IdentityError, issue_token, verify_token
from shopassist.settings import Settings, load_settings
from tests.serving.conftest import hello, make_client, until
from tests.serving.fakes import ScriptedRunner


def test_a_signed_token_carries_the_shopper(serving_settings: Settings) -> None:
    assert verify_token(serving_settings, issue_token(serving_settings, "shopper_7")) == "shopper_7"


def test_a_token_signed_with_another_secret_is_forged(serving_settings: Settings) -> None:
    other = load_settings(env="test", secret="someone-elses-secret")
    with pytest.raises(IdentityError) as caught:
        verify_token(serving_settings, issue_token(other, "shopper_7"))
    assert caught.value.code == "token_invalid"


def test_a_tampered_token_is_forged(serving_settings: Settings) -> None:
    token = issue_token(serving_settings, "shopper_7")
    with pytest.raises(IdentityError):
        verify_token(serving_settings, token[:-2] + ("AA" if not token.endswith("AA") else "BB"))


def test_an_old_token_is_expired(serving_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() - serving_settings.identity_ttl_s - 60)
    token = issue_token(serving_settings, "shopper_7")
    monkeypatch.setattr(time, "time", real)
    with pytest.raises(IdentityError) as caught:
        verify_token(serving_settings, token)
    assert caught.value.code == "token_expired"


def test_forged_token_over_the_socket_gives_an_anonymous_session(client: TestClient) -> None:
    forged = issue_token(load_settings(env="test", secret="not-the-shop"), "shopper_7")
    with client.websocket_connect("/ws/chat") as ws:
        ws.send_json({"type": "hello", "token": forged})
        frames = until(ws, "session")
        assert frames[0]["code"] == "token_invalid"
        assert frames[-1]["authenticated"] is False
        ws.send_json({"type": "confirm", "action_id": "act_1"})
        assert until(ws, "error")[-1]["code"] == "identity_required"


def test_a_shoppers_session_cannot_be_resumed_by_someone_else(client: TestClient,
                                                             serving_settings: Settings) -> None:
    with client.websocket_connect("/ws/chat") as ws:
        session = hello(ws, token=issue_token(serving_settings, "alice"))
        assert session["authenticated"] is True
    with client.websocket_connect("/ws/chat") as ws:
        ws.send_json({"type": "hello", "session_id": session["session_id"]})
        frames = until(ws, "session")
    assert frames[0]["code"] == "session_forbidden"
    assert frames[-1]["session_id"] != session["session_id"] and frames[-1]["history"] == []


def test_the_agent_gets_the_shopper_only_from_the_token(client: TestClient, serving_settings: Settings,
                                                        runner: ScriptedRunner) -> None:
    with client.websocket_connect("/ws/chat") as ws:
        hello(ws, token=issue_token(serving_settings, "alice"))
        ws.send_json({"type": "message", "text": "my orders", "client_message_id": "m1"})
        until(ws, "done")
    assert runner.requests[-1].shopper_id == "alice"


def test_origin_allowlist(tmp_path: Path, database: Database) -> None:
    settings = load_settings(env="test", data_dir=tmp_path, allowed_origins=["https://shop.example"])
    with make_client(settings, database, ScriptedRunner()) as client:
        with pytest.raises(WebSocketDisconnect), client.websocket_connect(
                "/ws/chat", headers={"origin": "https://evil.example"}) as ws:
            ws.receive_json()
        with client.websocket_connect("/ws/chat", headers={"origin": "https://shop.example"}) as ws:
            assert hello(ws)["type"] == "session"
