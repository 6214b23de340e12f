"""Websocket chat: streaming turns, persistence, resume with history, dedupe of resent messages, feedback."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from agent.turn_facts import searched_words
from commerce.db import Database
from commerce.tables import FeedbackRow, MessageRow
from tests.serving.conftest import hello, turn, until
from tests.serving.fakes import ANSWER, STATUS, ScriptedRunner


def test_a_turn_streams_tokens_products_and_citations_then_done(client: TestClient) -> None:
    with client.websocket_connect("/ws/chat") as ws:
        session = hello(ws)
        assert session["resumed"] is False and session["authenticated"] is False and session["state"] == "bot"
        frames = turn(ws, "a tent for two", "m1")
    types = [frame["type"] for frame in frames]
    assert types[0] == "ack" and types[-1] == "done"
    assert {"tool_call", "products", "citations"} <= set(types)
    assert types.index("status") < types.index("token") and frames[types.index("status")]["text"] == STATUS
    assert "".join(frame["text"] for frame in frames if frame["type"] == "token") == "".join(ANSWER)
    done = frames[-1]
    assert done["client_message_id"] == "m1" and done["text"] == "".join(ANSWER) and done["message_id"] > 0


def test_every_turn_is_persisted_with_tools_products_citations_latency_model(client: TestClient,
                                                                           database: Database) -> None:
    with client.websocket_connect("/ws/chat") as ws:
        hello(ws)
        done = turn(ws, "a tent for two", "m1")[-1]
    with database.session() as session:
        rows = session.scalars(select(MessageRow).order_by(MessageRow.id)).all()
    assert [row.role for row in rows] == ["user", "assistant"]
    assert rows[1].id == done["message_id"]
    assert rows[1].text == "".join(ANSWER)  # progress status is shown, never stored as answer text
    logged = rows[1].payload["turn"]
    assert logged["tool_calls"][0]["name"] == "search_products"
    assert logged["tool_calls"][0]["result_ids"] == ["tent-1", "tent-2"]
    assert [p["id"] for p in logged["products"]] == ["tent-1", "tent-2"]
    assert logged["citations"][0]["id"] == "returns#window"
    assert logged["model"] == "scripted-test" and logged["prompt_version"] == "test-1"
    assert logged["latency_ms"] > 0 and logged["first_token_ms"] is not None


def test_first_frame_need_not_be_hello(client: TestClient) -> None:
    with client.websocket_connect("/ws/chat") as ws:
        ws.send_json({"type": "message", "text": "tents", "client_message_id": "x"})
        frames = until(ws, "done")
    assert frames[0]["type"] == "session" and frames[1]["type"] == "ack"


def test_resume_replays_history_and_passes_it_to_the_agent(client: TestClient, runner: ScriptedRunner) -> None:
    with client.websocket_connect("/ws/chat") as ws:
        session_id = hello(ws)["session_id"]
        turn(ws, "a tent for two", "m1")
    with client.websocket_connect("/ws/chat") as ws:
        session = hello(ws, session_id=session_id)
        assert session["resumed"] is True and session["session_id"] == session_id
        assert [item["role"] for item in session["history"]] == ["user", "assistant"]
        assert session["history"][1]["products"][0]["id"] == "tent-1"
        turn(ws, "cheaper please", "m2")
    last = runner.requests[-1]
    assert [message.role for message in last.history] == ["user", "assistant"]
    assert last.history[1].product_ids == ["tent-1", "tent-2"]
    # The search that showed them reaches the agent (a refinement builds on it), never the client.
    assert last.history[1].searched == "a tent for two" and "searched" not in session["history"][1]
    # So does the dialogue state the turn emitted, stored with the answer and read back; never the client.
    assert last.history[1].dialogue is not None and last.history[1].dialogue.shown == ["tent-1", "tent-2"]
    assert last.history[1].dialogue.act == "search" and "dialogue" not in session["history"][1]

    assert last.conversation_id == session_id


def test_what_a_search_looked_for_is_its_query_and_the_category_it_named() -> None:
    assert searched_words({"query": "birthday gift", "category": "cooking", "max_price": 70}) == "birthday gift cooking"
    assert searched_words({"query": "tents"}) == "tents"
    assert searched_words({"query": "dinosaur toys", "category": "Toys"}) == "dinosaur toys"


def test_a_resent_message_is_not_run_twice(client: TestClient, runner: ScriptedRunner, database: Database) -> None:
    with client.websocket_connect("/ws/chat") as ws:
        session_id = hello(ws)["session_id"]
        first = turn(ws, "a tent for two", "m1")
    with client.websocket_connect("/ws/chat") as ws:
        hello(ws, session_id=session_id)
        again = turn(ws, "a tent for two", "m1")
    assert [frame["type"] for frame in again] == ["ack", "done"]
    assert again[0]["duplicate"] is True
    assert again[1]["message_id"] == first[-1]["message_id"] and again[1]["text"] == first[-1]["text"]
    assert len(runner.requests) == 1
    with database.session() as session:
        assert len(session.scalars(select(MessageRow)).all()) == 2


def test_a_dropped_connection_does_not_lose_the_answer(client: TestClient, runner: ScriptedRunner) -> None:
    with client.websocket_connect("/ws/chat") as ws:
        session_id = hello(ws)["session_id"]
        ws.send_json({"type": "message", "text": "gate tents", "client_message_id": "m1"})
        assert until(ws, "ack")[-1]["client_message_id"] == "m1"
    with client.websocket_connect("/ws/chat") as ws:
        hello(ws, session_id=session_id)
        client.portal.call(runner.release.set)  # type: ignore[union-attr]
        done = until(ws, "done")[-1]
        assert done["client_message_id"] == "m1"
    with client.websocket_connect("/ws/chat") as ws:
        history = hello(ws, session_id=session_id)["history"]
    assert [item["role"] for item in history] == ["user", "assistant"]


def test_feedback_is_stored_against_the_answer(client: TestClient, database: Database) -> None:
    with client.websocket_connect("/ws/chat") as ws:
        hello(ws)
        done = turn(ws, "tents", "m1")[-1]
        ws.send_json({"type": "feedback", "message_id": done["message_id"], "rating": "up", "comment": "great"})
        ws.send_json({"type": "feedback", "message_id": 999999, "rating": "down"})
        assert until(ws, "error")[-1]["code"] == "not_found"
    with database.session() as session:
        rows = session.scalars(select(FeedbackRow)).all()
    assert [(row.message_id, row.rating, row.comment) for row in rows] == [(done["message_id"], "up", "great")]


def test_ping_pong_and_bad_frames_keep_the_connection(client: TestClient) -> None:
    with client.websocket_connect("/ws/chat") as ws:
        hello(ws)
        ws.send_json({"type": "ping"})
        assert until(ws, "pong")
        ws.send_text("{not json")
        assert until(ws, "error")[-1]["code"] == "bad_frame"
        ws.send_json({"type": "message", "text": "", "client_message_id": "m1"})
        assert until(ws, "error")[-1]["code"] == "bad_frame"
        ws.send_json({"type": "hello"})
        assert until(ws, "error")[-1]["code"] == "bad_frame"
        assert turn(ws, "tents", "m2")[-1]["type"] == "done"


def test_agent_failure_is_an_error_frame_and_the_server_stays_up(client: TestClient) -> None:
    with client.websocket_connect("/ws/chat") as ws:
        hello(ws)
        error = turn(ws, "boom", "m1")[-1]
        assert error["type"] == "error" and error["code"] == "internal" and error["client_message_id"] == "m1"
        assert "exploded" not in error["message"]
        assert turn(ws, "tents", "m2")[-1]["type"] == "done"


def test_schema_endpoint_documents_every_frame(client: TestClient) -> None:
    schema = client.get("/v1/schema").json()
    server = schema["server_to_client"]["discriminator"]["mapping"]
    client_side = schema["client_to_server"]["discriminator"]["mapping"]
    assert {"session", "ack", "token", "tool_call", "products", "citations", "action_required", "handoff", "done",
            "error", "operator", "state", "action_result", "pong"} <= set(server)
    assert set(client_side) == {"hello", "message", "confirm", "reject", "feedback", "event", "ping"}
