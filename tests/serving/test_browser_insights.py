"""The insights console page in headless Chromium, in English and Chinese: figures, charts drawn by the vendored
Chart.js (no CDN), unmet demand in the shoppers' words (set as text, never HTML) and an experiment's read."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from commerce.db import Database
from commerce.demo import generate_shop, write_shop
from commerce.events import AttributionEvent, write_events
from commerce.experiments import start_experiment
from commerce.tables import ProductRow
from evals.insights.traffic import Traffic, ab_experiment, session_events
from serving.app import create_app
from shopassist.settings import Settings
from tests.serving.browser import widget_tab
from tests.serving.test_browser import CHROMIUM
from tests.serving.test_insights_api import DemandRunner

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed (/usr/bin/chromium)"),
]
SCREENSHOTS = Path("/tmp")
WANTS = [("kind", "kayak", "do you have kayaks?"), ("kind", "kayak", "有皮划艇吗"),
         ("brand", "sony", "any Sony headphones?"), ("price", "hiking boot under 40", "hiking boots under $40"),
         ("policy", "do you price match", "Do you price match?"),
         ("zero_result", "left-handed scissor", "left-handed scissors"),
         ("size", "running shoe size 15", "size 15 trainers"),
         ("kind", "<b>bold</b> tent", "<img src=x onerror=alert(1)>")]


def _fortnight(rng: random.Random) -> list[AttributionEvent]:
    """Two weeks of chats: turns, cards, clicks, carts, orders, handoffs, ratings, searches and unmet wants."""
    events: list[AttributionEvent] = []
    now = datetime.now(UTC)
    for number in range(400):
        at = now - timedelta(days=rng.randrange(14), minutes=rng.randrange(600))
        chat = {"conversation_id": f"c{number}", "shopper_id": f"s{number % 150}", "at": at,
                "language": rng.choice(["en", "en", "zh"]), "act": rng.choice(["product_search", "policy_question",
                                                                              "order_status", "product_search"])}
        events.append(AttributionEvent(kind="turn", value=rng.uniform(300, 1500), **chat))
        for position in range(rng.randrange(0, 6)):
            events.append(AttributionEvent(kind="card_shown", product_id=f"p{position}", position=position, **chat))
            if rng.random() < 0.12:
                events.append(AttributionEvent(kind="click", product_id=f"p{position}", **chat))
                if rng.random() < 0.4:
                    events.append(AttributionEvent(kind="add_to_cart", product_id=f"p{position}", **chat))
        if rng.random() < 0.06:
            events.append(AttributionEvent(kind="checkout_completed", value=rng.uniform(20, 200), detail="chat",
                                           shopper_id=chat["shopper_id"], at=at))
        if rng.random() < 0.05:
            events.append(AttributionEvent(kind="handoff", **chat))
        if rng.random() < 0.2:
            kind, term, text = rng.choice(WANTS)
            events.append(AttributionEvent(kind="unmet", detail=kind, term=term, text=text, **chat))
        events.append(AttributionEvent(kind="search", term=rng.choice(["hiking boot", "rain jacket", "tent", "耳机"]),
                                       **chat))
    return events


@pytest.fixture
def page(serving_settings: Settings, database: Database) -> Iterator[tuple[Any, str]]:
    with database.session() as session:
        write_shop(session, generate_shop(7))
        products = list(session.scalars(select(ProductRow.id)))
    experiment = ab_experiment("answer-wording", holdout=0.1)
    with database.session() as session:
        write_events(session, _fortnight(random.Random(3)))
        start_experiment(session, experiment)
        write_events(session, session_events(experiment, Traffic(), 1500, 0.3, products, seed=2))
    with widget_tab(create_app(serving_settings, database, DemandRunner()), width=1280, height=1600) as opened:
        yield opened


def _open(tab: Any, base: str, query: str = "") -> None:
    tab.goto(f"{base}/console/insights{query}")
    tab.evaluate("sessionStorage.setItem('shopassist.operator', 'operator-dev-token')")
    tab.goto(f"{base}/console/insights{query}")
    tab.wait_for_selector("body[data-loaded=yes]", timeout=15_000)


def test_the_insights_page_in_english_and_chinese(page: tuple[Any, str]) -> None:
    tab, base = page
    requests: list[str] = []
    tab.on("request", lambda request: requests.append(request.url))
    _open(tab, base)
    assert tab.inner_text("h1") == "What the assistant does for the shop"
    unmet = tab.inner_text("#unmet")
    assert "kayak" in unmet and "有皮划艇吗" in unmet and "“do you have kayaks?”" in unmet
    assert "<img src=x onerror=alert(1)>" in unmet and tab.query_selector("#unmet img") is None  # text, not HTML
    assert tab.evaluate("Object.keys(Chart.instances).length") == 4  # by day, by act, unmet, the experiment
    assert "answer-wording · running" in tab.inner_text("#experiments")
    assert all(url.startswith(base) for url in requests)  # the chart library comes from this server
    tab.screenshot(path=str(SCREENSHOTS / "insights_en.png"), full_page=True)
    _open(tab, base, "?lang=zh")
    assert tab.inner_text("h1") == "助手为本店带来了什么"
    assert "品类" in tab.inner_text("#unmet") and "顾客原话" in tab.inner_text("#unmet")
    tab.screenshot(path=str(SCREENSHOTS / "insights_zh.png"), full_page=True)


def test_an_experiment_is_stopped_from_the_page(page: tuple[Any, str]) -> None:
    tab, base = page
    _open(tab, base)
    tab.click("#experiments button")
    tab.wait_for_function("document.querySelector('#experiments').innerText.includes('stopped')")
    assert "answer-wording · stopped" in tab.inner_text("#experiments")
