"""Alerts end to end over /ws/chat with the embedded model over the demo shop (slow): a search, an alert on the
first result made and confirmed in chat, then `shopassist data import` of a feed that crosses its threshold. In
English the card reaches the open socket within a second; in Chinese the shopper is offline and sees it when their
next session opens."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from starlette.testclient import WebSocketTestSession

from agent.model_files import ensure_model_file
from agent.runner import AgentRunner, load_classifier
from commerce.db import Database
from commerce.importers.jsonl import export_jsonl
from commerce.store import get_product
from commerce.tables import ShopperRow
from serving.app import create_app
from serving.identity import issue_token
from shopassist.settings import Settings, load_settings
from tests.agent.conftest import demo_shop_dir  # noqa: F401  (the session's demo shop fixture)
from tests.agent.live import shopassist
from tests.serving.conftest import until

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def served(demo_shop_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Settings]]:  # noqa: F811
    data_dir = tmp_path_factory.mktemp("alerts-shop") / "var"
    shutil.copytree(demo_shop_dir, data_dir)  # the imports below change prices: not in the shared shop
    model = ensure_model_file(load_settings().model_cache_dir)
    settings = load_settings(data_dir=data_dir, llm_backend="embedded", llm_model=str(model), env="test",
                             messages_per_minute_per_ip=500)
    database = Database(settings.sqlalchemy_url)
    runner = AgentRunner(settings, database, classifier=load_classifier(settings))
    with TestClient(create_app(settings, database, runner)) as client:
        yield client, settings


def _shoppers(settings: Settings) -> list[str]:
    with Database(settings.sqlalchemy_url).session() as session:
        return list(session.scalars(select(ShopperRow.id).order_by(ShopperRow.id).limit(2)))


def _turn(ws: WebSocketTestSession, text: str, client_message_id: str) -> list[dict[str, Any]]:
    ws.send_json({"type": "message", "text": text, "client_message_id": client_message_id})
    return until(ws, "done", "error")


def _alert_on_first_result(ws: WebSocketTestSession, search: str, ask: str) -> dict[str, Any]:
    """Search, ask for an alert on the first card, confirm it; the first card."""
    frames = _turn(ws, search, f"{search}-1")
    assert frames[-1]["type"] == "done", frames[-1]
    first = next(frame for frame in frames if frame["type"] == "products")["products"][0]
    proposed = _turn(ws, ask.format(below=int(first["price"] * 0.9)), f"{search}-2")
    action = next(frame for frame in proposed if frame["type"] == "action_required")
    assert action["tool"] == "watch_product", proposed
    ws.send_json({"type": "confirm", "action_id": action["action_id"]})
    assert until(ws, "action_result")[-1]["status"] == "confirmed"
    return first


def _import_cheaper(settings: Settings, product_id: str, factor: float, folder: Path) -> float:
    with Database(settings.sqlalchemy_url).session() as session:
        product = get_product(session, product_id)
    assert product is not None
    variants = [variant.model_copy(update={"price": round(variant.price * factor, 2)}) for variant in product.variants]
    cheaper = product.model_copy(update={"variants": variants, "price": min(v.price for v in variants)})
    export_jsonl([cheaper], folder / f"{product_id}.jsonl")
    done = shopassist(settings.data_dir, "data", "import", str(folder / f"{product_id}.jsonl"), "--format", "jsonl")
    assert done.returncode == 0, done.stderr
    return cheaper.price


def test_an_alert_made_in_english_reaches_the_open_socket_within_a_second(
        served: tuple[TestClient, Settings], tmp_path: Path) -> None:
    client, settings = served
    shopper = _shoppers(settings)[0]
    with client.websocket_connect("/ws/chat") as ws:
        ws.send_json({"type": "hello", "token": issue_token(settings, shopper), "language": "en"})
        until(ws, "session")
        first = _alert_on_first_result(ws, "show me running shoes", "tell me when the first one drops under ${below}")
        price = _import_cheaper(settings, first["id"], 0.8, tmp_path)
        imported = time.monotonic()
        note = until(ws, "notification")[-1]
        assert time.monotonic() - imported < 1.0
    assert note["title"] == first["title"] and note["price"] == price and note["kind"] == "below"
    assert note["text"].startswith(f"{first['title']} dropped to ")


def test_an_alert_made_in_chinese_is_shown_at_the_next_session(
        served: tuple[TestClient, Settings], tmp_path: Path) -> None:
    client, settings = served
    shopper = _shoppers(settings)[1]
    hello = {"type": "hello", "token": issue_token(settings, shopper), "language": "zh"}
    with client.websocket_connect("/ws/chat") as ws:
        ws.send_json(hello)
        until(ws, "session")
        first = _alert_on_first_result(ws, "我想买一双跑鞋", "第一个降价提醒我")
    price = _import_cheaper(settings, first["id"], 0.7, tmp_path)  # while the shopper is away
    with client.websocket_connect("/ws/chat") as ws:
        ws.send_json(hello)
        note = until(ws, "notification")[-1]
    assert note["held"] is True and note["kind"] == "any_drop" and note["price"] == price
    assert note["text"].startswith(f"您不在时：{first['title']} 从 ")
