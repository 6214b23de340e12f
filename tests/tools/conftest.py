"""A tiny shop for the order/cart tools: two shoppers, orders in each status, products with (un)available variants."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from commerce.db import Database
from commerce.models import Address, Order, OrderLine, Payment, PaymentMethod, Product, Shopper, Variant
from commerce.store import get_order, get_shopper, order_row, product_rows, shopper_row
from shopassist.settings import Settings
from tools.base import ToolContext
from tools.deps import Deps

ADDRESS = Address(address1="1 Main St", city="Springfield", state="IL", country="USA", zip="62701")
SHIRT = Product(id="p_shirt", title="T-Shirt", price=45.0, variants=[
    Variant(id="shirt_blue_m", options={"color": "blue", "size": "M"}, price=50.0, stock=5),
    Variant(id="shirt_red_l", options={"color": "red", "size": "L"}, price=55.5, stock=3),
    Variant(id="shirt_green_s", options={"color": "green", "size": "S"}, price=45.0, stock=0),
])
MUG = Product(id="p_mug", title="Mug", price=12.0, variants=[Variant(id="mug_white", price=12.0, stock=10)])


def _line(product: Product, variant_index: int = 0) -> OrderLine:
    variant = product.variants[variant_index]
    return OrderLine(product_id=product.id, item_id=variant.id, name=product.title, price=variant.price,
                     options=variant.options)


ALICE = Shopper(
    id="alice_1", first_name="Alice", last_name="Smith", email="alice@example.com", address=ADDRESS,
    payment_methods=[
        PaymentMethod(id="credit_card_1", source="credit_card", brand="visa", last_four="1234"),
        PaymentMethod(id="gift_card_1", source="gift_card", balance=20.0),
        PaymentMethod(id="paypal_1", source="paypal"),
    ],
)
BOB = Shopper(
    id="bob_2", first_name="Bob", last_name="Jones", email="bob@example.com",
    address=ADDRESS.model_copy(update={"zip": "20002"}),
    payment_methods=[PaymentMethod(id="credit_card_2", source="credit_card", brand="amex", last_four="9999")],
)
ORDERS = [
    Order(id="#W1", shopper_id=ALICE.id, address=ADDRESS, lines=[_line(SHIRT), _line(MUG)], status="pending",
          payments=[Payment(transaction_type="payment", amount=62.0, payment_method_id="credit_card_1")]),
    Order(id="#W2", shopper_id=ALICE.id, address=ADDRESS, lines=[_line(SHIRT), _line(SHIRT)], status="delivered",
          payments=[Payment(transaction_type="payment", amount=100.0, payment_method_id="paypal_1")]),
    Order(id="#W3", shopper_id=ALICE.id, address=ADDRESS, lines=[_line(MUG)], status="processed",
          payments=[Payment(transaction_type="payment", amount=12.0, payment_method_id="credit_card_1")]),
    Order(id="#W4", shopper_id=ALICE.id, address=ADDRESS, lines=[_line(MUG)], status="pending",
          payments=[Payment(transaction_type="payment", amount=12.0, payment_method_id="gift_card_1")]),
    Order(id="#W9", shopper_id=BOB.id, address=BOB.address, lines=[_line(SHIRT, 1)], status="pending",
          payments=[Payment(transaction_type="payment", amount=55.5, payment_method_id="credit_card_2")]),
]


def fill_shop(db: Database) -> None:
    with db.session() as session:
        for product in (SHIRT, MUG):
            row, variants = product_rows(product)
            session.add(row)
            session.add_all(variants)
        session.add_all([shopper_row(ALICE), shopper_row(BOB)])
        session.flush()
        session.add_all(order_row(order, position) for position, order in enumerate(ORDERS))


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class Shop:
    db: Database
    settings: Settings
    clock: Clock

    def context(self, shopper_id: str | None = ALICE.id) -> ToolContext:
        return ToolContext(Deps(self.db, self.settings, now=self.clock), shopper_id=shopper_id)

    def order(self, order_id: str) -> Order:
        with self.db.session() as session:
            found = get_order(session, order_id)
        assert found is not None
        return found

    def shopper(self, shopper_id: str) -> Shopper:
        with self.db.session() as session:
            found = get_shopper(session, shopper_id)
        assert found is not None
        return found


def make_shop(db: Database, settings: Settings) -> Shop:
    fill_shop(db)
    return Shop(db=db, settings=settings, clock=Clock(datetime(2026, 1, 1, 12, 0, tzinfo=UTC)))


@pytest.fixture
def shop(database: Database, tmp_settings: Settings) -> Shop:
    return make_shop(database, tmp_settings)

