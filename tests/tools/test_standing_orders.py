"""Standing orders through the tools: proposed with the saved address and payment and a ceiling with shipping,
saved only once the shopper confirms, listed, cancelled; refused when the shop cannot honour one."""

from __future__ import annotations

import pytest

from commerce.tables import ShippingRateRow
from tests.tools.conftest import ALICE, BOB, Shop
from tools.actions import ProposedAction
from tools.base import ToolError
from tools.confirm import confirm_action
from tools.registry import tool_by_name
from tools.standing_orders import StandingOrderList


@pytest.fixture
def rated(shop: Shop) -> Shop:
    with shop.db.session() as session:
        session.add(ShippingRateRow(id="std-ship", country_code="default", service_level="standard",
                                    title="Standard", amount=500))
    return shop


def _run(shop: Shop, name: str, shopper_id: str | None = ALICE.id, **arguments: object) -> object:
    tool = tool_by_name(name)
    assert tool is not None
    return tool.run(shop.context(shopper_id), arguments)


def _listed(shop: Shop, shopper_id: str = ALICE.id) -> list[tuple[str, float, float]]:
    listed = _run(shop, "list_standing_orders", shopper_id)
    assert isinstance(listed, StandingOrderList)
    return [(view.title, view.price_below, view.ceiling) for view in listed.standing_orders]


def test_a_standing_order_is_saved_only_once_confirmed(rated: Shop) -> None:
    proposed = _run(rated, "standing_order", product_id="p_mug", price_below=10)
    assert isinstance(proposed, ProposedAction), proposed
    assert proposed.summary == ("Buy 1 × Mug for you once it drops under 10.00: at most 15.00 with shipping, "
                                "shipped to 1 Main St, Springfield, paid with your saved payment, for 90 days. "
                                "You will be told when it is bought.")
    assert proposed.facts is not None and proposed.facts.operation == "standing_order"
    assert _listed(rated) == []
    confirm_action(rated.context(), proposed.action_id)
    assert _listed(rated) == [("Mug", 10.0, 15.0)]
    assert _listed(rated, BOB.id) == []


def test_cancelling_is_proposed_and_confirmed(rated: Shop) -> None:
    confirm_action(rated.context(), _run(rated, "standing_order", product_id="p_mug", price_below=10).action_id)
    proposed = _run(rated, "cancel_standing_orders", words="mug")
    assert isinstance(proposed, ProposedAction) and proposed.summary == "Cancel your standing order on Mug."
    assert _listed(rated) == [("Mug", 10.0, 15.0)]
    confirm_action(rated.context(), proposed.action_id)
    assert _listed(rated) == []


@pytest.mark.parametrize(("arguments", "code"), [
    ({"product_id": "p_shirt", "price_below": 40}, "standing_order_variant"),  # three options: which one?
    ({"product_id": "p_mug", "price_below": 20}, "watch_already_below"),
    ({"product_id": "p_nope", "price_below": 20}, "unknown_product"),
])
def test_what_cannot_be_honoured_is_refused(rated: Shop, arguments: dict[str, object], code: str) -> None:
    refused = _run(rated, "standing_order", **arguments)
    assert isinstance(refused, ToolError) and refused.code == code


def test_without_a_shipping_rate_or_a_session_nothing_is_proposed(shop: Shop) -> None:
    no_rate = _run(shop, "standing_order", product_id="p_mug", price_below=10)
    assert isinstance(no_rate, ToolError) and no_rate.code == "standing_order_shipping"
    anonymous = _run(shop, "standing_order", None, product_id="p_mug", price_below=10)
    assert isinstance(anonymous, ToolError) and anonymous.code == "not_verified"
