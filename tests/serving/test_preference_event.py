"""Stated preferences over the chat transports: a signed-in shopper's 'I wear size 10 in shoes, no leather' comes
back as a `preference_noted` frame (websocket and SSE) and is stored; an anonymous shopper gets neither; the console
shows the shopper's preferences read-only, to operators only. The agent is the real one with the router planning
(no LLM is asked anything)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from agent.runner import AgentRunner
from commerce.db import Database
from commerce.preferences import list_preferences
from commerce.tables import PreferenceRow
from serving.identity import issue_token
from shopassist.settings import Settings
from tests.agent.fakes import ScriptedChatModel
from tests.serving.conftest import hello, make_client, turn, until

OPERATOR = {"Authorization": "Bearer operator-dev-token"}
STATED = "I wear size 10 in shoes, and no leather please"


def router_runner(settings: Settings, database: Database) -> AgentRunner:
    """The real agent, planned by the router and answered from facts: no model is asked anything."""
    configured = settings.model_copy(update={"agent_planner": "router", "agent_answer": "facts"})
    return AgentRunner(configured, database, model=ScriptedChatModel(replies=[]), model_name="scripted-fake")


@pytest.fixture
def app_client(serving_settings: Settings, database: Database) -> Iterator[TestClient]:
    with make_client(serving_settings, database, router_runner(serving_settings, database)) as client:
        yield client


def _noted(frames: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [frame for frame in frames if frame["type"] == "preference_noted"]


def _kept(database: Database, shopper_id: str) -> set[tuple[str, str, str, bool]]:
    with database.session() as session:
        return {(p.kind, p.value, p.category, p.avoid) for p in list_preferences(session, shopper_id)}


def test_the_schema_documents_the_frame(app_client: TestClient) -> None:
    schema = app_client.get("/v1/schema").json()
    assert "preference_noted" in schema["server_to_client"]["discriminator"]["mapping"]
    assert "identity" not in schema["server_to_client"]["discriminator"]["mapping"]  # internal, never sent


def test_a_signed_in_shopper_gets_the_frame_and_the_preferences_are_kept(
        app_client: TestClient, database: Database, serving_settings: Settings) -> None:
    with app_client.websocket_connect("/ws/chat") as ws:
        session = hello(ws, token=issue_token(serving_settings, "alice"))
        assert session["authenticated"] is True
        frames = turn(ws, STATED, "m1")
    [noted] = _noted(frames)
    assert noted["text"].startswith("Noted:")
    assert "size 10" in noted["text"] and "leather" in noted["text"]
    assert {(p["kind"], p["value"], p["avoid"]) for p in noted["preferences"]} == {
        ("size", "10", False), ("material", "leather", True)}
    assert [frame["type"] for frame in frames].index("preference_noted") < len(frames) - 1  # before `done`
    assert frames[-1]["type"] == "done" and "identity" not in {frame["type"] for frame in frames}
    assert _kept(database, "alice") == {("size", "10", "shoes", False), ("material", "leather", "", True)}


def test_the_frame_in_chinese_over_sse(app_client: TestClient, database: Database,
                                       serving_settings: Settings) -> None:
    response = app_client.post("/v1/chat", json={"text": "我穿42码，不要皮革", "client_message_id": "m1",
                                                 "language": "zh", "token": issue_token(serving_settings, "bob")})
    events = [json.loads(line.removeprefix("data: ")) for line in response.text.splitlines()
              if line.startswith("data: ")]
    [noted] = _noted(events)
    assert noted["text"].startswith("记下了：") and "42" in noted["text"] and "皮革" in noted["text"]
    assert events[-1]["type"] == "done"
    assert _kept(database, "bob") == {("size", "42", "shoes", False), ("material", "leather", "", True)}


def test_an_anonymous_shopper_gets_no_frame_and_nothing_is_stored(app_client: TestClient,
                                                                   database: Database) -> None:
    with app_client.websocket_connect("/ws/chat") as ws:
        assert hello(ws)["authenticated"] is False
        frames = turn(ws, STATED, "m1")
        ws.send_json({"type": "ping"})
        frames += until(ws, "pong")
    assert _noted(frames) == []
    assert frames[-2]["type"] == "done"
    with database.session() as session:
        assert list(session.scalars(select(PreferenceRow))) == []


def test_the_console_shows_a_shoppers_preferences_to_operators_only(
        app_client: TestClient, serving_settings: Settings) -> None:
    with app_client.websocket_connect("/ws/chat") as ws:
        signed_in = hello(ws, token=issue_token(serving_settings, "alice"))["session_id"]
        turn(ws, STATED, "m1")
    with app_client.websocket_connect("/ws/chat") as ws:
        anonymous = hello(ws)["session_id"]
    for path in ("/v1/console/shoppers/alice/preferences", f"/v1/console/conversations/{signed_in}/preferences"):
        assert app_client.get(path).status_code == 401
        assert app_client.get(path, headers={"Authorization": "Bearer wrong"}).status_code == 401
        listed = app_client.get(path, headers=OPERATOR).json()
        assert listed["shopper_id"] == "alice"
        assert sorted(listed["preferences"], key=lambda p: p["kind"]) == [
            {"kind": "material", "value": "leather", "category": "", "recipient": "", "avoid": True, "amount": None},
            {"kind": "size", "value": "10", "category": "shoes", "recipient": "", "avoid": False, "amount": None}]
        assert app_client.post(path, headers=OPERATOR).status_code == 405  # read-only
    assert app_client.get(f"/v1/console/conversations/{anonymous}/preferences", headers=OPERATOR).json() == {
        "shopper_id": None, "preferences": []}
    assert app_client.get("/v1/console/conversations/nope/preferences", headers=OPERATOR).status_code == 404
    assert app_client.get("/v1/console/shoppers/bob/preferences", headers=OPERATOR).json()["preferences"] == []
