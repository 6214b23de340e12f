"""τ-bench retail import: 50/500/1,000 records, an exact round trip back to τ's JSON, bad records reported."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from commerce.db import Database
from commerce.importers.tau import (
    TAU_AVAILABLE_STOCK,
    import_tau,
    order_from_tau,
    order_to_tau,
    product_from_tau,
    product_to_tau,
    shopper_from_tau,
    shopper_to_tau,
)
from commerce.store import counts, get_order, get_product, get_shopper
from commerce.tables import OrderRow
from tests.shared_data import TAU_DIR

TAU = TAU_DIR
pytestmark = pytest.mark.skipif(not TAU.is_dir(), reason="τ-bench retail data not present")


def _load(name: str) -> dict[str, Any]:
    return json.loads((TAU / name).read_text(encoding="utf-8"))


def test_conversions_round_trip_exactly() -> None:
    products, users, orders = _load("products.json"), _load("users.json"), _load("orders.json")
    assert all(product_to_tau(product_from_tau(raw)) == raw for raw in products.values())
    assert all(shopper_to_tau(shopper_from_tau(key, raw), raw["orders"]) == raw for key, raw in users.items())
    assert all(order_to_tau(order_from_tau(raw)) == raw for raw in orders.values())
    variant = product_from_tau(next(iter(products.values()))).variants[0]
    assert variant.stock in (0, TAU_AVAILABLE_STOCK)


def test_import_loads_everything_and_storage_keeps_it_exact(database: Database) -> None:
    with database.session() as session:
        report = import_tau(session, TAU)
    assert report.loaded == {"products": 50, "shoppers": 500, "orders": 1000} and report.rejected == []
    products, users, orders = _load("products.json"), _load("users.json"), _load("orders.json")
    with database.session() as session:
        table_counts = counts(session)
        assert (table_counts["products"], table_counts["shoppers"], table_counts["orders"]) == (50, 500, 1000)
        for key in list(products)[:10]:
            assert product_to_tau(get_product(session, key)) == products[key]  # type: ignore[arg-type]
        for key in list(orders)[:50]:
            assert order_to_tau(get_order(session, key)) == orders[key]  # type: ignore[arg-type]
        user_id, user = next((k, u) for k, u in users.items() if len(u["orders"]) >= 3)
        stored = session.execute(
            select(OrderRow.id).where(OrderRow.shopper_id == user_id).order_by(OrderRow.position)
        ).scalars().all()
        assert shopper_to_tau(get_shopper(session, user_id), list(stored)) == user  # type: ignore[arg-type]


def test_bad_records_are_reported_and_the_rest_load(database: Database, tmp_path: Path) -> None:
    for name in ("products.json", "users.json", "orders.json"):
        shutil.copy(TAU / name, tmp_path / name)
    products, users, orders = _load("products.json"), _load("users.json"), _load("orders.json")
    bad_product = next(iter(products))
    products[bad_product]["variants"][next(iter(products[bad_product]["variants"]))]["price"] = "cheap"
    bad_user = next(iter(users))
    users[bad_user]["address"].pop("city")
    bad_order, orphan = list(orders)[:2]
    orders[bad_order].pop("status")
    orders[orphan]["user_id"] = "nobody_1234"
    for name, data in (("products.json", products), ("users.json", users), ("orders.json", orders)):
        (tmp_path / name).write_text(json.dumps(data), encoding="utf-8")
    with database.session() as session:
        report = import_tau(session, tmp_path)
    assert report.loaded["products"] == 49 and report.loaded["shoppers"] == 499
    reasons = {rejection.where: rejection.reason for rejection in report.rejected}
    assert "price" in reasons[f"products.json: {bad_product}"]
    assert "address.city: Field required" in reasons[f"users.json: {bad_user}"]
    assert "status" in reasons[f"orders.json: {bad_order}"]
    assert "unknown shopper 'nobody_1234'" in reasons[f"orders.json: {orphan}"]
    with database.session() as session:
        assert get_order(session, orphan) is None and get_product(session, bad_product) is None


def test_missing_files_are_reported(database: Database, tmp_path: Path) -> None:
    with database.session() as session:
        report = import_tau(session, tmp_path)
    assert "missing products.json, users.json, orders.json" in report.rejected[0].reason


@pytest.mark.postgres
def test_import_into_postgres(postgres_url: str) -> None:
    from commerce.demo import clear_shop

    database = Database(postgres_url)
    database.migrate()
    with database.session() as session:
        clear_shop(session)
        report = import_tau(session, TAU)
    with database.session() as session:
        order = get_order(session, "#W2611340")
        clear_shop(session)
    assert report.loaded == {"products": 50, "shoppers": 500, "orders": 1000}
    assert order is not None and order_to_tau(order) == _load("orders.json")["#W2611340"]
