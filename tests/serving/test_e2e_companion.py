"""The shopping companion end to end over /ws/chat with the embedded model over the demo shop (slow): a price
question answered with figures and a chart (EN/ZH); a standing order proposed, confirmed, triggered by `shopassist
data import` of a cheaper feed and bought once, and none bought when the price is back up before it runs; a
reorder; a recurring order run twice by a two-replica cluster, making exactly two orders."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from starlette.testclient import WebSocketTestSession

from agent.model_files import ensure_model_file
from agent.runner import AgentRunner, load_classifier
from commerce.db import Database
from commerce.importers.jsonl import export_jsonl
from commerce.offers import OfferUpdate, update_offers
from commerce.store import get_product
from commerce.tables import CartRow, OrderRow, RecurringOrderRow, ShippingRateRow, ShopperRow, StandingOrderRunRow
from serving.app import create_app
from serving.identity import issue_token
from shopassist.settings import Settings, load_settings
from tests.agent.conftest import demo_shop_dir  # noqa: F401  (the session's demo shop fixture)
from tests.agent.live import shopassist
from tests.serving.conftest import until

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def shop(demo_shop_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, Database]:  # noqa: F811
    data_dir = tmp_path_factory.mktemp("companion-shop") / "var"
    shutil.copytree(demo_shop_dir, data_dir)  # prices change and orders are made: not in the shared shop
    model = ensure_model_file(load_settings().model_cache_dir)
    settings = load_settings(data_dir=data_dir, llm_backend="embedded", llm_model=str(model), env="test",
                             messages_per_minute_per_ip=500)
    database = Database(settings.sqlalchemy_url)
    with database.session() as session:  # automatic orders ship at the cheapest rate: make sure there is one
        session.merge(ShippingRateRow(id="std-ship", country_code="default", service_level="standard",
                                      title="Standard", amount=500))
    return settings, database


@pytest.fixture(scope="module")
def served(shop: tuple[Settings, Database]) -> Iterator[tuple[TestClient, Settings]]:
    settings, database = shop
    runner = AgentRunner(settings, database, classifier=load_classifier(settings))
    with TestClient(create_app(settings, database, runner)) as client:
        yield client, settings


def _shoppers(database: Database) -> list[str]:
    with database.session() as session:
        return list(session.scalars(select(ShopperRow.id).order_by(ShopperRow.id).limit(6)))


def _turn(ws: WebSocketTestSession, text: str, client_message_id: str) -> list[dict[str, Any]]:
    ws.send_json({"type": "message", "text": text, "client_message_id": client_message_id})
    frames = until(ws, "done", "error")
    assert frames[-1]["type"] == "done", frames[-1]
    return frames


def _hello(ws: WebSocketTestSession, settings: Settings, shopper: str | None, language: str) -> None:
    token = {"token": issue_token(settings, shopper)} if shopper else {}
    ws.send_json({"type": "hello", "language": language, **token})
    until(ws, "session")


def _confirm(ws: WebSocketTestSession, frames: list[dict[str, Any]], tool: str) -> None:
    action = next(frame for frame in frames if frame["type"] == "action_required")
    assert action["tool"] == tool, frames
    ws.send_json({"type": "confirm", "action_id": action["action_id"]})
    assert until(ws, "action_result")[-1]["status"] == "confirmed"


@pytest.mark.parametrize(("search", "ask", "today"), [
    ("show me running shoes", "is the first one a good price?", "{title} is $"),
    ("我想买一双跑鞋", "第一个的价格划算吗", "{title}今天的价格是"),
])
def test_a_price_question_is_answered_with_figures_and_a_chart(
        served: tuple[TestClient, Settings], search: str, ask: str, today: str) -> None:
    client, settings = served
    with client.websocket_connect("/ws/chat") as ws:
        _hello(ws, settings, None, "zh" if "今天" in today else "en")
        first = next(f for f in _turn(ws, search, "m1") if f["type"] == "products")["products"][0]
        frames = _turn(ws, ask, "m2")
    [chart] = [frame for frame in frames if frame["type"] == "price_history"]
    assert chart["product_id"] == first["id"] and chart["points"] and chart["low"] <= chart["price_now"]
    assert today.format(title=first["title"]) in frames[-1]["text"]


def _variant_words(database: Database, product_id: str) -> tuple[str, float]:
    """Words naming the product's first in-stock variant ('size 9 blue'), and its price."""
    with database.session() as session:
        product = get_product(session, product_id)
    assert product is not None
    variant = next(v for v in product.variants if v.stock > 0)
    words = " ".join(f"size {value}" if "size" in key else value for key, value in variant.options.items())
    return words, variant.price


