"""The UCP REST flow on Postgres, over real HTTP against a live server: checkout → fulfillment → discount
→ complete → order → shipping, idempotent replay, refused transitions, and the concurrency races."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from commerce.db import Database
from commerce.store import get_order
from commerce.tables import OrderRow, VariantRow
from tests.protocols.conftest import PAY_WITH, SIMULATION_SECRET, create_body, ready_body
from tests.protocols.racing import last_unit_sells_once, live_shop, one_key_pays_once

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_database(postgres_url: str) -> Iterator[Database]:
    """A fresh, migrated database of its own in the Postgres server, dropped after the test."""
    name = f"shop_{secrets.token_hex(4)}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    database = Database(make_url(postgres_url).set(database=name).render_as_string(hide_password=False))
    database.migrate()
    try:
        yield database
    finally:
        database.engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def served(tmp_path: Path, pg_database: Database) -> Iterator[tuple[str, dict[str, str]]]:
    with live_shop(tmp_path, pg_database, ucp_simulation_secret=SIMULATION_SECRET) as served:
        yield served


def test_the_whole_rest_flow_on_postgres(served: tuple[str, dict[str, str]], pg_database: Database) -> None:
    url, headers = served
    with httpx.Client(base_url=url, headers=headers, timeout=30) as client:
        created = client.post("/checkout-sessions", json=create_body(quantity=3))
        assert created.status_code == 201 and created.json()["status"] == "incomplete", created.text
        path = f"/checkout-sessions/{created.json()['id']}"

        update = {**ready_body(quantity=3, option="exp-ship-us"), "discounts": {"codes": ["10off"]}}
        ready = client.put(path, json=update)
        assert ready.status_code == 200 and ready.json()["status"] == "ready_for_complete", ready.text
        totals = {entry["type"]: entry["amount"] for entry in ready.json()["totals"]}
        assert totals == {"subtotal": 10500, "discount": -1050, "fulfillment": 1500, "total": 10950}

        key = {"Idempotency-Key": "pg-pay-1"}
        done = client.post(f"{path}/complete", json=PAY_WITH, headers=key)
        assert done.status_code == 200 and done.json()["status"] == "completed", done.text
        assert client.post(f"{path}/complete", json=PAY_WITH, headers=key).json() == done.json()
        refused = client.post(f"{path}/cancel", json={})
        assert refused.status_code == 409 and refused.json()["messages"][0]["code"] == "invalid_transition"

        order_id = done.json()["order"]["id"]
        order = client.get(f"/orders/{order_id}")
        assert order.status_code == 200 and order.json()["checkout_id"] == created.json()["id"], order.text
        shipped = client.post(f"/testing/simulate-shipping/{order_id}", json={},
                              headers={"Simulation-Secret": SIMULATION_SECRET})
        assert shipped.status_code == 200, shipped.text
        assert client.get(f"/orders/{order_id}").json()["line_items"][0]["status"] == "fulfilled"
    with pg_database.session() as session:
        stored = get_order(session, f"#{order_id}")
        assert stored is not None and stored.shopper_id == "john_doe_1" and len(stored.lines) == 3
        assert session.get(VariantRow, "roses_12").stock == 997
        assert session.query(OrderRow).count() == 1


def test_fifty_completes_of_the_last_unit_sell_it_once_on_postgres(served: tuple[str, dict[str, str]],
                                                                   pg_database: Database) -> None:
    last_unit_sells_once(*served, pg_database, racers=50)


def test_one_key_pays_once_on_postgres(served: tuple[str, dict[str, str]], pg_database: Database) -> None:
    one_key_pays_once(*served, pg_database)
