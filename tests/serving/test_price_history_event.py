"""'Is this a good price?' over the chat transports and MCP: the answer's figures come from the stored history and a
`price_history` frame carries the chart (websocket and SSE, EN/ZH); other agents call the same tool over MCP. The
agent is the real one with the router planning (no LLM is asked anything)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from commerce.db import Database
from commerce.models import Product, Variant
from commerce.offers import OfferUpdate, update_offers
from commerce.store import upsert_product
from shopassist.settings import Settings
from tests.serving.conftest import hello, make_client, turn
from tests.serving.test_preference_event import router_runner

TENT = Product(id="p_tent", title="Alpine Dome Tent", price=150.0,
               variants=[Variant(id="v_tent", price=150.0, stock=4)])


def seed_tent_history(database: Database) -> None:
    """A tent at $150 a year ago, $180 most of the year, then $129 since yesterday (through the offer path)."""
    now = datetime.now(UTC)
    with database.session() as session:
        upsert_product(session, TENT)
        update_offers(session, [OfferUpdate(variant_id="v_tent", price=150.0)], now=now - timedelta(days=400))
    for days, price in ((300, 180.0), (1, 129.0)):
        with database.session() as session:
            update_offers(session, [OfferUpdate(variant_id="v_tent", price=price)], now=now - timedelta(days=days))


@pytest.fixture
def app_client(serving_settings: Settings, database: Database) -> Iterator[TestClient]:
    seed_tent_history(database)
    with make_client(serving_settings, database, router_runner(serving_settings, database)) as client:
        yield client


def _charts(frames: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [frame for frame in frames if frame["type"] == "price_history"]


def test_the_schema_documents_the_frame(app_client: TestClient) -> None:
    schema = app_client.get("/v1/schema").json()
    assert "price_history" in schema["server_to_client"]["discriminator"]["mapping"]


def test_a_price_question_gets_figures_and_a_chart_frame(app_client: TestClient) -> None:
    with app_client.websocket_connect("/ws/chat") as ws:
        hello(ws)
        frames = turn(ws, "Is this a good price for the alpine dome tent?", "m1")
    [chart] = _charts(frames)
    assert chart["product_id"] == "p_tent" and chart["price_now"] == 129.0
    assert (chart["low"], chart["high"]) == (129.0, 180.0)
    assert [point["price"] for point in chart["points"]] == [150.0, 180.0, 129.0]
    done = frames[-1]
    assert done["type"] == "done"
    assert done["text"].splitlines()[:3] == [
        "Alpine Dome Tent is $129.00 today.",
        "That is its lowest price in the past year — a good time to buy.",
        "Last 30 days: lowest $129.00, highest $180.00, median $180.00."]


def test_the_chinese_question_over_sse(app_client: TestClient) -> None:
    response = app_client.post("/v1/chat", json={"text": "Alpine Dome Tent的价格划算吗", "client_message_id": "m1",
                                                 "language": "zh"})
    events = [json.loads(line.removeprefix("data: ")) for line in response.text.splitlines()
              if line.startswith("data: ")]
    [chart] = _charts(events)
    assert chart["text"] == "这是它过去一年的最低价，现在买很划算。"
    assert events[-1]["text"].startswith("Alpine Dome Tent今天的价格是$129.00。")


def test_other_agents_ask_the_same_over_mcp(app_client: TestClient) -> None:
    headers = {"Accept": "application/json, text/event-stream"}
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/call",
            "params": {"name": "price_history", "arguments": {"product_id": "p_tent"}}}
    answer = app_client.post("/mcp/", json=body, headers=headers).json()["result"]
    assert answer["isError"] is False
    view = answer["structuredContent"]
    assert view["verdict"] == "lowest_year" and view["price_now"] == 129.0
    assert {window["days"]: window["high"] for window in view["windows"]} == {30: 180.0, 90: 180.0, 365: 180.0}
