"""Alerts end to end over the chat transports: made and cancelled in chat, delivered once — live on an open socket,
held for an offline shopper's next session, once across two replicas — to the shopper only, and never after
forget-me. The agent here is the real one with the router planning (no LLM is asked anything)."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete
from starlette.testclient import WebSocketTestSession
from typer.testing import CliRunner

from agent.runner import AgentRunner
from commerce.cli import app as data_app
from commerce.db import Database
from commerce.importers.jsonl import export_jsonl
from commerce.models import Product, Shopper, Variant
from commerce.offers import OfferUpdate, update_offers
from commerce.store import shopper_row, upsert_product
from commerce.tables import MessageRow, WatchNotificationRow, WatchRow
from commerce.watches import create_watch
from ranking.privacy import erase_shopper
from serving.identity import issue_token
from serving.notifications import Notifier
from shopassist.settings import Settings, get_settings
from tests.agent.fakes import ScriptedChatModel
from tests.serving.conftest import hello, make_client, turn, until
from tools.display import ProductCard

OPERATOR = {"Authorization": "Bearer operator-dev-token"}
TRAIL = Product(id="p_trail", title="Trail Runner X", price=120.0, variants=[
    Variant(id="v_trail_9", options={"size": "9"}, price=120.0, stock=4),
    Variant(id="v_trail_10", options={"size": "10"}, price=125.0, stock=0)])


def _runner(settings: Settings, database: Database) -> AgentRunner:
    configured = settings.model_copy(update={"agent_planner": "router", "agent_answer": "facts"})
    return AgentRunner(configured, database, model=ScriptedChatModel(replies=[]), model_name="scripted-fake")


@pytest.fixture
def app_client(serving_settings: Settings, shop: Database) -> Iterator[TestClient]:
    with make_client(serving_settings, shop, _runner(serving_settings, shop)) as client:
        yield client


def _signed_in(ws: WebSocketTestSession, settings: Settings, shopper: str = "alice", **fields: Any) -> list[dict]:
    ws.send_json({"type": "hello", "token": issue_token(settings, shopper), **fields})
    return until(ws, "session")


def _frames_so_far(ws: WebSocketTestSession) -> list[dict[str, Any]]:
    """Everything the server sent before it answers a ping now."""
    ws.send_json({"type": "ping"})
    return until(ws, "pong")[:-1]


def _notes(frames: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [frame for frame in frames if frame["type"] == "notification"]


def _show_trail_runner(database: Database, session_id: str) -> None:
    """The conversation's last answer showed the Trail Runner X (as a recommendation would have; a search would
    have the router read the catalog's categories from the search index)."""
    card = ProductCard(id="p_trail", title="Trail Runner X", price=120.0)
    with database.session() as session:
        session.add(MessageRow(conversation_id=session_id, role="assistant", text="I found 1 product.",
                               payload={"products": [card.model_dump()]}))


def _confirmed(ws: WebSocketTestSession, frames: list[dict[str, Any]]) -> dict[str, Any]:
    action = next(frame for frame in frames if frame["type"] == "action_required")
    ws.send_json({"type": "confirm", "action_id": action["action_id"]})
    return until(ws, "action_result")[-1]


def _watch(database: Database, shopper: str = "alice", threshold: float = 100.0) -> None:
    with database.session() as session:
        create_watch(session, shopper, "p_trail", "below", timedelta(days=90), threshold)


def _reprice(database: Database, price: float) -> None:
    with database.session() as session:
        update_offers(session, [OfferUpdate(variant_id="v_trail_9", price=price)])


def test_chat_makes_lists_and_cancels_an_alert_the_shopper_confirms(
        app_client: TestClient, shop: Database, serving_settings: Settings) -> None:
    with app_client.websocket_connect("/ws/chat") as ws:
        session_id = _signed_in(ws, serving_settings)[-1]["session_id"]
        _show_trail_runner(shop, session_id)
        made = turn(ws, "tell me when the first one drops under $100", "m1")
        assert "Tell you when Trail Runner X drops under $100.00 (for 90 days)" in made[-1]["text"]
        assert _confirmed(ws, made)["status"] == "confirmed"
        listed = turn(ws, "my alerts", "m2")[-1]["text"]
        assert "1. Trail Runner X — under $100.00 (now $120.00)" in listed
        cancel = turn(ws, "cancel my alert on the trail runner", "m3")
        assert "Cancel your alert on Trail Runner X" in cancel[-1]["text"]
        assert _confirmed(ws, cancel)["status"] == "confirmed"
        assert turn(ws, "my alerts", "m4")[-1]["text"].startswith("You have no price or stock alerts")


