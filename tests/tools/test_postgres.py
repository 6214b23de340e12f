"""The same confirmed, audited, all-or-nothing writes on Postgres (skipped when no server is available)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.engine import make_url

from commerce.db import Database
from commerce.tables import AuditRow
from shopassist.settings import Settings
from tests.tools.conftest import Shop, make_shop
from tools.base import ToolFailure
from tools.confirm import confirm_action
from tools.registry import tool_by_name

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_shop(postgres_url: str, tmp_settings: Settings) -> Iterator[Shop]:
    name = f"tools_{secrets.token_hex(4)}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f"CREATE DATABASE {name}")
    db = Database(make_url(postgres_url).set(database=name).render_as_string(hide_password=False))
    db.migrate()
    yield make_shop(db, tmp_settings)
    db.engine.dispose()
    with admin.connect() as connection:
        connection.exec_driver_sql(f"DROP DATABASE {name}")
    admin.dispose()


def test_modify_items_then_refuse_cancel_on_postgres(pg_shop: Shop) -> None:
    modify, cancel = tool_by_name("modify_pending_order_items"), tool_by_name("cancel_pending_order")
    assert modify is not None and cancel is not None
    context = pg_shop.context()
    proposal = modify.run(context, {"order_id": "#W1", "item_ids": ["shirt_blue_m"], "new_item_ids": ["shirt_red_l"],
                                    "payment_method_id": "gift_card_1"})
    assert pg_shop.order("#W1").status == "pending"
    confirm_action(context, proposal.action_id)
    order = pg_shop.order("#W1")
    assert order.status == "pending (item modified)" and order.payments[-1].amount == 5.5
    assert next(m for m in pg_shop.shopper("alice_1").payment_methods if m.id == "gift_card_1").balance == 14.5
    assert cancel.run(context, {"order_id": "#W1", "reason": "no longer needed"}).code == "wrong_status"
    with pg_shop.db.session() as session:
        assert {row.target for row in session.scalars(select(AuditRow))} == {"order:#W1", "shopper:alice_1"}


def test_expired_and_foreign_confirmations_do_nothing_on_postgres(pg_shop: Shop) -> None:
    cancel = tool_by_name("cancel_pending_order")
    assert cancel is not None
    proposal = cancel.run(pg_shop.context(), {"order_id": "#W4", "reason": "no longer needed"})
    with pytest.raises(ToolFailure):
        confirm_action(pg_shop.context("bob_2"), proposal.action_id)
    pg_shop.clock.advance(pg_shop.settings.confirmation_ttl_s + 1)
    with pytest.raises(ToolFailure):
        confirm_action(pg_shop.context(), proposal.action_id)
    assert pg_shop.order("#W4").status == "pending"
