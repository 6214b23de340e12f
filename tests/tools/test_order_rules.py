"""The retail policy as pure functions: statuses, refunds, gift card balances, price differences, availability."""

from __future__ import annotations

import pytest

from commerce.models import Order, Shopper
from tests.tools.conftest import ALICE, MUG, ORDERS, SHIRT
from tools import order_rules as rules
from tools.base import ToolFailure

PRODUCTS = {SHIRT.id: SHIRT, MUG.id: MUG}


def order(order_id: str) -> Order:
    return next(o for o in ORDERS if o.id == order_id).model_copy(deep=True)


def gift_balance(shopper: Shopper) -> float | None:
    return next(m.balance for m in shopper.payment_methods if m.id == "gift_card_1")


def test_cancel_refunds_each_payment_and_credits_gift_cards_at_once() -> None:
    cancelled, shopper = rules.cancel(order("#W4"), ALICE, "no longer needed")
    assert cancelled.status == "cancelled" and cancelled.cancel_reason == "no longer needed"
    assert cancelled.payments[-1].model_dump() == {"transaction_type": "refund", "amount": 12.0,
                                                   "payment_method_id": "gift_card_1"}
    assert gift_balance(shopper) == 32.0 and gift_balance(ALICE) == 20.0  # inputs are never mutated


def test_cancel_after_a_payment_change_refunds_only_what_each_method_net_paid() -> None:
    changed, shopper = rules.modify_payment(order("#W1"), ALICE, "paypal_1")
    cancelled, _ = rules.cancel(changed, shopper, "ordered by mistake")
    refunds = [p for p in cancelled.payments[len(changed.payments):]]
    assert [(p.payment_method_id, p.amount) for p in refunds] == [("paypal_1", 62.0)]


@pytest.mark.parametrize("order_id", ["#W2", "#W3"])
def test_only_pending_orders_can_be_cancelled(order_id: str) -> None:
    with pytest.raises(ToolFailure) as refused:
        rules.cancel(order(order_id), ALICE, "no longer needed")
    assert refused.value.code == "wrong_status"


def test_modify_items_charges_the_difference_and_locks_the_order() -> None:
    modified, shopper = rules.modify_items(order("#W1"), ALICE, PRODUCTS, ["shirt_blue_m"], ["shirt_red_l"],
                                           "gift_card_1")
    assert modified.status == "pending (item modified)"
    assert modified.lines[0].item_id == "shirt_red_l" and modified.lines[0].price == 55.5
    assert modified.lines[0].options == {"color": "red", "size": "L"}
    assert modified.payments[-1].transaction_type == "payment" and modified.payments[-1].amount == 5.5
    assert gift_balance(shopper) == 14.5
    for attempt in (lambda: rules.cancel(modified, shopper, "no longer needed"),
                    lambda: rules.modify_address(modified, modified.address)):
        with pytest.raises(ToolFailure):
            attempt()


def test_modify_items_refuses_unavailable_or_other_product_variants() -> None:
    for new_item in ("shirt_green_s", "mug_white", "no_such_item"):
        with pytest.raises(ToolFailure) as refused:
            rules.modify_items(order("#W1"), ALICE, PRODUCTS, ["shirt_blue_m"], [new_item], "credit_card_1")
        assert refused.value.code == "item_unavailable"


def test_gift_card_must_cover_a_price_difference() -> None:
    poor = ALICE.model_copy(deep=True)
    poor.payment_methods[1].balance = 1.0
    with pytest.raises(ToolFailure) as refused:
        rules.exchange_items(order("#W2"), poor, PRODUCTS, ["shirt_blue_m"], ["shirt_red_l"], "gift_card_1")
    assert refused.value.code == "insufficient_balance"


def test_exchange_records_sorted_items_and_rounded_difference() -> None:
    exchanged = rules.exchange_items(order("#W2"), ALICE, PRODUCTS, ["shirt_blue_m", "shirt_blue_m"],
                                     ["shirt_red_l", "shirt_blue_m"], "paypal_1")
    assert exchanged.status == "exchange requested"
    assert exchanged.exchange_new_items == ["shirt_blue_m", "shirt_red_l"]
    assert exchanged.exchange_price_difference == 5.5 and exchanged.payments == order("#W2").payments


def test_return_goes_to_the_original_method_or_a_gift_card_only() -> None:
    with pytest.raises(ToolFailure) as refused:
        rules.return_items(order("#W2"), ALICE, ["shirt_blue_m"], "credit_card_1")
    assert refused.value.code == "refund_method"
    returned = rules.return_items(order("#W2"), ALICE, ["shirt_blue_m"], "gift_card_1")
    assert returned.status == "return requested" and returned.return_items == ["shirt_blue_m"]


def test_items_must_be_in_the_order_as_many_times_as_listed() -> None:
    with pytest.raises(ToolFailure):
        rules.return_items(order("#W2"), ALICE, ["shirt_blue_m"] * 3, "paypal_1")


def test_payment_change_needs_a_different_method_that_covers_the_total() -> None:
    with pytest.raises(ToolFailure) as same:
        rules.modify_payment(order("#W1"), ALICE, "credit_card_1")
    assert same.value.code == "same_payment_method"
    with pytest.raises(ToolFailure) as short:
        rules.modify_payment(order("#W1"), ALICE, "gift_card_1")
    assert short.value.code == "insufficient_balance"
