"""The widget in real headless Chromium on the demo page: streams an answer, shows cards, survives a reload."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from commerce.db import Database
from serving.app import create_app
from shopassist.settings import Settings
from tests.serving.fakes import ANSWER, ScriptedRunner
from tests.serving.live import live_server

CHROMIUM = Path("/usr/bin/chromium")
OUTPUT = Path(__file__).resolve().parents[2] / "test-output"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed (/usr/bin/chromium)"),
]


@pytest.fixture
def page(serving_settings: Settings, database: Database) -> Iterator[tuple[Any, str]]:
    from playwright.sync_api import sync_playwright

    app = create_app(serving_settings, database, ScriptedRunner())
    with live_server(app) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"])
        try:
            yield browser.new_page(viewport={"width": 1280, "height": 800}), base
        finally:
            browser.close()


def test_widget_streams_an_answer_with_cards_and_survives_a_reload(page: tuple[Any, str]) -> None:
    tab, base = page
    tab.goto(base + "/")
    tab.click("[data-role=launcher]")
    tab.fill("[data-role=input]", "a tent for two")
    tab.press("[data-role=input]", "Enter")
    tab.wait_for_selector("[data-role=assistant][data-done=true]", timeout=15_000)
    assert tab.inner_text("[data-role=assistant] span") == "".join(ANSWER)
    assert tab.locator("[data-role=product]").count() == 2
    assert "Trail Tent 2P" in tab.inner_text("[data-role=cards]")
    assert "Returns" in tab.inner_text("[data-role=citations]")
    # The host page forces `button { background: hotpink !important }`; the Shadow DOM keeps it out.
    background = tab.eval_on_selector("[data-role=add-to-cart]", "b => getComputedStyle(b).backgroundColor")
    assert background != "rgb(255, 105, 180)"
    OUTPUT.mkdir(exist_ok=True)
    tab.screenshot(path=str(OUTPUT / "widget-answer.png"))

    tab.reload()
    tab.click("[data-role=launcher]")
    tab.wait_for_selector("[data-role=product]", timeout=15_000)
    assert tab.locator("[data-role=user]").count() == 1
    assert tab.inner_text("[data-role=assistant] span") == "".join(ANSWER)
    assert tab.locator("[data-role=product]").count() == 2
    tab.click("[data-role=language]")
    assert tab.get_attribute("[data-role=input]", "placeholder") == "问问商品、订单、退换货…"
    tab.screenshot(path=str(OUTPUT / "widget-after-reload-zh.png"))
