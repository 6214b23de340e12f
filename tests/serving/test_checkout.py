"""The chat's checkout page over the checkout core: address, delivery, discount, mock payment and one order for the
shopper the signed link names; a hand-over to the shop's checkout when no payment handler is on."""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select

from agent.runner import AgentRunner
from agent.state import TurnRequest
from commerce.db import Database
from commerce.models import Cart, CartLine
from commerce.tables import (
    CartRow,
    CheckoutSessionRow,
    DiscountCodeRow,
    OrderRow,
    ProductRow,
    ShippingRateRow,
    ShopperRow,
    VariantRow,
)
from serving.app import create_app
from serving.chat_checkout import owner_of
from shopassist.settings import Settings
from tests.agent.fakes import ScriptedChatModel
from tests.serving.fakes import ScriptedRunner
from tests.serving.live import live_server
from tests.tools.conftest import ALICE, BOB, fill_shop
from tools.cart import CART_READ_TOOLS, checkout_url
from tools.orders import ORDER_READ_TOOLS

CART = Cart(shopper_id=ALICE.id, lines=[CartLine(product_id="p_shirt", item_id="shirt_blue_m", quantity=2),
                                        CartLine(product_id="p_mug", item_id="mug_white", quantity=1)])
US = {"first_name": "Alice", "last_name": "Smith", "street_address": "1 Main St", "city": "Springfield",
      "region": "IL", "postal_code": "62701", "country": "us"}


def _fill(database: Database) -> None:
    fill_shop(database)
    with database.session() as session:
        session.add_all([
            ShippingRateRow(id="std-ship", country_code="default", service_level="standard", title="Standard",
                            amount=500),
            ShippingRateRow(id="exp-ship-us", country_code="US", service_level="express", title="Express (US)",
                            amount=1500),
            DiscountCodeRow(code="10OFF", kind="percentage", value=10, title="10% Off"),
            # what the shopper bought is taken out of the cart; what they added after the link stays
            CartRow(shopper_id=ALICE.id, lines=[*(line.model_dump() for line in CART.lines),
                                                {"product_id": "p_shirt", "item_id": "shirt_red_l", "quantity": 1}]),
        ])


@pytest.fixture
def client(serving_settings: Settings, database: Database) -> Iterator[TestClient]:
    _fill(database)
    with TestClient(create_app(serving_settings, database, ScriptedRunner())) as test_client:
        yield test_client


def _token(settings: Settings, cart: Cart = CART) -> str:
    return checkout_url(settings, cart).rsplit("/", 1)[1]


def _checkout_id(page: Response) -> str:
    found = re.search(r'name="checkout_id" value="([^"]+)"', page.text)
    assert found is not None, page.text
    return found.group(1)


def _orders(database: Database, shopper_id: str) -> list[OrderRow]:
    with database.session() as session:
        rows = session.scalars(select(OrderRow).where(OrderRow.shopper_id == shopper_id)
                               .order_by(OrderRow.created_at)).all()
        session.expunge_all()
    return list(rows)


def _stock(database: Database, variant_id: str) -> int:
    with database.session() as session:
        return session.get_one(VariantRow, variant_id).stock


async def ask(runner: AgentRunner, text: str, language: str) -> str:
    """One chat turn of Alice's, planned by the router and rendered by code: the answer's text."""
    request = TurnRequest(text=text, conversation_id=f"c-{language}", shopper_id=ALICE.id,
                          language=language)  # type: ignore[arg-type]
    return [event async for event in runner.stream(request) if event.type == "done"][-1].text


