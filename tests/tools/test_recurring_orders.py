"""Recurring orders through the tools: proposed from the shopper's own past order, saved once confirmed, listed,
the next one skipped, cancelled."""

from __future__ import annotations

from tests.tools.conftest import ALICE, BOB, Shop
from tests.tools.test_standing_orders import _run, rated  # noqa: F401  (a shop with a shipping rate)
from tools.actions import ProposedAction
from tools.base import ToolError
from tools.confirm import confirm_action
from tools.recurring_orders import RecurringOrderList


def _listed(shop: Shop, shopper_id: str = ALICE.id) -> list[tuple[str, int, str]]:
    listed = _run(shop, "list_recurring_orders", shopper_id)
    assert isinstance(listed, RecurringOrderList)
    return [(view.title, view.every_days, view.next_at.date().isoformat()) for view in listed.recurring_orders]


def _confirmed(shop: Shop, name: str, **arguments: object) -> None:
    proposed = _run(shop, name, **arguments)
    assert isinstance(proposed, ProposedAction), proposed
    confirm_action(shop.context(), proposed.action_id)


def test_a_monthly_order_of_a_past_item_is_saved_once_confirmed(rated: Shop) -> None:  # noqa: F811
    proposed = _run(rated, "recurring_order", every="month", words="t-shirt")
    assert isinstance(proposed, ProposedAction), proposed
    assert proposed.summary == ("Order 2 × T-Shirt every 30 days from order #W2, first on 2026-01-31, each time at "
                                "that day's prices, shipped to 1 Main St, Springfield and paid with your saved "
                                "payment.")
    assert _listed(rated) == []
    confirm_action(rated.context(), proposed.action_id)
    assert _listed(rated) == [("2 × T-Shirt", 30, "2026-01-31")]
    assert _listed(rated, BOB.id) == []


def test_skip_the_next_one_then_cancel(rated: Shop) -> None:  # noqa: F811
    _confirmed(rated, "recurring_order", every="week")
    _confirmed(rated, "skip_recurring_order", words="mug")
    assert _listed(rated) == [("1 × Mug", 7, "2026-01-15")]
    _confirmed(rated, "cancel_recurring_orders")
    assert _listed(rated) == []
    missing = _run(rated, "cancel_recurring_orders", words="kayak")
    assert isinstance(missing, ToolError) and missing.code == "recurring_order_not_found"


def test_nothing_is_proposed_without_a_shipping_rate_or_a_session(shop: Shop) -> None:
    no_rate = _run(shop, "recurring_order", every="month")
    assert isinstance(no_rate, ToolError) and no_rate.code == "standing_order_shipping"
    anonymous = _run(shop, "recurring_order", None, every="month")
    assert isinstance(anonymous, ToolError) and anonymous.code == "not_verified"
