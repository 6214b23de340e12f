"""A recurring order made in chat ('order the trail runner every month' / '每个月帮我买一次') is run by the app's
scheduler: with two replicas polling the same database, each period makes exactly one order."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from commerce.db import Database
from commerce.tables import OrderRow, RecurringOrderRow
from shopassist.settings import Settings
from tests.serving.conftest import make_client, turn, until
from tests.serving.test_notifications import _runner, _signed_in
from tests.serving.test_standing_orders_chat import shop  # noqa: F401  (the fixture: a shop with alice's order)


def _orders(database: Database) -> int:
    with database.session() as session:
        return session.scalar(select(func.count()).select_from(OrderRow).where(OrderRow.shopper_id == "alice")) or 0


def _due_now(database: Database) -> None:
    """The period's day has come (as a month passing would make it)."""
    with database.session() as session:
        session.execute(update(RecurringOrderRow).values(next_at=datetime.now(UTC) - timedelta(seconds=1)))


@pytest.mark.timeout(60)
@pytest.mark.parametrize(("text", "language", "said"), [
    ("order the trail runner every month", "en", "Order 2 × Trail Runner X again every 30 days from order #W7000001"),
    ("Trail Runner每个月帮我买一次", "zh", "从订单 #W7000001 起每 30 天再订一次 2 × Trail Runner X"),
])
def test_two_replicas_make_each_period_once(serving_settings: Settings, shop: Database,  # noqa: F811
                                            text: str, language: str, said: str) -> None:
    with make_client(serving_settings, shop, _runner(serving_settings, shop)) as one, \
            make_client(serving_settings, shop, _runner(serving_settings, shop)) as two, \
            one.websocket_connect("/ws/chat") as ws:
        _signed_in(ws, serving_settings, language=language)
        made = turn(ws, text, "m1")
        assert said in made[-1]["text"]
        action = next(frame for frame in made if frame["type"] == "action_required")
        ws.send_json({"type": "confirm", "action_id": action["action_id"]})
        assert until(ws, "action_result")[-1]["status"] == "confirmed"
        assert two is not None
        time.sleep(1.0)
        assert _orders(shop) == 1  # only the past order: the first period is a month away
        for period in (1, 2):
            _due_now(shop)
            time.sleep(1.5)  # both replicas poll every 0.25 s
            assert _orders(shop) == 1 + period
    with shop.session() as session:
        kept = session.scalars(select(RecurringOrderRow)).one()
        automatic = session.scalars(select(OrderRow.details).where(OrderRow.shopper_id == "alice")).all()
    assert kept.period == 3
    assert sorted(d.get("period", 0) for d in automatic) == [0, 1, 2]