def test_the_link_prices_the_cart_now_and_pays_into_one_order_for_that_shopper(
        client: TestClient, serving_settings: Settings, database: Database) -> None:
    token = _token(serving_settings)
    page = client.get(f"/checkout/{token}")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    # prices from the shop's rows, the saved address, its cheapest delivery chosen
    assert "T-Shirt" in page.text and "blue, M" in page.text and "100.00 USD" in page.text
    assert 'value="Springfield"' in page.text and 'value="std-ship" checked' in page.text
    assert "Pay 117.00 USD" in page.text  # 2 × 50.00 + 12.00 + 5.00 shipping
    checkout_id = _checkout_id(page)

    updated = client.post(f"/checkout/{token}/update", data={
        "checkout_id": checkout_id, **US, "shipping_option_id": "exp-ship-us", "discount_code": "10off"})
    assert updated.status_code == 200 and "Discount applied." in updated.text
    assert 'value="exp-ship-us" checked' in updated.text and "−11.20 USD" in updated.text
    assert "Pay 115.80 USD" in updated.text  # 112.00 − 11.20 + 15.00

    paid = client.post(f"/checkout/{token}/pay", data={"checkout_id": checkout_id, "payment_token": "success_token"},
                       follow_redirects=False)
    assert paid.status_code == 303 and paid.headers["location"] == f"/checkout/{token}?lang=en"
    confirmation = client.get(paid.headers["location"])
    order_id = re.search(r'data-role="order-id">([^<]+)<', confirmation.text)
    assert order_id is not None and "Thank you, your order is placed" in confirmation.text
    assert "pending" in confirmation.text and "115.80 USD" in confirmation.text

    new = [row for row in _orders(database, ALICE.id) if row.id == order_id.group(1).replace("&#35;", "#")]
    assert len(new) == 1 and new[0].status == "pending"
    assert sorted(line["item_id"] for line in new[0].lines) == ["mug_white", "shirt_blue_m", "shirt_blue_m"]
    assert new[0].payments[0]["amount"] == 115.80 and new[0].address["country"] == "US"
    assert (_stock(database, "shirt_blue_m"), _stock(database, "mug_white")) == (3, 9)
    with database.session() as session:
        assert session.get_one(CartRow, ALICE.id).lines == [
            {"product_id": "p_shirt", "item_id": "shirt_red_l", "quantity": 1}]
    assert client.get(f"/checkout/{token}").text == confirmation.text  # the link now shows its order


def test_reopening_a_link_reuses_its_session_and_a_newer_link_replaces_it(
        client: TestClient, serving_settings: Settings, database: Database) -> None:
    first = _token(serving_settings)
    ids = {_checkout_id(client.get(f"/checkout/{first}")) for _ in range(3)}
    assert len(ids) == 1
    newer = _token(serving_settings, CART.model_copy(update={"lines": CART.lines[:1]}))
    assert _checkout_id(client.get(f"/checkout/{newer}")) not in ids
    with database.session() as session:
        statuses = sorted(session.scalars(select(CheckoutSessionRow.status)
                                          .where(CheckoutSessionRow.owner == owner_of(ALICE.id))))
    assert statuses == ["canceled", "ready_for_complete"]  # one open checkout per shopper
    stale = client.get(f"/checkout/{first}")
    assert stale.status_code == 410 and "replaced by a newer one" in stale.text


def test_a_bad_discount_code_is_named_and_changes_nothing(client: TestClient, serving_settings: Settings) -> None:
    token = _token(serving_settings)
    checkout_id = _checkout_id(client.get(f"/checkout/{token}"))
    page = client.post(f"/checkout/{token}/update", data={"checkout_id": checkout_id, **US,
                                                            "discount_code": "<b>NOPE</b>"})
    assert page.status_code == 200
    assert "The discount code &lt;B&gt;NOPE&lt;/B&gt; is not valid." in page.text and "<b>" not in page.text
    assert "Pay 117.00 USD" in page.text and 'data-role="applied-code"' not in page.text
    again = client.post(f"/checkout/{token}/update", data={"checkout_id": checkout_id, **US})
    assert "not valid" not in again.text  # the bad code was not kept


def test_out_of_stock_items_block_paying_and_a_sale_in_between_charges_nothing(
        client: TestClient, serving_settings: Settings, database: Database) -> None:
    short = Cart(shopper_id=ALICE.id, lines=[CartLine(product_id="p_shirt", item_id="shirt_green_s", quantity=1),
                                             CartLine(product_id="p_mug", item_id="mug_white", quantity=1)])
    token = _token(serving_settings, short)
    page = client.get(f"/checkout/{token}")
    assert page.status_code == 200 and 'data-role="unavailable"' in page.text and 'data-role="pay"' not in page.text
    refused = client.post(f"/checkout/{token}/pay", data={"checkout_id": _checkout_id(page),
                                                           "payment_token": "success_token"})
    assert refused.status_code == 409 and "out of stock now; nothing was charged" in refused.text

    token = _token(serving_settings)
    checkout_id = _checkout_id(client.get(f"/checkout/{token}"))
    with database.session() as session:  # someone else buys the last mugs while the page is open
        session.get_one(VariantRow, "mug_white").stock = 0
    sold_out = client.post(f"/checkout/{token}/pay", data={"checkout_id": checkout_id,
                                                           "payment_token": "success_token"})
    assert sold_out.status_code == 409 and "out of stock now; nothing was charged" in sold_out.text
    assert 'data-role="unavailable"' in sold_out.text
    assert len(_orders(database, ALICE.id)) == 4 and _stock(database, "shirt_blue_m") == 5  # the shop's four
    with database.session() as session:
        assert len(session.get_one(CartRow, ALICE.id).lines) == 3


