"""Human handoff round trip: the bot hands off, the operator sees the queue, replies live, hands back."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession

from serving.identity import issue_token
from shopassist.settings import Settings
from tests.serving.conftest import hello, turn, until
from tests.serving.fakes import ScriptedRunner

OPERATOR = {"Authorization": "Bearer operator-dev-token"}


def test_console_needs_the_operator_token(client: TestClient) -> None:
    assert client.get("/v1/console/queue").status_code == 401
    assert client.get("/v1/console/queue", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/v1/console/queue", headers=OPERATOR).json() == []
    assert "<html" in client.get("/console").text.lower()


def test_handoff_round_trip(client: TestClient, runner: ScriptedRunner, serving_settings: Settings) -> None:
    with client.websocket_connect("/ws/chat") as ws:
        session_id = hello(ws, token=issue_token(serving_settings, "alice"))["session_id"]
        frames = turn(ws, "I want a human", "m1")
        assert "handoff" in [f["type"] for f in frames] and {"type": "state", "state": "queued"} in frames
        queue = client.get("/v1/console/queue", headers=OPERATOR).json()
        assert [(entry["id"], entry["state"], entry["authenticated"]) for entry in queue] == [
            (session_id, "queued", True)]
        assert "alice" not in str(queue)

        frames = turn_without_agent(ws, "where is my parcel?", "m2")
        assert frames[-1]["type"] == "ack" and len(runner.requests) == 1
        history = client.get(f"/v1/console/conversations/{session_id}", headers=OPERATOR).json()["history"]
        assert [item["text"] for item in history][-1] == "where is my parcel?"

        reply = client.post(f"/v1/console/conversations/{session_id}/reply", headers=OPERATOR,
                            json={"text": "Hi, Sam here. It ships tomorrow."})
        assert reply.status_code == 200
        frames = until(ws, "operator")
        assert {"type": "state", "state": "human"} in frames
        assert frames[-1]["text"] == "Hi, Sam here. It ships tomorrow."

        assert client.post(f"/v1/console/conversations/{session_id}/release", headers=OPERATOR).json() == {
            "state": "bot"}
        assert until(ws, "state")[-1]["state"] == "bot"
        assert turn(ws, "thanks, any tents?", "m3")[-1]["type"] == "done"
        assert len(runner.requests) == 2
        assert [m.role for m in runner.requests[-1].history][-2:] == ["user", "assistant"]
    assert client.get("/v1/console/queue", headers=OPERATOR).json() == []
    with client.websocket_connect("/ws/chat") as ws:
        history = hello(ws, session_id=session_id, token=issue_token(serving_settings, "alice"))["history"]
    assert [item["role"] for item in history] == ["user", "assistant", "user", "operator", "user", "assistant"]


def turn_without_agent(ws: WebSocketTestSession, text: str, client_message_id: str) -> list[dict[str, Any]]:
    ws.send_json({"type": "message", "text": text, "client_message_id": client_message_id})
    return until(ws, "ack")


def test_unknown_conversation_is_404(client: TestClient) -> None:
    assert client.get("/v1/console/conversations/nope", headers=OPERATOR).status_code == 404
    assert client.post("/v1/console/conversations/nope/reply", headers=OPERATOR,
                       json={"text": "hi"}).status_code == 404
