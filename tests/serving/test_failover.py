"""Turn leases: a turn whose replica died is reported `interrupted`, its resend runs once, a stale owner's answer
is dropped; a turn still running elsewhere is not run again."""

from __future__ import annotations

from pathlib import Path

from agent.transcript import LoggedTurn
from commerce.db import Database
from serving import conversations as store
from shopassist.settings import load_settings
from tests.serving.conftest import hello, make_client, until
from tests.serving.fakes import ScriptedRunner

DEAD = ("dead-replica", -1.0)  # a lease that expired the moment it was written
ALIVE = ("busy-replica", 3600.0)


def _open_with_message(database: Database, client_message_id: str, lease: tuple[str, float]) -> str:
    conversation = store.open_conversation(database, None, None, "en")
    store.store_user_message(database, conversation.id, client_message_id, "tents please", lease)
    return conversation.id


def test_a_turn_whose_replica_died_is_reported_interrupted_and_its_resend_runs_once(
    tmp_path: Path, database: Database
) -> None:
    session_id = _open_with_message(database, "m1", DEAD)
    runner = ScriptedRunner()
    with make_client(load_settings(env="test", data_dir=tmp_path), database, runner) as client:
        with client.websocket_connect("/ws/chat") as ws:
            hello(ws, session_id=session_id)
            interrupted = ws.receive_json()
            assert (interrupted["type"], interrupted["code"]) == ("error", "interrupted")
            assert interrupted["client_message_id"] == "m1"
            ws.send_json({"type": "message", "text": "tents please", "client_message_id": "m1"})
            frames = until(ws, "done", "error")
            ws.send_json({"type": "message", "text": "tents please", "client_message_id": "m1"})
            again = until(ws, "done", "error")
        with client.websocket_connect("/ws/chat") as ws:
            history = hello(ws, session_id=session_id)["history"]
    assert frames[0] == {"type": "ack", "client_message_id": "m1", "message_id": frames[0]["message_id"],
                         "duplicate": True}
    assert frames[-1]["type"] == "done" and again[-1]["message_id"] == frames[-1]["message_id"]
    assert len(runner.requests) == 1
    assert [item["role"] for item in history] == ["user", "assistant"]


def test_a_resend_of_a_turn_running_elsewhere_waits_and_hears_interrupted_when_that_replica_dies(
    tmp_path: Path, database: Database
) -> None:
    session_id = _open_with_message(database, "m1", ("busy-replica", 1.0))
    runner = ScriptedRunner()
    settings = load_settings(env="test", data_dir=tmp_path, turn_lease_s=0.3)
    with make_client(settings, database, runner) as client, client.websocket_connect("/ws/chat") as ws:
        hello(ws, session_id=session_id)
        ws.send_json({"type": "message", "text": "tents please", "client_message_id": "m1"})
        frames = until(ws, "error")
    assert frames[0]["duplicate"] is True and frames[-1]["code"] == "interrupted"
    assert runner.requests == []


def test_the_answer_of_a_replica_that_lost_its_lease_is_not_stored(database: Database) -> None:
    session_id = _open_with_message(database, "m1", DEAD)
    taken = store.store_user_message(database, session_id, "m1", "tents please", ALIVE)
    assert taken.taken_over and taken.duplicate
    late = store.store_reply(database, session_id, taken.id, _turn(), [], [], DEAD[0])
    kept = store.store_reply(database, session_id, taken.id, _turn(), [], [], ALIVE[0])
    assert late is None and kept is not None
    assert [item.role for item in store.history(database, session_id)] == ["user", "assistant"]


def _turn() -> LoggedTurn:
    return LoggedTurn(index=0, user_text="tents please", assistant_text="Two tents.")
