"""Read tools see only the verified shopper's own account, whatever ids the arguments carry."""

from __future__ import annotations

from commerce.models import Payment
from commerce.store import order_row
from tests.tools.conftest import ORDERS, Shop
from tools.base import ToolError
from tools.registry import tool_by_name


def run(shop: Shop, name: str, arguments: dict, shopper_id: str | None = "alice_1") -> object:
    tool = tool_by_name(name)
    assert tool is not None
    return tool.run(shop.context(shopper_id), arguments)


def test_own_order_details_and_list(shop: Shop) -> None:
    details = run(shop, "get_order_details", {"order_id": "#W1"})
    assert not isinstance(details, ToolError) and details.order_id == "#W1" and len(details.items) == 2
    listed = run(shop, "list_orders", {"status": "pending"})
    assert [o.order_id for o in listed.orders] == ["#W1", "#W4"] and listed.orders[0].total == 62.0


def test_an_order_lists_what_was_paid_shipping_and_discount_included(shop: Shop) -> None:
    checkout_order = ORDERS[3].model_copy(update={"id": "#W5", "payments": [
        Payment(transaction_type="payment", amount=19.8, payment_method_id="mock_payment_handler")]})
    with shop.db.session() as session:
        session.add(order_row(checkout_order, 9))
    listed = run(shop, "list_orders", {"status": "pending"})
    assert {o.order_id: o.total for o in listed.orders} == {"#W1": 62.0, "#W4": 12.0, "#W5": 19.8}


def test_another_shoppers_order_reads_exactly_like_a_missing_one(shop: Shop) -> None:
    other = run(shop, "get_order_details", {"order_id": "#W9"})
    missing = run(shop, "get_order_details", {"order_id": "#W404"})
    assert isinstance(other, ToolError) and other == missing
    assert "W9" not in other.error and "bob" not in other.error.lower()


def test_user_details_refuse_another_id(shop: Shop) -> None:
    mine = run(shop, "get_user_details", {})
    assert mine.user_id == "alice_1" and mine.orders == ["#W1", "#W2", "#W3", "#W4"]
    assert run(shop, "get_user_details", {"user_id": "alice_1"}) == mine
    refused = run(shop, "get_user_details", {"user_id": "bob_2"})
    assert isinstance(refused, ToolError) and refused.code == "other_shopper" and "Bob" not in refused.error


def test_unverified_sessions_get_no_account_data(shop: Shop) -> None:
    for name, arguments in [("get_order_details", {"order_id": "#W1"}), ("get_user_details", {}),
                            ("list_orders", {}), ("view_cart", {})]:
        result = run(shop, name, arguments, shopper_id=None)
        assert isinstance(result, ToolError) and result.code == "not_verified"


def test_product_details_show_availability_from_stock(shop: Shop) -> None:
    product = run(shop, "get_product_details", {"product_id": "p_shirt"}, shopper_id=None)
    assert {v.item_id: v.available for v in product.variants} == {
        "shirt_blue_m": True, "shirt_red_l": True, "shirt_green_s": False}
    assert run(shop, "get_product_details", {"product_id": "shirt_blue_m"}).code == "product_not_found"
    types = run(shop, "list_all_product_types", {}, shopper_id=None)
    assert types.product_types == {"Mug": "p_mug", "T-Shirt": "p_shirt"} and types.total == 2


def test_broken_arguments_become_a_typed_error(shop: Shop) -> None:
    result = run(shop, "cancel_pending_order", {"order_id": "#W1", "reason": "changed my mind"})
    assert isinstance(result, ToolError) and result.code == "invalid_arguments" and "reason" in result.error