def test_chinese_alert_in_chat(app_client: TestClient, shop: Database, serving_settings: Settings) -> None:
    with app_client.websocket_connect("/ws/chat") as ws:
        session_id = _signed_in(ws, serving_settings, language="zh")[-1]["session_id"]
        _show_trail_runner(shop, session_id)
        made = turn(ws, "降价提醒我", "m1")
        assert "Trail Runner X 每次降价时通知您（90 天内有效）" in made[-1]["text"]
        assert _confirmed(ws, made)["status"] == "confirmed"
        assert "降价提醒（现价 $120.00）" in turn(ws, "我的提醒", "m2")[-1]["text"]


def test_anonymous_shoppers_are_asked_to_sign_in(app_client: TestClient, shop: Database) -> None:
    with app_client.websocket_connect("/ws/chat") as ws:
        session_id = hello(ws)["session_id"]
        _show_trail_runner(shop, session_id)
        frames = turn(ws, "tell me when the first one drops under $100", "m1")
    assert "Sign in to the shop" in frames[-1]["text"]
    assert not [frame for frame in frames if frame["type"] == "action_required"]


@pytest.mark.timeout(60)
def test_an_open_socket_gets_the_card_within_a_second_of_a_data_import(
        app_client: TestClient, shop: Database, serving_settings: Settings, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    _watch(shop)
    export_jsonl([TRAIL.model_copy(update={"variants": [TRAIL.variants[0].model_copy(update={"price": 89.0})]})],
                 tmp_path / "feed.jsonl")
    monkeypatch.setenv("SHOPASSIST_DATABASE_URL", shop.url)
    get_settings.cache_clear()
    with app_client.websocket_connect("/ws/chat") as ws:
        _signed_in(ws, serving_settings)
        imported = CliRunner().invoke(data_app, ["import", str(tmp_path / "feed.jsonl"), "--format", "jsonl"])
        committed = time.monotonic()
        assert imported.exit_code == 0, imported.output
        note = until(ws, "notification")[-1]
        arrived_s = time.monotonic() - committed
    get_settings.cache_clear()
    assert arrived_s < 1.0
    assert note["text"] == "Trail Runner X dropped to $89.00, under your $100.00." and note["held"] is False
    assert (note["kind"], note["price"], note["reference_price"]) == ("below", 89.0, 100.0)


def test_an_offline_shopper_sees_it_at_the_next_session_once(
        app_client: TestClient, shop: Database, serving_settings: Settings) -> None:
    _watch(shop)
    _reprice(shop, 79.0)
    with app_client.websocket_connect("/ws/chat") as ws:
        _signed_in(ws, serving_settings)
        held = _notes(until(ws, "notification"))
    assert held[0]["held"] is True
    assert held[0]["text"] == "While you were away: Trail Runner X dropped to $79.00, under your $100.00."
    with app_client.websocket_connect("/ws/chat") as ws:
        _signed_in(ws, serving_settings)
        assert _notes(_frames_so_far(ws)) == []


def test_a_held_notification_in_chinese_over_sse(app_client: TestClient, shop: Database,
                                                 serving_settings: Settings) -> None:
    _watch(shop)
    _reprice(shop, 79.0)
    response = app_client.post("/v1/chat", json={"text": "你好", "client_message_id": "m1", "language": "zh",
                                                 "token": issue_token(serving_settings, "alice")})
    events = [json.loads(line.removeprefix("data: ")) for line in response.text.splitlines()
              if line.startswith("data: ")]
    notes = _notes(events)
    assert [note["text"] for note in notes] == ["您不在时：Trail Runner X 已降到 $79.00，低于您设定的 $100.00。"]


def test_another_shopper_never_sees_it_and_forget_me_leaves_nothing(
        app_client: TestClient, shop: Database, serving_settings: Settings) -> None:
    _watch(shop)
    with app_client.websocket_connect("/ws/chat") as ws:
        _signed_in(ws, serving_settings, "bob")
        _reprice(shop, 79.0)
        time.sleep(3 * serving_settings.notification_poll_s)
        assert _notes(_frames_so_far(ws)) == []
    with shop.session() as session:
        erase_shopper(session, "alice")
    _reprice(shop, 120.0)
    _reprice(shop, 70.0)
    with app_client.websocket_connect("/ws/chat") as ws:
        _signed_in(ws, serving_settings)
        time.sleep(3 * serving_settings.notification_poll_s)
        assert _notes(_frames_so_far(ws)) == []


def _fill(database: Database) -> Database:
    with database.session() as session:
        upsert_product(session, TRAIL)
        for name in ("alice", "bob"):
            session.merge(shopper_row(Shopper(id=name, first_name=name.title(), last_name="Doe",
                                              email=f"{name}@example.com")))
    return database


@pytest.fixture
def shop(database: Database) -> Database:
    return _fill(database)


def test_two_replicas_deliver_each_trigger_once(serving_settings: Settings, shop: Database) -> None:
    _one_delivery_across_two_replicas(serving_settings, shop)


@pytest.mark.postgres
def test_two_replicas_on_postgres_deliver_each_trigger_once(serving_settings: Settings, postgres_url: str) -> None:
    database = Database(postgres_url)
    database.migrate()
    with database.session() as session:  # the server is shared by the session's tests
        session.execute(delete(WatchNotificationRow))
        session.execute(delete(WatchRow))
    _one_delivery_across_two_replicas(serving_settings, _fill(database))


def _one_delivery_across_two_replicas(serving_settings: Settings, shop: Database) -> None:
    _watch(shop)
    with make_client(serving_settings, shop, _runner(serving_settings, shop)) as one, \
            make_client(serving_settings, shop, _runner(serving_settings, shop)) as two, \
            one.websocket_connect("/ws/chat") as first, two.websocket_connect("/ws/chat") as second:
        _signed_in(first, serving_settings)
        _signed_in(second, serving_settings)
        response = one.post("/v1/console/offers", headers=OPERATOR,
                            json={"offers": [{"variant_id": "v_trail_9", "price": 80.0}]})
        assert response.json()["notifications"] == 1
        time.sleep(1.0)
        delivered = _notes(_frames_so_far(first)) + _notes(_frames_so_far(second))
    assert [note["price"] for note in delivered] == [80.0]


def test_the_console_lists_a_shoppers_alerts_read_only(app_client: TestClient, shop: Database,
                                                      serving_settings: Settings) -> None:
    _watch(shop)
    assert app_client.get("/v1/console/shoppers/alice/watches").status_code == 401
    listed = app_client.get("/v1/console/shoppers/alice/watches", headers=OPERATOR).json()
    assert [(w["title"], w["kind"], w["threshold"], w["price_now"]) for w in listed["watches"]] == [
        ("Trail Runner X", "below", 100.0, 120.0)]
    assert "id" not in listed["watches"][0] and listed["undelivered"] == []
    assert app_client.post("/v1/console/shoppers/alice/watches", headers=OPERATOR).status_code == 405
    with app_client.websocket_connect("/ws/chat") as ws:
        signed_in = _signed_in(ws, serving_settings)[-1]["session_id"]
    with app_client.websocket_connect("/ws/chat") as ws:
        anonymous = hello(ws)["session_id"]
    of_conversation = app_client.get(f"/v1/console/conversations/{signed_in}/watches", headers=OPERATOR).json()
    assert [w["title"] for w in of_conversation["watches"]] == ["Trail Runner X"]
    assert app_client.get(f"/v1/console/conversations/{anonymous}/watches", headers=OPERATOR).json()["watches"] == []
    assert app_client.get("/v1/console/conversations/nope/watches", headers=OPERATOR).status_code == 404


class _Hook(BaseHTTPRequestHandler):
    received: list[dict[str, Any]] = []
    status = 200

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if type(self).status == 200:
            type(self).received.append(json.loads(body))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def test_the_webhook_gets_each_notification_once_and_a_failure_is_retried(
        shop: Database, serving_settings: Settings) -> None:
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    notifier = Notifier(serving_settings.model_copy(update={"notification_webhook_url": url}), shop)
    try:
        _watch(shop)
        _reprice(shop, 79.0)
        _Hook.status = 503
        asyncio.run(notifier.poll_once())
        assert _Hook.received == []
        _Hook.status, notifier._webhook_after = 200, 0.0
        asyncio.run(notifier.poll_once())
        asyncio.run(notifier.poll_once())
    finally:
        server.shutdown()
    assert [(hook["shopper_id"], hook["notification"]["price"]) for hook in _Hook.received] == [("alice", 79.0)]
