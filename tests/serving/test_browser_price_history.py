"""The widget in headless Chromium draws a price question's chart as an inline SVG card, in English and in Chinese;
its texts are set as text, never as HTML. Screenshots: /tmp/price_card_en.png, /tmp/price_card_zh.png."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from commerce.db import Database
from serving.app import create_app
from shopassist.settings import Settings
from tests.serving.browser import widget_tab
from tests.serving.test_browser import CHROMIUM
from tests.serving.test_preference_event import router_runner
from tests.serving.test_price_history_event import seed_tent_history

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed (/usr/bin/chromium)"),
]
SCREENSHOTS = Path("/tmp")


@pytest.fixture
def page(serving_settings: Settings, database: Database) -> Iterator[tuple[Any, str]]:
    seed_tent_history(database)
    with widget_tab(create_app(serving_settings, database, router_runner(serving_settings, database))) as opened:
        yield opened


def _say(tab: Any, text: str) -> None:
    tab.fill("[data-role=input]", text)
    tab.press("[data-role=input]", "Enter")


def _drawn(card: Any) -> list[float]:
    return [float(path.get_attribute("data-price")) for path in card.query_selector_all("svg path[data-price]")]


def test_the_widget_draws_the_price_chart_in_english_and_chinese(page: tuple[Any, str]) -> None:
    tab, base = page
    tab.goto(base + "/")
    tab.click("[data-role=launcher]")
    _say(tab, "Is this a good price for the alpine dome tent?")
    card = tab.wait_for_selector("[data-role=price-history]", timeout=15_000)
    tab.wait_for_selector("[data-role=assistant][data-done=true]", timeout=15_000)
    assert card.query_selector(".kind").inner_text() == "Price over the last 12 months"
    assert card.query_selector(".title").inner_text() == "Alpine Dome Tent — $129.00"
    assert _drawn(card) == [150.0, 180.0, 129.0]
    assert "Low $129.00" in card.inner_text() and "High $180.00" in card.inner_text()
    assert "lowest price in the past year" in card.inner_text()
    assert card.query_selector("svg").bounding_box()["width"] > 250
    card.scroll_into_view_if_needed()
    tab.screenshot(path=str(SCREENSHOTS / "price_card_en.png"))

    tab.evaluate("() => window.ShopAssist.setLanguage('zh')")
    _say(tab, "Alpine Dome Tent的价格划算吗")
    chinese = tab.locator("[data-role=price-history]", has_text="近12个月价格走势")
    chinese.wait_for(timeout=15_000)
    tab.wait_for_timeout(500)
    text = chinese.inner_text()
    assert "最低 US$129.00" in text or "最低 $129.00" in text
    assert "这是它过去一年的最低价" in text
    tab.screenshot(path=str(SCREENSHOTS / "price_card_zh.png"))


def test_the_card_text_is_text_not_html(page: tuple[Any, str]) -> None:
    tab, base = page
    tab.add_init_script("""window.__sockets = [];
        window.WebSocket = class extends WebSocket {
            constructor(...args) { super(...args); window.__sockets.push(this); } };""")
    tab.goto(base + "/")
    tab.click("[data-role=launcher]")
    tab.wait_for_function("() => window.__sockets.length > 0 && window.__sockets[0].readyState === 1")
    hostile = '<img src=x onerror="window.owned=1">'
    frame = {"type": "price_history", "product_id": "p", "title": hostile, "price_now": 10.0, "low": 9.0,
             "high": 12.0, "since": "2025-11-20T00:00:00+00:00", "until": "2026-11-20T00:00:00+00:00",
             "points": [{"at": "2025-12-01T00:00:00+00:00", "price": 12.0, "in_stock": True},
                        {"at": "2026-06-01T00:00:00+00:00", "price": 9.0, "in_stock": False}],
             "text": hostile}
    tab.evaluate("frame => window.__sockets[0].dispatchEvent(new MessageEvent('message', "
                 "{data: JSON.stringify(frame)}))", frame)
    card = tab.wait_for_selector("[data-role=price-history]", timeout=5_000)
    assert card.query_selector("img") is None and hostile in card.inner_text()
    assert tab.evaluate("() => window.owned") is None
    assert _drawn(card) == [12.0, 9.0]
