"""The companion's routes: a price question about the product pointed at, the one shown, or one named (EN/ZH); the
shopper is asked which product when none is clear; other messages are left to the router."""

from __future__ import annotations

import pytest

from tests.agent.test_router import SHOWN, plan


@pytest.mark.parametrize(("text", "product"), [
    ("is the second one a good price?", "1000000002"),
    ("Is $119 a good deal for Ridge GTX?", "1000000002"),
    ("show me the price history of the first one", "1000000001"),
    ("第三个现在的价格划算吗", "1000000003"),
    ("第一个是历史最低吗？", "1000000001"),
])
def test_a_price_question_about_a_product_shown(text: str, product: str) -> None:
    assert plan(text, shown=SHOWN) == ("price_question", [("price_history", {"product_id": product})], "")


@pytest.mark.parametrize("text", ["is this a good price?", "这个价格划算吗", "should I buy now or wait?"])
def test_this_after_one_product_is_that_product(text: str) -> None:
    assert plan(text, shown=SHOWN[:1], signed_in=False) == (
        "price_question", [("price_history", {"product_id": "1000000001"})], "")


@pytest.mark.parametrize(("text", "words"), [
    ("is this a good price for the trail runner x?", "trail runner x"),
    ("Is the Alpine Tent a good deal?", "Alpine Tent"),
    ("登山靴的价格划算吗", "登山靴"),
])
def test_a_price_question_naming_a_product_looks_it_up_by_name(text: str, words: str) -> None:
    assert plan(text) == ("price_question", [("price_history", {"words": words})], "")


def test_without_a_product_the_shopper_is_asked_which() -> None:
    assert plan("is this a good price?", shown=SHOWN) == ("price_question", [], "which_product")
    assert plan("这个价格划算吗") == ("price_question", [], "which_product")


@pytest.mark.parametrize("text", ["is the first one waterproof?", "show me good running shoes under $100",
                                  "第一个多少钱"])
def test_other_messages_are_not_price_questions(text: str) -> None:
    found = plan(text, shown=SHOWN)
    assert found is None or found[0] != "price_question"


@pytest.mark.parametrize(("text", "arguments"), [
    ("order the same as last time", {}),
    ("reorder the coffee beans", {"words": "coffee beans"}),
    ("can you buy the coffee beans again?", {"words": "coffee beans"}),
    ("reorder #W1111111 please", {"order_id": "#W1111111"}),
    ("跟上次一样再来一单", {}),
    ("把咖啡豆再来一份", {"words": "咖啡豆"}),
])
def test_a_reorder_is_proposed_from_the_shoppers_words(text: str, arguments: dict[str, str]) -> None:
    assert plan(text) == ("reorder", [("reorder", arguments)], "")


def test_an_anonymous_reorder_asks_the_shopper_to_sign_in() -> None:
    assert plan("order the same as last time", signed_in=False) == ("reorder", [], "not_signed_in")


@pytest.mark.parametrize(("text", "arguments"), [
    ("buy the first one for me if it drops below $40",
     {"product_id": "1000000001", "price_below": 40.0, "currency": "USD", "variant_id": "2000000001"}),
    ("buy the second one in size 10 if it drops under $100",
     {"product_id": "1000000002", "price_below": 100.0, "currency": "USD", "variant_id": "2000000003"}),
    ("第一个降到200元就帮我买",
     {"product_id": "1000000001", "price_below": 200.0, "currency": "CNY", "variant_id": "2000000001"}),
    ("第三个降到150美元就帮我买", {"product_id": "1000000003", "price_below": 150.0, "currency": "USD"}),
])
def test_a_standing_order_is_proposed_on_the_product_pointed_at(text: str, arguments: dict[str, object]) -> None:
    assert plan(text, shown=SHOWN) == ("standing_order", [("standing_order", arguments)], "")


@pytest.mark.parametrize(("text", "call"), [
    ("show my standing orders", ("list_standing_orders", {})),
    ("我的自动购买有哪些", ("list_standing_orders", {})),
    ("cancel my standing order on the trail boot", ("cancel_standing_orders", {"words": "trail boot"})),
    ("取消所有自动购买", ("cancel_standing_orders", {"everything": True})),
])
def test_standing_orders_are_listed_and_cancelled(text: str, call: tuple[str, dict[str, object]]) -> None:
    assert plan(text, shown=SHOWN) == ("standing_order", [call], "")


def test_a_standing_order_without_a_product_or_a_price_asks_which() -> None:
    assert plan("buy it for me if it drops below $40", shown=SHOWN) == ("standing_order", [], "which_product")
    assert plan("buy it for me if it drops below $40", signed_in=False, shown=SHOWN) == (
        "standing_order", [], "not_signed_in")


@pytest.mark.parametrize(("text", "call"), [
    ("order the coffee beans every month", ("recurring_order", {"every": "month", "words": "coffee beans"})),
    ("send me the dog food every two weeks", ("recurring_order", {"every": "two_weeks", "words": "dog food"})),
    ("order my last order every month", ("recurring_order", {"every": "month"})),
    ("咖啡豆每个月帮我买一次", ("recurring_order", {"every": "month", "words": "咖啡豆"})),
    ("上次的订单每周帮我买一次", ("recurring_order", {"every": "week"})),
    ("show my recurring orders", ("list_recurring_orders", {})),
    ("skip the next coffee delivery", ("skip_recurring_order", {"words": "coffee"})),
    ("取消咖啡豆的定期订单", ("cancel_recurring_orders", {"words": "咖啡豆"})),
])
def test_recurring_orders_from_the_shoppers_words(text: str, call: tuple[str, dict[str, object]]) -> None:
    assert plan(text) == ("recurring_order", [call], "")
