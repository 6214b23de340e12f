"""The chat's checkout page in real headless Chromium: fill the address, pick a delivery, apply a code, pay with the
mock handler, and see the order confirmation (screenshots in test-output/ and /tmp/checkout.png)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from commerce.db import Database
from commerce.tables import OrderRow
from serving.app import create_app
from shopassist.settings import Settings
from tests.serving.fakes import ScriptedRunner
from tests.serving.live import live_server
from tests.serving.test_browser import CHROMIUM, OUTPUT
from tests.serving.test_checkout import ALICE, CART, _fill
from tools.cart import checkout_url

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed (/usr/bin/chromium)"),
]
SCREENSHOT = Path("/tmp/checkout.png")


def test_a_shopper_fills_the_checkout_pays_and_sees_the_order(serving_settings: Settings,
                                                               database: Database) -> None:
    from playwright.sync_api import sync_playwright

    _fill(database)
    token = checkout_url(serving_settings, CART).rsplit("/", 1)[1]
    app = create_app(serving_settings, database, ScriptedRunner())
    with live_server(app) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"])
        try:
            tab = browser.new_page(viewport={"width": 900, "height": 1200})
            tab.goto(f"{base}/checkout/{token}")
            assert "Pay 117.00 USD" in tab.inner_text("[data-role=pay]")
            tab.fill("input[name=country]", "US")
            assert tab.inner_text("button[value=update]") == "Update address and delivery"
            tab.click("button[value=update]")
            tab.check("input[value=exp-ship-us]")
            tab.fill("input[name=discount_code]", "10off")
            tab.click("button[value=apply]")
            assert tab.inner_text("[data-role=notice]") == "Discount applied."
            assert "Pay 115.80 USD" in tab.inner_text("[data-role=pay]")
            OUTPUT.mkdir(exist_ok=True)
            tab.screenshot(path=str(OUTPUT / "checkout-form.png"), full_page=True)
            tab.click("[data-role=pay]")
            tab.wait_for_selector("[data-role=confirmation]", timeout=15_000)
            order_id = tab.inner_text("[data-role=order-id]")
            assert tab.inner_text("h1") == "Thank you, your order is placed"
            assert tab.inner_text("[data-role=order-status]") == "pending"
            tab.screenshot(path=str(SCREENSHOT), full_page=True)
            tab.screenshot(path=str(OUTPUT / "checkout-confirmation.png"), full_page=True)
            tab.click("[data-role=language]")
            assert tab.inner_text("h1") == "谢谢，订单已提交" and tab.inner_text("[data-role=order-status]") == "待发货"
            tab.screenshot(path=str(OUTPUT / "checkout-confirmation-zh.png"), full_page=True)
        finally:
            browser.close()
    assert re.fullmatch(r"#W\d{7}", order_id)
    with database.session() as session:
        assert session.scalar(select(OrderRow.shopper_id).where(OrderRow.id == order_id)) == ALICE.id
