"""Recurring orders: each period made once through the checkout core (racing replicas included), a period that
cannot be made is skipped with its reason and nothing done, and the shopper can skip the next one or cancel."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from commerce.db import Database
from commerce.offers import OfferUpdate, update_offers
from commerce.recurring_orders import (
    active_recurring_orders,
    cancel_recurring_orders,
    create_recurring_order,
    run_due_recurring,
    run_period,
    skip_next,
)
from commerce.tables import CheckoutSessionRow, OrderRow
from tests.checkout_shop import ADDRESS
from tests.commerce.test_standing_orders import HANDLERS, SHOPPER, shop  # noqa: F401  (the checkout shop)


def _monthly(database: Database, token: str = "success_token") -> str:
    with database.session() as session:
        return create_recurring_order(session, SHOPPER, [("pot_m", 2)], "2 × Ceramic Pot", 30,
                                      datetime.now(UTC) - timedelta(minutes=1), ADDRESS, "mock_payment_handler",
                                      token).id


def _orders(database: Database) -> list[dict[str, object]]:
    with database.session() as session:
        return [row.details for row in session.scalars(select(OrderRow).where(OrderRow.shopper_id == SHOPPER))]


def test_each_period_is_made_once_at_that_periods_price(shop: Database) -> None:  # noqa: F811
    recurring = _monthly(shop)
    assert run_due_recurring(shop, HANDLERS) == 1
    assert run_due_recurring(shop, HANDLERS) == 0  # the next period is a month away
    later = datetime.now(UTC) + timedelta(days=31)
    with shop.session() as session:
        update_offers(session, [OfferUpdate(variant_id="pot_m", price=12.0)])
    assert run_due_recurring(shop, HANDLERS, now=later) == 1
    details = _orders(shop)
    assert [(d["recurring_order_id"], d["period"], d["placed_automatically"]) for d in details] == [
        (recurring, 1, True), (recurring, 2, True)]
    with shop.session() as session:
        [kept] = active_recurring_orders(session, SHOPPER)
        totals = sorted(session.scalars(select(CheckoutSessionRow.data)), key=lambda d: d["id"])
    assert kept.period == 3 and kept.last_order_id is not None
    assert {d["totals"]["total"] for d in totals} == {3500, 2900}  # 2 × $15 + $5, then 2 × $12 + $5


def test_racing_replicas_make_one_order_per_period(shop: Database) -> None:  # noqa: F811
    recurring = _monthly(shop)
    with ThreadPoolExecutor(4) as pool:
        made = list(pool.map(lambda _: run_period(shop, recurring, 1, HANDLERS), range(4)))
    assert sum(made) == 1 and len(_orders(shop)) == 1


def test_a_period_that_cannot_be_made_is_skipped_with_why(shop: Database) -> None:  # noqa: F811
    _monthly(shop, token="expired_card_token")
    run_due_recurring(shop, HANDLERS)
    with shop.session() as session:
        [kept] = active_recurring_orders(session, SHOPPER)
        assert session.scalar(select(func.count()).select_from(CheckoutSessionRow)) == 0
    assert (kept.period, kept.last_reason, kept.last_order_id) == (2, "payment_failed", None)
    assert _orders(shop) == []


def test_the_shopper_skips_the_next_one_or_cancels(shop: Database) -> None:  # noqa: F811
    recurring = _monthly(shop)
    with shop.session() as session:
        before = active_recurring_orders(session, SHOPPER)[0].next_at
        assert skip_next(session, SHOPPER, [recurring]) == 1
        assert skip_next(session, "someone_else", [recurring]) == 0
        assert active_recurring_orders(session, SHOPPER)[0].next_at == before + timedelta(days=30)
    assert run_due_recurring(shop, HANDLERS) == 0
    with shop.session() as session:
        assert cancel_recurring_orders(session, SHOPPER, [recurring]) == 1
        assert active_recurring_orders(session, SHOPPER) == []
    assert run_due_recurring(shop, HANDLERS, now=datetime.now(UTC) + timedelta(days=90)) == 0