def test_the_shopper_can_buy_the_rest_without_what_is_out_of_stock(
        client: TestClient, serving_settings: Settings, database: Database) -> None:
    short = Cart(shopper_id=ALICE.id, lines=[CartLine(product_id="p_shirt", item_id="shirt_green_s", quantity=1),
                                             CartLine(product_id="p_mug", item_id="mug_white", quantity=1)])
    token = _token(serving_settings, short)
    checkout_id = _checkout_id(client.get(f"/checkout/{token}"))
    rest = client.post(f"/checkout/{token}/update", data={"checkout_id": checkout_id, "action": "drop_unavailable"})
    assert rest.status_code == 200 and 'data-role="unavailable"' not in rest.text and "T-Shirt" not in rest.text
    assert "Pay 17.00 USD" in rest.text  # 12.00 + 5.00 shipping
    paid = client.post(f"/checkout/{token}/pay", data={"checkout_id": checkout_id, "payment_token": "success_token"},
                       follow_redirects=False)
    assert paid.status_code == 303
    assert [line["item_id"] for line in _orders(database, ALICE.id)[-1].lines] == ["mug_white"]


def test_paying_twice_makes_one_order_and_a_declined_token_none(
        client: TestClient, serving_settings: Settings, database: Database) -> None:
    token = _token(serving_settings)
    checkout_id = _checkout_id(client.get(f"/checkout/{token}"))
    declined = client.post(f"/checkout/{token}/pay", data={"checkout_id": checkout_id, "payment_token": "bad"})
    assert declined.status_code == 402 and "declined; nothing was charged" in declined.text
    assert len(_orders(database, ALICE.id)) == 4 and _stock(database, "mug_white") == 10
    form = {"checkout_id": checkout_id, "payment_token": "success_token"}
    answers = [client.post(f"/checkout/{token}/pay", data=form, follow_redirects=False) for _ in range(2)]
    assert [answer.status_code for answer in answers] == [303, 303]
    assert len(_orders(database, ALICE.id)) == 5 and _stock(database, "mug_white") == 9


def test_an_address_changed_on_the_pay_click_is_saved_and_shown_before_anything_is_charged(
        client: TestClient, serving_settings: Settings, database: Database) -> None:
    token = _token(serving_settings)
    checkout_id = _checkout_id(client.get(f"/checkout/{token}"))
    pay = {"checkout_id": checkout_id, "payment_token": "success_token", **US, "shipping_option_id": "exp-ship-us"}
    reviewed = client.post(f"/checkout/{token}/pay", data=pay)
    assert reviewed.status_code == 409 and "check the total, then pay" in reviewed.text
    assert "Pay 127.00 USD" in reviewed.text and len(_orders(database, ALICE.id)) == 4
    paid = client.post(f"/checkout/{token}/pay", data=pay, follow_redirects=False)
    assert paid.status_code == 303 and len(_orders(database, ALICE.id)) == 5
    assert _orders(database, ALICE.id)[-1].payments[0]["amount"] == 127.00  # what the shopper saw


def test_another_shoppers_link_cannot_touch_the_session_and_a_forged_link_is_refused(
        client: TestClient, serving_settings: Settings, database: Database) -> None:
    alice = _token(serving_settings)
    checkout_id = _checkout_id(client.get(f"/checkout/{alice}"))
    bob = _token(serving_settings, Cart(shopper_id=BOB.id, lines=CART.lines[1:]))
    paid = client.post(f"/checkout/{bob}/pay", data={"checkout_id": checkout_id, "payment_token": "success_token"})
    changed = client.post(f"/checkout/{bob}/update", data={"checkout_id": checkout_id, **US, "country": "FR"})
    assert (paid.status_code, changed.status_code) == (404, 404) and "T-Shirt" not in paid.text
    assert len(_orders(database, ALICE.id)) == 4 and len(_orders(database, BOB.id)) == 1
    assert 'value="std-ship" checked' in client.get(f"/checkout/{alice}").text  # untouched
    forged = client.get(f"/checkout/{alice[:-2]}xx")
    assert forged.status_code == 400 and "not valid" in forged.text and "T-Shirt" not in forged.text
    tampered = client.post(f"/checkout/{alice}/update", data={"checkout_id": checkout_id, "city": "x" * 500})
    assert tampered.status_code == 400 and "too long" in tampered.text


