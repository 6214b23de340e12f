"""Stated preferences end to end over /ws/chat with the embedded model over the demo shop (slow), in English and in
Chinese: a preference stated in one session changes a search in the next one (another connection, the same
shopper) and the answer says how; "what do you know about me?" lists it; deleting it in chat removes it."""

from __future__ import annotations

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
from commerce.preferences import list_preferences
from commerce.store import get_products
from commerce.tables import ShopperRow
from serving.app import create_app
from serving.identity import issue_token
from shopassist.settings import Settings, load_settings
from tests.agent.conftest import demo_shop_dir  # noqa: F401  (the session's demo shop fixture)
from tests.serving.conftest import until

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def served(demo_shop_dir: Path) -> Iterator[tuple[TestClient, Settings]]:  # noqa: F811
    model = ensure_model_file(load_settings().model_cache_dir)
    settings = load_settings(data_dir=demo_shop_dir, llm_backend="embedded", llm_model=str(model), env="test",
                             messages_per_minute_per_ip=500)
    database = Database(settings.sqlalchemy_url)
    runner = AgentRunner(settings, database, classifier=load_classifier(settings))
    with TestClient(create_app(settings, database, runner)) as client:
        yield client, settings


def _shopper(settings: Settings, position: int) -> str:
    with Database(settings.sqlalchemy_url).session() as session:
        return list(session.scalars(select(ShopperRow.id).order_by(ShopperRow.id.desc()).limit(2)))[position]


def _session(client: TestClient, settings: Settings, shopper: str, language: str
             ) -> Iterator[WebSocketTestSession]:
    with client.websocket_connect("/ws/chat") as ws:
        ws.send_json({"type": "hello", "token": issue_token(settings, shopper), "language": language})
        until(ws, "session")
        yield ws


def _turn(ws: WebSocketTestSession, text: str) -> tuple[str, list[dict[str, Any]]]:
    ws.send_json({"type": "message", "text": text, "client_message_id": f"m-{abs(hash(text))}"})
    frames = until(ws, "done", "error")
    assert frames[-1]["type"] == "done", frames[-1]
    return frames[-1]["text"], frames


def _materials(settings: Settings, frames: list[dict[str, Any]]) -> list[str]:
    cards = [card["id"] for frame in frames if frame["type"] == "products" for card in frame["products"]]
    with Database(settings.sqlalchemy_url).session() as session:
        products = get_products(session, cards)
    return [products[card].attributes.get("material", "") for card in cards]


@pytest.mark.parametrize(("language", "position", "statement", "noted", "search", "says", "ask", "listed",
                          "forget", "forgotten"), [
    ("en", 0, "I wear size 10 in shoes, and please nothing made of leather",
     "Noted: size 10 for shoes, no leather.", "show me hiking boots", "leather left out",
     "what do you know about me?", "What I know about you (2)", "forget the leather one", "Forgotten: no leather."),
    ("zh", 1, "我穿10码的鞋，不要皮的", "记下了：鞋10码、不要皮革。", "我想买徒步靴", "已去掉皮革",
     "你知道我什么？", "我记得您的这些偏好（2条）", "删掉皮的那条", "已忘掉：不要皮革。"),
])
def test_a_preference_from_one_session_changes_the_next_sessions_search(
        served: tuple[TestClient, Settings], language: str, position: int, statement: str, noted: str, search: str,
        says: str, ask: str, listed: str, forget: str, forgotten: str) -> None:
    client, settings = served
    shopper = _shopper(settings, position)
    for ws in _session(client, settings, shopper, language):
        answer, frames = _turn(ws, statement)
        assert answer.startswith(noted), answer
        assert [frame["text"] for frame in frames if frame["type"] == "preference_noted"] == [noted]
        assert not any(frame["type"] == "products" for frame in frames)
    for ws in _session(client, settings, shopper, language):  # a new connection: the same shopper, remembered
        answer, frames = _turn(ws, search)
        assert says in answer and "leather" not in _materials(settings, frames), answer
        everything_answer, everything = _turn(ws, "show all" if language == "en" else "显示全部")
        assert says not in everything_answer
        # The same search again without the saved preferences (whether leather makes its top five is the ranking's).
        (search_again,) = [frame for frame in everything if frame["type"] == "tool_call"]
        assert search_again["name"] == "search_products" and search_again["arguments"]["ignore_preferences"] is True
        answer, _ = _turn(ws, ask)
        assert answer.startswith(listed), answer
        answer, _ = _turn(ws, forget)
        assert answer.startswith(forgotten), answer
    with Database(settings.sqlalchemy_url).session() as session:
        assert [(p.kind, p.value) for p in list_preferences(session, shopper)] == [("size", "10")]
