"""Standing orders: triggered in the offer-changing transaction once per trigger, run once through the checkout
core (even by racing replicas), and every way it cannot go through leaves no order, no charge, no stock taken."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from commerce.db import Database
from commerce.offers import OfferUpdate, update_offers
from commerce.payments import MockTokenHandler
from commerce.standing_order_runs import claim_run_notices, run_due, run_one
from commerce.standing_orders import active_standing_orders, cancel_standing_orders, create_standing_order
from commerce.tables import (
    AuditRow,
    CheckoutSessionRow,
    OrderRow,
    StandingOrderRow,
    StandingOrderRunRow,
    VariantRow,
)
from ranking.privacy import erase_shopper
from tests.checkout_shop import ADDRESS, seed_checkout_shop

HANDLERS = {"mock_payment_handler": MockTokenHandler()}
SHOPPER = "john_doe_1"


@pytest.fixture
def shop(database: Database) -> Database:
    seed_checkout_shop(database)
    return database


def _standing(shop: Database, target: float = 30.0, token: str = "success_token", quantity: int = 1,
              ttl: timedelta = timedelta(days=90)) -> str:
    with shop.session() as session:
        return create_standing_order(session, SHOPPER, "roses_12", quantity, target, target * quantity + 5.0,
                                     target * quantity + 5.0, ADDRESS, "mock_payment_handler", token, ttl).id


def _price(shop: Database, price: float | None = None, stock: int | None = None) -> None:
    with shop.session() as session:
        update_offers(session, [OfferUpdate(variant_id="roses_12", price=price, stock=stock)])


def _count(shop: Database, table: type) -> int:
    with shop.session() as session:
        return session.scalar(select(func.count()).select_from(table)) or 0


def _runs(shop: Database) -> list[tuple[int, str, str]]:
    with shop.session() as session:
        return [(run.trigger, run.status, run.reason) for run in session.scalars(
            select(StandingOrderRunRow).order_by(StandingOrderRunRow.id))]


def _stock(shop: Database) -> int:
    with shop.session() as session:
        return session.get_one(VariantRow, "roses_12").stock


def test_a_price_under_the_target_buys_once_and_the_order_says_it_was_automatic(shop: Database) -> None:
    standing = _standing(shop)
    _price(shop, price=32.0)  # not under the target
    assert _runs(shop) == []
    _price(shop, price=28.0)
    _price(shop, price=27.0)  # still under: the same trigger, no second run
    assert _runs(shop) == [(1, "due", "")]
    assert run_due(shop, HANDLERS) == 1
    assert run_due(shop, HANDLERS) == 0
    assert _runs(shop) == [(1, "placed", "")]
    with shop.session() as session:
        [order] = session.scalars(select(OrderRow).where(OrderRow.shopper_id == SHOPPER)).all()
        assert order.details["placed_automatically"] is True and order.details["standing_order_id"] == standing
        assert session.get_one(StandingOrderRow, standing).status == "done"  # its cap is spent
        audit = session.scalars(select(AuditRow).where(AuditRow.action == "standing_order_placed")).one()
        # triggered at 28, bought at 27 (+ 5 shipping)
        assert audit.after == {"trigger": 1, "price": 28.0, "total": 32.0} and audit.target == f"order:{order.id}"
    assert _stock(shop) == 999


@pytest.mark.parametrize(("change", "reason"), [
    ({"price": 40.0}, "price_rose"),
    ({"stock": 0}, "out_of_stock"),
])
def test_a_change_before_the_run_leaves_nothing_half_done(shop: Database, change: dict[str, float],
                                                          reason: str) -> None:
    _standing(shop)
    _price(shop, price=28.0)
    _price(shop, **change)
    run_due(shop, HANDLERS)
    [(_, status, why)] = _runs(shop)
    assert status == "failed" and why in {reason, "item_unavailable", "not_ready"}
    assert _count(shop, OrderRow) == 0 and _count(shop, CheckoutSessionRow) == 0
    assert _stock(shop) == (0 if change.get("stock") == 0 else 1000)


def test_a_declined_payment_takes_no_stock_and_says_why(shop: Database) -> None:
    _standing(shop, token="expired_card_token")
    _price(shop, price=28.0)
    run_due(shop, HANDLERS)
    assert _runs(shop) == [(1, "failed", "payment_failed")]
    assert _count(shop, OrderRow) == 0 and _count(shop, CheckoutSessionRow) == 0 and _stock(shop) == 1000
    with shop.session() as session:
        failed = session.scalars(select(AuditRow).where(AuditRow.action == "standing_order_failed")).one()
    assert failed.after == {"trigger": 1, "price": 28.0, "reason": "payment_failed"}


def test_an_expired_or_cancelled_standing_order_does_not_buy(shop: Database) -> None:
    first = _standing(shop, ttl=timedelta(minutes=5))
    _price(shop, price=28.0)
    run_due(shop, HANDLERS, now=datetime.now(UTC) + timedelta(hours=1))
    assert _runs(shop) == [(1, "failed", "expired")]
    with shop.session() as session:
        assert session.get_one(StandingOrderRow, first).status == "expired"
    _price(shop, price=35.0)  # back up: a new standing order can trigger again
    second = _standing(shop)
    _price(shop, price=29.0)
    with shop.session() as session:
        assert cancel_standing_orders(session, SHOPPER, [second]) == 1
    run_due(shop, HANDLERS)
    assert _runs(shop)[-1] == (1, "failed", "cancelled") and _count(shop, OrderRow) == 0


def test_it_triggers_again_only_after_the_price_was_back_over_the_target(shop: Database) -> None:
    standing = _standing(shop)
    with shop.session() as session:
        session.execute(update(StandingOrderRow).values(spend_cap=1000.0))
    _price(shop, price=28.0)
    run_due(shop, HANDLERS)
    _price(shop, price=26.0)
    assert [trigger for trigger, _, _ in _runs(shop)] == [1]
    _price(shop, price=31.0)
    _price(shop, price=25.0)
    run_due(shop, HANDLERS)
    assert _runs(shop) == [(1, "placed", ""), (2, "placed", "")]
    with shop.session() as session:
        assert session.get_one(StandingOrderRow, standing).spent == 63.0  # (28 + 5) + (25 + 5)


def test_two_replicas_running_the_same_trigger_make_one_order(shop: Database) -> None:
    _standing(shop)
    _price(shop, price=28.0)
    with shop.session() as session:
        run_id = session.scalars(select(StandingOrderRunRow.id)).one()
    with ThreadPoolExecutor(4) as pool:
        ran = list(pool.map(lambda _: run_one(shop, run_id, HANDLERS), range(4)))
    assert sum(ran) == 1 and _count(shop, OrderRow) == 0 + 1 and _stock(shop) == 999


def test_the_shopper_is_told_once_and_forget_me_erases_it_all(shop: Database) -> None:
    _standing(shop)
    _price(shop, price=28.0)
    run_due(shop, HANDLERS)
    with shop.session() as session:
        [notice] = claim_run_notices(session, [SHOPPER])
        assert claim_run_notices(session, [SHOPPER]) == []
        assert (notice.status, notice.title, notice.total) == ("placed", "Bouquet of Red Roses", 33.0)
        assert notice.order_id is not None and notice.order_id.startswith("#W")
        erase_shopper(session, SHOPPER)
        assert active_standing_orders(session, SHOPPER) == []
    assert _count(shop, StandingOrderRow) == 0 and _count(shop, StandingOrderRunRow) == 0
