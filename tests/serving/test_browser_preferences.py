"""The widget in headless Chromium shows the preferences a signed-in shopper stated as a 'Remembered' card, in
English and, once the shopper reads the widget in Chinese, in Chinese; the text is set as text, never as HTML."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from commerce.db import Database
from serving.app import create_app
from serving.identity import issue_token
from shopassist.settings import Settings
from tests.serving.browser import widget_tab
from tests.serving.test_browser import CHROMIUM
from tests.serving.test_preference_event import STATED, router_runner

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed (/usr/bin/chromium)"),
]
SCREENSHOTS = Path("/tmp")


@pytest.fixture
def page(serving_settings: Settings, database: Database) -> Iterator[tuple[Any, str]]:
    with widget_tab(create_app(serving_settings, database, router_runner(serving_settings, database))) as opened:
        yield opened


def _say(tab: Any, text: str) -> None:
    tab.fill("[data-role=input]", text)
    tab.press("[data-role=input]", "Enter")


def test_the_widget_shows_noted_preferences_as_a_card_in_english_and_chinese(
        page: tuple[Any, str], serving_settings: Settings) -> None:
    tab, base = page
    tab.goto(base + "/")
    tab.click("[data-role=launcher]")
    tab.evaluate("token => window.ShopAssist.setToken(token)", issue_token(serving_settings, "alice"))
    tab.wait_for_timeout(1500)  # the widget reconnects with the token
    _say(tab, STATED)
    card = tab.wait_for_selector("[data-role=preference-noted]", timeout=15_000)
    tab.wait_for_selector("[data-role=assistant][data-done=true]", timeout=15_000)
    header, _, hint = card.query_selector_all(":scope > div")
    assert header.inner_text() == "Remembered for your next searches"
    assert [chip.inner_text() for chip in card.query_selector_all(".chip")] == ["size 10 for shoes", "no leather"]
    assert hint.inner_text().startswith("Ask “what do you know about me?”")
    assert card.get_attribute("role") == "status"
    tab.screenshot(path=str(SCREENSHOTS / "preference_card_en.png"))

    tab.evaluate("token => { window.ShopAssist.setLanguage('zh'); window.ShopAssist.setToken(token); }",
                 issue_token(serving_settings, "alice"))
    tab.wait_for_timeout(1500)  # the reconnect redraws the log from history: the English card is gone
    _say(tab, "我穿42码，不要皮革")
    chinese = tab.locator("[data-role=preference-noted]", has_text="已记住")
    chinese.wait_for(timeout=15_000)
    tab.wait_for_selector("[data-role=assistant][data-done=true]", timeout=15_000)  # history bubbles have none
    assert chinese.locator("div").first.inner_text() == "已记住，以后搜索时会用到"
    assert chinese.locator(".chip").all_inner_texts() == ["鞋42码", "不要皮革"]
    tab.screenshot(path=str(SCREENSHOTS / "preference_card_zh.png"))


def test_the_card_text_is_text_not_html(page: tuple[Any, str]) -> None:
    tab, base = page
    # The server renders the sentence by code, so hand the widget a hostile frame through its own socket.
    tab.add_init_script("""window.__sockets = [];
        window.WebSocket = class extends WebSocket {
            constructor(...args) { super(...args); window.__sockets.push(this); } };""")
    tab.goto(base + "/")
    tab.click("[data-role=launcher]")
    tab.wait_for_function("() => window.__sockets.length > 0 && window.__sockets[0].readyState === 1")
    frame = {"type": "preference_noted", "preferences": [], "text": '<img src=x onerror="window.owned=1">'}
    tab.evaluate("frame => window.__sockets[0].dispatchEvent(new MessageEvent('message', "
                 "{data: JSON.stringify(frame)}))", frame)
    card = tab.wait_for_selector("[data-role=preference-noted]", timeout=5_000)
    assert card.query_selector("img") is None
    assert '<img src=x onerror="window.owned=1">' in card.inner_text()
    assert tab.evaluate("() => window.owned") is None