def test_the_page_follows_the_widgets_language_or_the_browsers_and_escapes_shop_text(
        client: TestClient, serving_settings: Settings, database: Database) -> None:
    with database.session() as session:
        session.get_one(ProductRow, "p_mug").title = '<img src=x onerror="alert(1)">Mug'
    token = _token(serving_settings)
    chinese = client.get(f"/checkout/{token}?lang=zh")
    assert "<h1>结算</h1>" in chinese.text and "支付 117.00 USD" in chinese.text and 'lang="zh-CN"' in chinese.text
    assert f'action="/checkout/{token}/pay?lang=zh"' in chinese.text
    browser = client.get(f"/checkout/{token}", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"})
    assert "<h1>结算</h1>" in browser.text
    assert "<img" not in browser.text and "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;Mug" in browser.text


def test_without_a_payment_handler_the_cart_is_handed_to_the_shops_checkout(
        serving_settings: Settings, database: Database) -> None:
    settings = serving_settings.model_copy(update={"public_base_url": "https://assistant.example/",
                                                   "shop_checkout_url": "https://shop.example/pay",
                                                   "ucp_mock_payments": False})
    link = checkout_url(settings, CART)
    assert link.startswith("https://assistant.example/checkout/")
    token = link.rsplit("/", 1)[1]
    _fill(database)
    with TestClient(create_app(settings, database, ScriptedRunner())) as client:
        page = client.get(f"/checkout/{token}")
        plain = TestClient(create_app(settings.model_copy(update={"shop_checkout_url": ""}), database,
                                      ScriptedRunner())).get(f"/checkout/{token}")
    assert page.status_code == 200 and "T-Shirt" in page.text and "112.00 USD" in page.text
    form = re.search(r'<form method="get" action="([^"]+)"><input type="hidden" name="cart" value="([^"]+)">',
                     page.text)
    assert form is not None and form.groups() == ("https://shop.example/pay", token)
    assert plain.status_code == 200 and "<form" not in plain.text and "not set up online checkout" in plain.text
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(CheckoutSessionRow)) == 0  # nothing stored


def test_after_paying_the_chat_answers_wheres_my_order_with_the_new_order(
        client: TestClient, serving_settings: Settings, database: Database) -> None:
    token = _token(serving_settings)
    checkout_id = _checkout_id(client.get(f"/checkout/{token}"))
    client.post(f"/checkout/{token}/pay", data={"checkout_id": checkout_id, "payment_token": "success_token"})
    [new] = [row for row in _orders(database, ALICE.id) if row.id not in {"#W1", "#W2", "#W3", "#W4"}]
    settings = serving_settings.model_copy(update={"agent_planner": "router", "agent_answer": "facts"})
    model = ScriptedChatModel(replies=[])  # any call to it fails the turn: the router plans, code renders
    runner = AgentRunner(settings, database, model=model, tools=ORDER_READ_TOOLS, model_name="scripted-fake")

    english = asyncio.run(ask(runner, "where's my order?", "en"))
    chinese = asyncio.run(ask(runner, "我的订单到哪了", "zh"))
    assert new.id in english and "pending" in english.split(new.id, 1)[1].split("\n", 1)[0]
    assert new.id in chinese and not model.calls


def test_the_chats_cart_link_opens_the_checkout_in_the_chats_language(
        client: TestClient, serving_settings: Settings, database: Database) -> None:
    settings = serving_settings.model_copy(update={"agent_planner": "router", "agent_answer": "facts"})
    runner = AgentRunner(settings, database, model=ScriptedChatModel(replies=[]), tools=CART_READ_TOOLS,
                         model_name="scripted-fake")
    answer = asyncio.run(ask(runner, "我的购物车里有什么", "zh"))
    link = re.search(r"https?://\S+/checkout/[\w.-]+\?lang=zh", answer)
    assert link is not None, answer
    page = client.get(link.group(0).split("/checkout/", 1)[1].join(["/checkout/", ""]))
    assert page.status_code == 200 and "<h1>结算</h1>" in page.text and "支付 " in page.text


def test_pay_pressed_in_two_tabs_at_once_makes_one_order(serving_settings: Settings, database: Database) -> None:
    _fill(database)
    token = _token(serving_settings)
    with live_server(create_app(serving_settings, database, ScriptedRunner())) as base:
        checkout_id = _checkout_id(httpx.get(f"{base}/checkout/{token}"))
        form = {"checkout_id": checkout_id, "payment_token": "success_token"}
        start = threading.Barrier(6)

        def press_pay(_: int) -> int:
            start.wait()
            return httpx.post(f"{base}/checkout/{token}/pay", data=form, timeout=30).status_code

        with ThreadPoolExecutor(6) as pool:
            answers = list(pool.map(press_pay, range(6)))
    assert answers == [303] * 6  # every tab lands on the same confirmation
    assert len(_orders(database, ALICE.id)) == 5 and _stock(database, "mug_white") == 9


def test_a_shopper_with_no_saved_address_gets_an_empty_address_form(
        client: TestClient, serving_settings: Settings, database: Database) -> None:
    with database.session() as session:
        session.get_one(ShopperRow, ALICE.id).address = None
    page = client.get(f"/checkout/{_token(serving_settings)}")
    assert page.status_code == 200, page.text
    assert 'name="street_address" value=""' in page.text and 'data-role="not-ready"' in page.text
