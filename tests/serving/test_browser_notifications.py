"""The widget in headless Chromium shows an alert's notification as a card: held for the shopper's next session in
English, pushed live in Chinese once the shopper reads the widget in Chinese."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from commerce.db import Database
from commerce.models import Product, Variant
from commerce.offers import OfferUpdate, update_offers
from commerce.store import upsert_product
from commerce.watches import create_watch
from serving.app import create_app
from serving.identity import issue_token
from shopassist.settings import Settings
from tests.serving.browser import widget_tab
from tests.serving.fakes import ScriptedRunner
from tests.serving.test_browser import CHROMIUM, OUTPUT

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed (/usr/bin/chromium)"),
]


def _reprice(database: Database, price: float) -> None:
    with database.session() as session:
        update_offers(session, [OfferUpdate(variant_id="v_trail", price=price)])


@pytest.fixture
def page(serving_settings: Settings, database: Database) -> Iterator[tuple[Any, str]]:
    with database.session() as session:
        upsert_product(session, Product(id="p_trail", title="Trail Runner X", price=120.0,
                                        variants=[Variant(id="v_trail", price=120.0, stock=3)]))
        create_watch(session, "alice", "p_trail", "below", timedelta(days=90), 100.0)
    with widget_tab(create_app(serving_settings, database, ScriptedRunner())) as opened:
        yield opened


def test_the_widget_shows_held_and_live_alerts_as_cards(page: tuple[Any, str], database: Database,
                                                         serving_settings: Settings) -> None:
    tab, base = page
    _reprice(database, 89.0)
    tab.goto(base + "/")
    tab.click("[data-role=launcher]")
    tab.evaluate("token => window.ShopAssist.setToken(token)", issue_token(serving_settings, "alice"))
    card = tab.wait_for_selector("[data-role=notification]", timeout=15_000)
    assert "While you were away: Trail Runner X dropped to $89.00, under your $100.00." in card.inner_text()
    assert "Price alert" in card.inner_text()
    OUTPUT.mkdir(exist_ok=True)
    tab.screenshot(path=str(OUTPUT / "widget-notification-held.png"))

    tab.evaluate("token => { window.ShopAssist.setLanguage('zh'); window.ShopAssist.setToken(token); }",
                 issue_token(serving_settings, "alice"))
    time.sleep(2.0)  # the widget reconnects, saying it reads Chinese now
    _reprice(database, 120.0)
    _reprice(database, 79.0)
    live = tab.locator("[data-role=notification]", has_text="已降到")  # the reconnect redrew the log
    live.wait_for(timeout=15_000)
    assert "Trail Runner X 已降到 $79.00，低于您设定的 $100.00。" in live.inner_text()
    assert "降价提醒" in live.inner_text()
    tab.screenshot(path=str(OUTPUT / "widget-notification-live-zh.png"))
