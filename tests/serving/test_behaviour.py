"""`event` frames record views, clicks and cart adds for the session's shopper, and for nobody else."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select, update
from starlette.testclient import WebSocketTestSession

from commerce.db import Database
from commerce.tables import EventRow, PendingActionRow, ProfileRow, ShopperRow
from serving.identity import issue_token
from shopassist.settings import Settings
from tests.serving.conftest import hello, make_client, until
from tests.serving.fakes import ScriptedRunner
from tests.tools.conftest import ALICE, BOB, MUG, SHIRT, fill_shop


def stored(database: Database) -> tuple[list[tuple[str, str, str | None]], set[str]]:
    with database.session() as session:
        events = [(row.shopper_id, row.kind, row.product_id) for row in session.scalars(select(EventRow))]
        profiles = set(session.scalars(select(ProfileRow.shopper_id)))
    return events, profiles


def send_events(ws: WebSocketTestSession, *events: tuple[str, str]) -> list[dict]:
    """Send the events, then a ping: frames up to the pong are the server's answers to the events."""
    for kind, product_id in events:
        ws.send_json({"type": "event", "kind": kind, "product_id": product_id})
    ws.send_json({"type": "ping"})
    return until(ws, "pong")[:-1]


def test_a_signed_in_shoppers_events_are_stored_and_build_their_profile(
        client: TestClient, database: Database, serving_settings: Settings) -> None:
    fill_shop(database)
    with client.websocket_connect("/ws/chat") as ws:
        hello(ws, token=issue_token(serving_settings, ALICE.id))
        answers = send_events(ws, ("view", SHIRT.id), ("click", SHIRT.id), ("add_to_cart", MUG.id))
    assert answers == []
    events, profiles = stored(database)
    assert events == [(ALICE.id, "view", SHIRT.id), (ALICE.id, "click", SHIRT.id), (ALICE.id, "add_to_cart", MUG.id)]
    assert profiles == {ALICE.id}


def test_anonymous_and_opted_out_sessions_store_nothing(client: TestClient, database: Database,
                                                        serving_settings: Settings) -> None:
    fill_shop(database)
    with database.session() as session:
        session.execute(update(ShopperRow).where(ShopperRow.id == BOB.id).values(personalization=False))
    with client.websocket_connect("/ws/chat") as ws:
        hello(ws)
        assert send_events(ws, ("click", SHIRT.id), ("view", "no-such-product")) == []
    with client.websocket_connect("/ws/chat") as ws:
        hello(ws, token=issue_token(serving_settings, BOB.id))
        assert send_events(ws, ("click", SHIRT.id), ("add_to_cart", MUG.id)) == []
    assert stored(database) == ([], set())


def test_unknown_products_and_bad_kinds_are_refused_and_the_socket_stays_up(
        client: TestClient, database: Database, serving_settings: Settings) -> None:
    fill_shop(database)
    with client.websocket_connect("/ws/chat") as ws:
        hello(ws, token=issue_token(serving_settings, ALICE.id))
        [error] = send_events(ws, ("click", "no-such-product"))
        assert error["type"] == "error" and error["code"] == "unknown_product"
        [bad] = send_events(ws, ("purchase", SHIRT.id))
        assert bad["code"] == "bad_frame"
        assert send_events(ws, ("click", SHIRT.id)) == []
    assert stored(database)[0] == [(ALICE.id, "click", SHIRT.id)]


def test_events_are_rate_limited_per_session(serving_settings: Settings, database: Database,
                                             runner: ScriptedRunner) -> None:
    fill_shop(database)
    settings = serving_settings.model_copy(update={"events_per_minute": 2})
    with make_client(settings, database, runner) as client, client.websocket_connect("/ws/chat") as ws:
        hello(ws, token=issue_token(settings, ALICE.id))
        answers = send_events(ws, ("view", SHIRT.id), ("view", MUG.id), ("click", SHIRT.id))
    assert [answer["code"] for answer in answers] == ["events_rate_limited"]
    assert len(stored(database)[0]) == 2


def test_a_confirmed_cart_add_is_recorded_for_the_shopper(client: TestClient, database: Database,
                                                           serving_settings: Settings) -> None:
    fill_shop(database)
    with database.session() as session:
        session.add(PendingActionRow(id="act_add", shopper_id=ALICE.id, tool="add_to_cart",
                                     arguments={"item_id": "mug_white", "quantity": 2}, summary="Add 2 x mug",
                                     expires_at=datetime.now(UTC) + timedelta(minutes=5)))
    with client.websocket_connect("/ws/chat") as ws:
        hello(ws, token=issue_token(serving_settings, ALICE.id))
        ws.send_json({"type": "confirm", "action_id": "act_add"})
        assert until(ws, "action_result")[-1]["status"] == "confirmed"
    assert stored(database) == ([(ALICE.id, "add_to_cart", MUG.id)], {ALICE.id})
