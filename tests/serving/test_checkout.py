"""The checkout page behind the cart's link: the signed cart at current prices, and a hand-over to the shop."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from commerce.db import Database
from commerce.models import Cart, CartLine
from serving.app import create_app
from shopassist.settings import Settings
from tests.serving.fakes import ScriptedRunner
from tests.tools.conftest import ALICE, fill_shop
from tools.cart import checkout_url

CART = Cart(shopper_id=ALICE.id, lines=[CartLine(product_id="p_shirt", item_id="shirt_blue_m", quantity=2),
                                        CartLine(product_id="p_mug", item_id="mug_white", quantity=1)])


def _client(settings: Settings, database: Database) -> TestClient:
    fill_shop(database)
    return TestClient(create_app(settings, database, ScriptedRunner()))


def test_the_link_opens_the_signed_cart_and_hands_it_to_the_shop(serving_settings: Settings,
                                                                  database: Database) -> None:
    settings = serving_settings.model_copy(update={"public_base_url": "https://assistant.example/",
                                                   "shop_checkout_url": "https://shop.example/pay"})
    link = checkout_url(settings, CART)
    assert link.startswith("https://assistant.example/checkout/")
    token = link.rsplit("/", 1)[1]
    with _client(settings, database) as client:
        page = client.get(f"/checkout/{token}")
    assert page.status_code == 200
    text = page.text
    assert "T-Shirt" in text and "Mug" in text and "112.00 USD" in text  # 2 × 50.00 + 12.00, read from the shop
    form = re.search(r'<form method="get" action="([^"]+)"><input type="hidden" name="cart" value="([^"]+)">', text)
    assert form is not None and form.groups() == ("https://shop.example/pay", token)


def test_a_forged_link_is_refused_and_no_hand_over_without_a_shop_checkout(serving_settings: Settings,
                                                                           database: Database) -> None:
    token = checkout_url(serving_settings, CART).rsplit("/", 1)[1]
    with _client(serving_settings, database) as client:
        forged = client.get(f"/checkout/{token[:-2]}xx")
        plain = client.get(f"/checkout/{token}")
    assert forged.status_code == 400 and "not valid" in forged.text and "T-Shirt" not in forged.text
    assert plain.status_code == 200 and "<form" not in plain.text and "not set up online checkout" in plain.text
