"""Confirm/reject frames run the customer-service confirm functions with the session's shopper, not the LLM's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from commerce.db import Database
from commerce.tables import PendingActionRow
from serving.identity import issue_token
from shopassist.settings import Settings
from tests.serving.conftest import hello, until


def _propose(database: Database, action_id: str, shopper_id: str) -> None:
    with database.session() as session:
        session.add(PendingActionRow(id=action_id, shopper_id=shopper_id, tool="cancel_pending_order",
                                     arguments={}, summary="Cancel order #W1",
                                     expires_at=datetime.now(UTC) + timedelta(minutes=5)))


def _status(database: Database, action_id: str) -> str:
    with database.session() as session:
        row = session.get(PendingActionRow, action_id)
        assert row is not None
        return row.status


def test_reject_closes_the_shoppers_own_action(client: TestClient, database: Database,
                                               serving_settings: Settings) -> None:
    _propose(database, "act_alice", "alice")
    with client.websocket_connect("/ws/chat") as ws:
        hello(ws, token=issue_token(serving_settings, "alice"))
        ws.send_json({"type": "reject", "action_id": "act_alice"})
        result = until(ws, "action_result")[-1]
    assert result["status"] == "rejected" and _status(database, "act_alice") == "rejected"


def test_nobody_can_confirm_another_shoppers_action(client: TestClient, database: Database,
                                                   serving_settings: Settings) -> None:
    _propose(database, "act_alice", "alice")
    with client.websocket_connect("/ws/chat") as ws:
        hello(ws, token=issue_token(serving_settings, "mallory"))
        ws.send_json({"type": "confirm", "action_id": "act_alice"})
        result = until(ws, "action_result")[-1]
    assert result["status"] == "failed" and _status(database, "act_alice") == "proposed"
    with client.websocket_connect("/ws/chat") as ws:
        hello(ws)
        ws.send_json({"type": "confirm", "action_id": "act_alice"})
        assert until(ws, "error")[-1]["code"] == "identity_required"
    assert _status(database, "act_alice") == "proposed"
