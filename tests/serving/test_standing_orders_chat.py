"""Buy at a target price over the chat: proposed and confirmed in chat (EN/ZH), triggered by a catalog import of a
cheaper feed, bought once by a two-replica cluster and told to the shopper on their socket (or at their next
session); none is bought when the price went back up before it ran. Also a reorder. The agent is the real one
with the router planning (no LLM is asked anything)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from starlette.testclient import WebSocketTestSession
from typer.testing import CliRunner

from commerce.cli import app as data_app
from commerce.db import Database
from commerce.importers.jsonl import export_jsonl
from commerce.models import Address, Order, OrderLine, Shopper
from commerce.offers import OfferUpdate, update_offers
from commerce.store import order_row, shopper_row, upsert_product
from commerce.tables import CartRow, OrderRow, ShippingRateRow, StandingOrderRunRow
from serving.identity import issue_token
from shopassist.settings import Settings, get_settings
from tests.serving.conftest import make_client, turn, until
from tests.serving.test_notifications import TRAIL, _frames_so_far, _runner, _show_trail_runner, _signed_in

ONE_SIZE = TRAIL.model_copy(update={"variants": [TRAIL.variants[0]], "price": 120.0})
HOME = Address(address1="1 Main St", city="Springfield", state="IL", country="USA", zip="62701")


@pytest.fixture
def shop(database: Database) -> Database:
    with database.session() as session:
        upsert_product(session, ONE_SIZE)
        session.merge(shopper_row(Shopper(id="alice", first_name="Alice", last_name="Doe", email="alice@example.com",
                                          address=HOME)))
        session.add(ShippingRateRow(id="std-ship", country_code="default", service_level="standard",
                                    title="Standard", amount=500))
        session.flush()
        session.add(order_row(Order(id="#W7000001", shopper_id="alice", address=HOME, status="delivered", lines=[
            OrderLine(product_id="p_trail", item_id="v_trail_9", name="Trail Runner X", price=110.0,
                      options={"size": "9"})] * 2)))
    return database


@pytest.fixture
def app_client(serving_settings: Settings, shop: Database) -> Iterator[TestClient]:
    with make_client(serving_settings, shop, _runner(serving_settings, shop)) as client:
        yield client


def _confirm(ws: WebSocketTestSession, frames: list[dict[str, Any]]) -> dict[str, Any]:
    action = next(frame for frame in frames if frame["type"] == "action_required")
    ws.send_json({"type": "confirm", "action_id": action["action_id"]})
    return until(ws, "action_result")[-1]


def _orders(shop: Database) -> int:
    with shop.session() as session:
        return session.scalar(select(func.count()).select_from(OrderRow).where(OrderRow.shopper_id == "alice")) or 0


@pytest.mark.timeout(60)
def test_a_standing_order_made_in_chat_buys_once_after_a_cheaper_import(
        serving_settings: Settings, shop: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with make_client(serving_settings, shop, _runner(serving_settings, shop)) as one, \
            make_client(serving_settings, shop, _runner(serving_settings, shop)) as two, \
            one.websocket_connect("/ws/chat") as ws, two.websocket_connect("/ws/chat") as other:
        session_id = _signed_in(ws, serving_settings)[-1]["session_id"]
        _signed_in(other, serving_settings)
        _show_trail_runner(shop, session_id)
        made = turn(ws, "buy it for me if it drops below $100", "m1")
        assert "Buy 1 × Trail Runner X (9) for you automatically once it drops under $100.00" in made[-1]["text"]
        assert _confirm(ws, made)["status"] == "confirmed"
        assert "1. 1 × Trail Runner X (9) — once under $100.00 (now $120.00), at most $105.00 with shipping" in \
            turn(ws, "show my standing orders", "m2")[-1]["text"]
        feed = tmp_path / "feed.jsonl"
        export_jsonl([ONE_SIZE.model_copy(update={"variants": [TRAIL.variants[0].model_copy(
            update={"price": 89.0})]})], feed)
        monkeypatch.setenv("SHOPASSIST_DATABASE_URL", shop.url)
        get_settings.cache_clear()
        imported = CliRunner().invoke(data_app, ["import", str(feed), "--format", "jsonl"])
        get_settings.cache_clear()
        assert imported.exit_code == 0, imported.output
        time.sleep(2.0)  # both replicas poll: one runs it, one tells the shopper on the socket it holds
        told = [f for f in _frames_so_far(ws) + _frames_so_far(other) if f["type"] == "notification"]
    [note] = told  # one notice, on one socket
    assert note["kind"] == "auto_order" and note["order_id"].startswith("#W")
    assert note["text"] == (f"I bought 1 × Trail Runner X for you at $89.00 ($94.00 with shipping): order "
                            f"{note['order_id']}, placed automatically as you asked. You can cancel it within 30 "
                            f"minutes.")
    assert _orders(shop) == 2  # the delivered one and the automatic one


def test_none_is_bought_when_the_price_is_back_up_before_it_runs(
        app_client: TestClient, shop: Database, serving_settings: Settings) -> None:
    with app_client.websocket_connect("/ws/chat") as ws:
        session_id = _signed_in(ws, serving_settings, language="zh")[-1]["session_id"]
        _show_trail_runner(shop, session_id)
        made = turn(ws, "降到100就帮我买", "m1")
        assert "当 Trail Runner X (9) 降到 $100.00 以下时自动为您购买 1 件" in made[-1]["text"]
        assert _confirm(ws, made)["status"] == "confirmed"
    with shop.session() as session:  # the drop and the rise land before any replica runs it
        update_offers(session, [OfferUpdate(variant_id="v_trail_9", price=90.0)])
        update_offers(session, [OfferUpdate(variant_id="v_trail_9", price=130.0)])
    with app_client.websocket_connect("/ws/chat") as ws:
        frames = _signed_in(ws, serving_settings, language="zh")
        time.sleep(1.0)
        frames += _frames_so_far(ws)
    with shop.session() as session:
        assert session.scalars(select(StandingOrderRunRow.reason)).all() == ["price_rose"]
    assert _orders(shop) == 1
    notes = [frame["text"] for frame in frames if frame["type"] == "notification"]
    assert any(text.endswith("没有为您购买 Trail Runner X：下单时价格已经回升。没有扣款。") for text in notes), notes


def test_a_reorder_proposes_the_last_order_at_todays_price(
        app_client: TestClient, shop: Database, serving_settings: Settings) -> None:
    with app_client.websocket_connect("/ws/chat") as ws:
        _signed_in(ws, serving_settings)
        made = turn(ws, "order the same as last time", "m1")
        assert ("Add to your cart from order #W7000001, at today's prices: 2 × Trail Runner X (9) ($240.00 in "
                "all)") in made[-1]["text"]
        assert _confirm(ws, made)["status"] == "confirmed"
    with shop.session() as session:
        assert session.get_one(CartRow, "alice").lines[0]["quantity"] == 2


def test_standing_orders_need_a_signed_in_shopper(app_client: TestClient) -> None:
    with app_client.websocket_connect("/ws/chat") as ws:
        ws.send_json({"type": "hello"})
        until(ws, "session")
        frames = turn(ws, "buy it for me if it drops below $100", "m1")
    assert frames[-1]["text"].startswith("Sign in")
    _ = issue_token  # the signed-in cases above use a shop-signed token