def _import(settings: Settings, database: Database, product_id: str, factor: float, folder: Path) -> None:
    with database.session() as session:
        product = get_product(session, product_id)
    assert product is not None
    variants = [v.model_copy(update={"price": round(v.price * factor, 2)}) for v in product.variants]
    export_jsonl([product.model_copy(update={"variants": variants, "price": min(v.price for v in variants)})],
                 folder / f"{product_id}.jsonl")
    done = shopassist(settings.data_dir, "data", "import", str(folder / f"{product_id}.jsonl"), "--format", "jsonl")
    assert done.returncode == 0, done.stderr


def _orders(database: Database, shopper: str) -> int:
    with database.session() as session:
        return session.scalar(select(func.count()).select_from(OrderRow).where(OrderRow.shopper_id == shopper)) or 0


def test_a_standing_order_buys_once_after_a_cheaper_import_and_not_after_a_rebound(
        served: tuple[TestClient, Settings], shop: tuple[Settings, Database], tmp_path: Path) -> None:
    client, settings = served
    database = shop[1]
    shopper, other = _shoppers(database)[:2]
    before, before_other = _orders(database, shopper), _orders(database, other)
    with client.websocket_connect("/ws/chat") as ws:
        _hello(ws, settings, shopper, "en")
        first = next(f for f in _turn(ws, "show me running shoes", "m1") if f["type"] == "products")["products"][0]
        words, price = _variant_words(database, first["id"])
        ask = f"buy the first one in {words} for me if it drops below ${int(price * 0.9)}"
        _confirm(ws, _turn(ws, ask, "m2"), "standing_order")
        _import(settings, database, first["id"], 0.8, tmp_path)
        note = until(ws, "notification")[-1]
    assert note["kind"] == "auto_order" and note["order_id"] and note["text"].startswith("I bought 1 × ")
    assert _orders(database, shopper) == before + 1

    with client.websocket_connect("/ws/chat") as ws:
        _hello(ws, settings, other, "zh")
        second = next(f for f in _turn(ws, "我想买一双跑鞋", "m1") if f["type"] == "products")["products"][1]
        words, price = _variant_words(database, second["id"])
        _confirm(ws, _turn(ws, f"第二个 {words} 降到{int(price * 0.9)}美元就帮我买", "m2"), "standing_order")
    with database.session() as session:  # down and back up before any replica runs it
        product = get_product(session, second["id"])
        assert product is not None
        update_offers(session, [OfferUpdate(variant_id=v.id, price=round(v.price * 0.5, 2)) for v in product.variants])
        update_offers(session, [OfferUpdate(variant_id=v.id, price=v.price) for v in product.variants])
    time.sleep(1.0)
    with database.session() as session:
        reasons = session.scalars(select(StandingOrderRunRow.reason).where(StandingOrderRunRow.shopper_id == other))
        assert list(reasons) == ["price_rose"]
    assert _orders(database, other) == before_other


def test_a_reorder_puts_the_last_order_in_the_cart(served: tuple[TestClient, Settings],
                                                   shop: tuple[Settings, Database]) -> None:
    client, settings = served
    database = shop[1]
    shopper = next(s for s in _shoppers(database)[2:] if _orders(database, s))
    with client.websocket_connect("/ws/chat") as ws:
        _hello(ws, settings, shopper, "en")
        frames = _turn(ws, "order the same as last time", "m1")
        assert "at today's prices" in frames[-1]["text"]
        _confirm(ws, frames, "reorder")
    with database.session() as session:
        assert session.get_one(CartRow, shopper).lines


def test_a_recurring_order_runs_twice_on_two_replicas_making_two_orders(
        served: tuple[TestClient, Settings], shop: tuple[Settings, Database]) -> None:
    client, settings = served
    database = shop[1]
    shopper = next(s for s in _shoppers(database)[3:] if _orders(database, s))
    with client.websocket_connect("/ws/chat") as ws:
        _hello(ws, settings, shopper, "zh")
        _confirm(ws, _turn(ws, "上次的订单每个月帮我买一次", "m1"), "recurring_order")
    with database.session() as session:
        recurring = session.scalars(select(RecurringOrderRow).where(RecurringOrderRow.shopper_id == shopper)).one()
        update_offers(session, [OfferUpdate(variant_id=item_id, stock=100) for item_id, _ in recurring.lines])
    before = _orders(database, shopper)
    second = AgentRunner(settings, database, classifier=load_classifier(settings))
    with TestClient(create_app(settings, database, second)):  # a second replica polling the same database
        for period in (1, 2):
            with database.session() as session:
                session.execute(update(RecurringOrderRow).where(RecurringOrderRow.shopper_id == shopper)
                                .values(next_at=datetime.now(UTC) - timedelta(seconds=1)))
            time.sleep(2.0)
            assert _orders(database, shopper) == before + period
