"""The widget in real headless Chromium on the demo page: shows the turn's status until the answer streams, shows
cards, survives a reload, and reports views, clicks and shop-handled cart adds as behaviour events."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from commerce.db import Database
from commerce.models import Product, Variant
from commerce.store import upsert_product
from commerce.tables import EventRow
from serving.app import create_app
from shopassist.settings import Settings
from tests.serving.fakes import ANSWER, CARDS, STATUS, ScriptedRunner
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

    app = create_app(serving_settings, database, ScriptedRunner(status_pause_s=1.0))
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
    OUTPUT.mkdir(exist_ok=True)
    tab.screenshot(path=str(OUTPUT / "widget-launcher.png"))
    tab.click("[data-role=launcher]")
    tab.fill("[data-role=input]", "a tent for two")
    tab.press("[data-role=input]", "Enter")
    status = tab.wait_for_selector("[data-role=assistant] [data-role=turn-status]", timeout=15_000)
    assert status.inner_text() == STATUS and status.get_attribute("aria-live") == "polite"
    tab.screenshot(path=str(OUTPUT / "widget-status.png"))
    tab.wait_for_selector("[data-role=assistant][data-done=true]", timeout=15_000)
    assert tab.locator("[data-role=turn-status]").count() == 0  # gone once the answer streams
    assert tab.inner_text("[data-role=assistant] > span") == "".join(ANSWER)
    assert tab.locator("[data-role=product]").count() == 2
    assert "Trail Tent 2P" in tab.inner_text("[data-role=cards]")
    assert "Returns" in tab.inner_text("[data-role=citations]")
    # The host page forces `button { background: hotpink !important }`; the Shadow DOM keeps it out.
    background = tab.eval_on_selector("[data-role=add-to-cart]", "b => getComputedStyle(b).backgroundColor")
    assert background != "rgb(255, 105, 180)"
    assert tab.locator("[data-role=thumb-up] svg").count() == 1  # icons are SVG, not emoji
    tab.screenshot(path=str(OUTPUT / "widget-answer.png"))

    tab.reload()
    tab.click("[data-role=launcher]")
    tab.wait_for_selector("[data-role=product]", timeout=15_000)
    assert tab.locator("[data-role=user]").count() == 1
    assert tab.inner_text("[data-role=assistant] > span") == "".join(ANSWER)
    assert tab.locator("[data-role=product]").count() == 2
    tab.click("[data-role=language]")
    assert tab.get_attribute("[data-role=input]", "placeholder") == "问问商品、订单、退换货…"
    tab.screenshot(path=str(OUTPUT / "widget-after-reload-zh.png"))


def test_widget_reports_views_clicks_and_shop_handled_cart_adds(page: tuple[Any, str], database: Database) -> None:
    with database.session() as session:
        for card in CARDS:
            upsert_product(session, Product(id=card.id, title=card.title, price=card.price,
                                            variants=[Variant(id=f"{card.id}-v", price=card.price, stock=3)]))
    tab, base = page
    tab.goto(base + "/")
    tab.fill("#shopper", "alice_1")
    tab.press("#shopper", "Enter")
    tab.wait_for_selector("#who:has-text('signed in')")
    # The shop adds to its own cart when the widget's button is pressed.
    tab.evaluate("""() => window.addEventListener("shopassist:add-to-cart", e => e.preventDefault())""")
    tab.click("[data-role=launcher]")
    tab.fill("[data-role=input]", "a tent for two")
    tab.press("[data-role=input]", "Enter")
    tab.wait_for_selector("[data-role=assistant][data-done=true]", timeout=15_000)
    tab.evaluate("""() => window.addEventListener("click", e => e.preventDefault())""")  # stay on this page
    tab.click("[data-role=product] >> nth=0 >> a")
    tab.click("[data-role=add-to-cart] >> nth=1")
    expected = sorted([("view", "tent-1"), ("view", "tent-2"), ("click", "tent-1"), ("add_to_cart", "tent-2")])
    for _ in range(100):
        with database.session() as session:
            events = sorted((row.kind, row.product_id) for row in session.scalars(
                select(EventRow).where(EventRow.shopper_id == "alice_1")))
        if len(events) >= len(expected):
            break
        tab.wait_for_timeout(100)
    assert events == expected
    assert tab.locator("[data-role=user]").count() == 1  # the shop handled the add: no message to the assistant
