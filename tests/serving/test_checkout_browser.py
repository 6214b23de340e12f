"""The chat's checkout page in real headless Chromium: fill the address, pick a delivery, apply a code, pay with the
mock handler, and see the order confirmation (screenshots in test-output/ and /tmp/checkout.png)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from commerce.buyer_links import session_url
from commerce.checkout import create_checkout, get_checkout
from commerce.checkout_models import Buyer, CheckoutInput, CheckoutStatus, Destination, LineRequest
from commerce.db import Database
from commerce.models import Cart, CartLine
from commerce.tables import OrderRow
from serving.app import create_app
from shopassist.settings import Settings, load_settings
from tests.checkout_shop import ADDRESS, SHOPPER_EMAIL, seed_checkout_shop
from tests.serving.browser import widget_tab
from tests.serving.fakes import ScriptedRunner
from tests.serving.test_browser import CHROMIUM, OUTPUT
from tests.serving.test_checkout import ALICE, CART, _fill
from tools.cart import checkout_url

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed (/usr/bin/chromium)"),
]
SCREENSHOT = Path("/tmp/checkout.png")


@pytest.fixture
def tab(serving_settings: Settings, database: Database) -> Iterator[tuple[Any, str]]:
    _fill(database)
    with widget_tab(create_app(serving_settings, database, ScriptedRunner()), width=900, height=1200) as opened:
        yield opened


def test_a_shopper_fills_the_checkout_pays_and_sees_the_order(tab: tuple[Any, str], serving_settings: Settings,
                                                               database: Database) -> None:
    page, base = tab
    token = checkout_url(serving_settings, CART).rsplit("/", 1)[1]
    page.goto(f"{base}/checkout/{token}")
    assert "Pay 117.00 USD" in page.inner_text("[data-role=pay]")
    page.fill("input[name=country]", "US")
    assert page.inner_text("button[value=update]") == "Update address and delivery"
    page.click("button[value=update]")
    page.check("input[value=exp-ship-us]")
    page.fill("input[name=discount_code]", "10off")
    page.click("button[value=apply]")
    assert page.inner_text("[data-role=notice]") == "Discount applied."
    assert "Pay 115.80 USD" in page.inner_text("[data-role=pay]")
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / "checkout-form.png"), full_page=True)
    page.click("[data-role=pay]")
    page.wait_for_selector("[data-role=confirmation]", timeout=15_000)
    order_id = page.inner_text("[data-role=order-id]")
    assert page.inner_text("h1") == "Thank you, your order is placed"
    assert page.inner_text("[data-role=order-status]") == "pending"
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    page.screenshot(path=str(OUTPUT / "checkout-confirmation.png"), full_page=True)
    page.click("[data-role=language]")
    assert page.inner_text("h1") == "谢谢，订单已提交" and page.inner_text("[data-role=order-status]") == "待发货"
    page.screenshot(path=str(OUTPUT / "checkout-confirmation-zh.png"), full_page=True)
    assert re.fullmatch(r"#W\d{7}", order_id)
    with database.session() as session:
        assert session.scalar(select(OrderRow.shopper_id).where(OrderRow.id == order_id)) == ALICE.id


def test_an_out_of_stock_item_can_be_left_out_in_chinese(tab: tuple[Any, str], serving_settings: Settings) -> None:
    page, base = tab
    short = Cart(shopper_id=ALICE.id, lines=[CartLine(product_id="p_shirt", item_id="shirt_green_s", quantity=1),
                                             *CART.lines])
    page.goto(f"{base}/checkout/{checkout_url(serving_settings, short).rsplit('/', 1)[1]}?lang=zh")
    assert page.inner_text("[data-role=unavailable]") == "缺货" and page.locator("[data-role=pay]").count() == 0
    assert page.locator("[data-role=not-ready]").count() == 0  # the address is fine: stock is what blocks
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / "checkout-out-of-stock-zh.png"), full_page=True)
    page.click("button[value=drop_unavailable]")
    assert page.locator("[data-role=unavailable]").count() == 0
    assert page.inner_text("[data-role=pay]") == "支付 117.00 USD"


def test_a_buyer_pays_an_agents_order_held_for_review_in_chinese(tmp_path: Path, database: Database) -> None:
    seed_checkout_shop(database)
    settings = load_settings(env="test", data_dir=tmp_path / "var", agent_review_above=100.0)
    destination = Destination(**ADDRESS, first_name="John", last_name="Doe")
    request = CheckoutInput(lines=[LineRequest(item_id="roses_12", quantity=3)], buyer=Buyer(email=SHOPPER_EMAIL),
                            destination=destination, shipping_option_id="std-ship")
    with database.session() as session:
        held = create_checkout(session, "agent_shopper_bot", settings.shop_currency, request,
                               review_above=settings.agent_review_above_minor)
    assert held.status == CheckoutStatus.REQUIRES_ESCALATION
    path = session_url(settings, held.owner, held.id).removeprefix(settings.public_base_url.rstrip("/"))
    with widget_tab(create_app(settings, database, ScriptedRunner()), width=900, height=1100) as (page, base):
        page.goto(f"{base}{path}?lang=zh")
        assert page.inner_text("[data-role=notice]") == "这是购物助手为你准备的订单。本店请你核对后在这里支付。"
        assert "支付 110.00 USD" in page.inner_text("[data-role=pay]")
        OUTPUT.mkdir(exist_ok=True)
        page.screenshot(path=str(OUTPUT / "checkout-review-zh.png"), full_page=True)
        page.click("[data-role=pay]")
        page.wait_for_selector("[data-role=confirmation]", timeout=15_000)
        assert page.inner_text("h1") == "谢谢，订单已提交"
    with database.session() as session:
        assert get_checkout(session, held.owner, held.id).status == CheckoutStatus.COMPLETED
