"""Price history: a point for every change of a product's lowest price or stock state, written in the transaction
of every offer-changing path (offer update, catalog import, checkout), and the figures read back over a window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from commerce.checkout import complete_checkout, create_checkout
from commerce.checkout_models import CheckoutInput, PaymentInput
from commerce.db import Database
from commerce.importers.jsonl import export_jsonl, import_jsonl
from commerce.models import Product, Variant
from commerce.offers import OfferUpdate, update_offers
from commerce.payments import MockTokenHandler
from commerce.price_history import PricePoint, daily_prices, price_points, record_prices, window_figures
from commerce.store import upsert_product
from commerce.tables import PricePointRow
from tests.checkout_shop import ADDRESS, LAST_ONE, SHOPPER_EMAIL, seed_checkout_shop
from tests.dialects import DIALECTS, migrated

T0 = datetime(2026, 6, 1, 12, tzinfo=UTC)


@pytest.fixture(params=DIALECTS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Database:
    """Both dialects: the INSERT … SELECT with correlated 'latest point' subqueries must hold on each."""
    return migrated(request, tmp_path, PricePointRow)


def _shoe(price: float = 120.0, stock: int = 5) -> Product:
    return Product(id="p_trail", title="Trail Runner X", price=min(price, 130.0), variants=[
        Variant(id="v_trail_9", options={"size": "9"}, price=price, stock=stock),
        Variant(id="v_trail_10", options={"size": "10"}, price=130.0, stock=stock),
    ])


def _history(database: Database, product_id: str = "p_trail") -> list[tuple[float, bool]]:
    with database.session() as session:
        return [(p.price, p.in_stock) for p in price_points(session, product_id, T0 - timedelta(days=3650))]


def _update(database: Database, at: datetime, **change: float) -> None:
    with database.session() as session:
        update_offers(session, [OfferUpdate(variant_id="v_trail_9", **change)], now=at)


def test_the_offer_update_path_records_each_change_of_the_lowest_price_and_stock_state(database: Database) -> None:
    with database.session() as session:
        upsert_product(session, _shoe())
        assert record_prices(session, ["p_trail"], now=T0) == 1
    _update(database, T0 + timedelta(hours=1), price=99.0)
    _update(database, T0 + timedelta(hours=2), price=99.0)  # the same price again: nothing new
    _update(database, T0 + timedelta(hours=3), stock=7)  # still in stock: nothing new
    _update(database, T0 + timedelta(hours=4), price=140.0)  # the lowest is now the other variant's 130
    with database.session() as session:
        update_offers(session, [OfferUpdate(variant_id="v_trail_9", stock=0),
                                OfferUpdate(variant_id="v_trail_10", stock=0)], now=T0 + timedelta(hours=5))
    assert _history(database) == [(120.0, True), (99.0, True), (130.0, True), (130.0, False)]


def test_a_failed_transaction_leaves_no_point(database: Database) -> None:
    with database.session() as session:
        upsert_product(session, _shoe())
    with pytest.raises(RuntimeError), database.session() as session:
        update_offers(session, [OfferUpdate(variant_id="v_trail_9", price=50.0)], now=T0)
        raise RuntimeError("the caller's transaction fails after the update")
    assert _history(database) == []


def test_a_catalog_import_records_the_products_it_changed(database: Database, tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    export_jsonl([_shoe(price=120.0)], feed)
    with database.session() as session:
        import_jsonl(session, feed)
    export_jsonl([_shoe(price=89.0)], feed)
    with database.session() as session:
        import_jsonl(session, feed)
        import_jsonl(session, feed)  # the same feed again changes nothing
    assert _history(database) == [(120.0, True), (89.0, True)]


def test_checkout_taking_the_last_unit_records_the_sell_out(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'checkout.db'}")
    database.migrate()
    seed_checkout_shop(database)
    with database.session() as session:
        record_prices(session, ["orchid_white"], now=T0)
    request = CheckoutInput.model_validate({"lines": [{"item_id": LAST_ONE, "quantity": 1}],
                                            "buyer": {"email": SHOPPER_EMAIL}, "destination": ADDRESS,
                                            "shipping_option_id": "std-ship"})
    with database.session() as session:
        checkout = create_checkout(session, "agent_1", "USD", request)
        complete_checkout(session, "agent_1", checkout.id, PaymentInput(handler_id="mock_payment_handler",
                                                                          token="success_token"),
                          {"mock_payment_handler": MockTokenHandler()})
    assert [in_stock for _, in_stock in _history(database, "orchid_white")] == [True, False]


def test_a_large_change_scans_every_product_once(database: Database) -> None:
    with database.session() as session:
        upsert_product(session, _shoe())
        assert record_prices(session, None, now=T0) == 1
        assert record_prices(session, None, now=T0 + timedelta(hours=1)) == 0
        assert len(session.scalars(select(PricePointRow)).all()) == 1


def _points(*changes: tuple[int, float]) -> list[PricePoint]:
    return [PricePoint(at=T0 + timedelta(days=day), price=price, low=price, high=price, in_stock=True)
            for day, price in changes]


def test_daily_prices_follow_the_step_function() -> None:
    points = _points((0, 100.0), (2, 80.0), (3, 90.0))
    assert daily_prices(points, T0 - timedelta(days=1), T0 + timedelta(days=4)) == [100.0, 100.0, 80.0, 90.0, 90.0]


def test_window_figures_are_low_high_and_median_of_the_daily_prices() -> None:
    now = T0 + timedelta(days=100)
    points = _points((0, 100.0), (80, 60.0), (85, 100.0), (95, 90.0))
    month = window_figures(points, 30, now)
    assert month is not None and (month.low, month.high, month.median, month.covered_days) == (60.0, 100.0, 100.0, 30)
    quarter = window_figures(points, 90, now)
    assert quarter is not None and quarter.median == 100.0 and quarter.low == 60.0
    year = window_figures(points, 365, now)
    assert year is not None and year.covered_days == 101  # the history reaches the last 101 of the 365 days
    assert window_figures([], 30, now) is None


def test_a_folded_point_keeps_the_lowest_and_highest_of_its_span() -> None:
    now = T0 + timedelta(days=10)
    points = [PricePoint(at=T0 + timedelta(days=5), price=90.0, low=70.0, high=95.0, in_stock=True)]
    figures = window_figures(points, 30, now)
    assert figures is not None and (figures.low, figures.high) == (70.0, 95.0)
