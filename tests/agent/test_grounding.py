"""Tests for the grounding checker: invented prices, stock, product names and policy numbers are caught; EN + ZH."""

from __future__ import annotations

from agent.grounding import Evidence, check_answer, chinese_number, collect_evidence

SEARCH_RESULT = {
    "products": [
        {"id": "p1", "title": "Trail Shell Jacket", "price": 99.99, "stock": 3},
        {"id": "p2", "title": "Summit Down Parka", "price": 189.0, "stock": 0},
    ]
}
CATALOG = ["Trail Shell Jacket", "Summit Down Parka", "Harbor Rain Boots", "城市通勤背包"]
RETURNS_PASSAGE = "Items can be returned within 30 days of delivery. Refunds go to the original payment method."
RETURNS_PASSAGE_ZH = "商品签收后30天内可申请退货，退款将退回原支付方式。"


def evidence(passages: tuple[str, ...] = (), user_text: str = "") -> Evidence:
    return collect_evidence([SEARCH_RESULT], passages, context=[user_text] if user_text else [])


def test_correct_price_passes() -> None:
    result = check_answer("The Trail Shell Jacket costs $99.99 and only 3 left.", evidence(), CATALOG)
    assert result.ok, result.violations
    assert result.claims_checked == 3


def test_invented_price_is_caught() -> None:
    result = check_answer("The Trail Shell Jacket is on sale for $79.99.", evidence(), CATALOG)
    assert not result.ok
    assert [(v.kind, v.claim) for v in result.errors] == [("price", "$79.99")]


def test_rounded_price_passes_but_far_price_fails() -> None:
    assert check_answer("It is about $100.", evidence()).ok
    assert not check_answer("It is about $120.", evidence()).ok


def test_chinese_prices_and_stock() -> None:
    assert check_answer("这款 Trail Shell Jacket 售价99.99元，库存3件。", evidence(), CATALOG).ok
    bad = check_answer("这款外套只要¥59，库存还有12件。", evidence(), CATALOG)
    assert sorted(v.kind for v in bad.errors) == ["price", "stock"]


def test_invented_stock_figure_is_caught() -> None:
    result = check_answer("Hurry, only 7 left!", evidence())
    assert [v.kind for v in result.errors] == ["stock"]


def test_product_not_in_this_turns_results_is_caught() -> None:
    result = check_answer("You might also like the Harbor Rain Boots.", evidence(), CATALOG)
    assert [(v.kind, v.claim) for v in result.errors] == [("product", "Harbor Rain Boots")]
    assert not check_answer("推荐城市通勤背包。", evidence(), CATALOG).ok


def test_policy_number_must_be_in_the_cited_passage() -> None:
    assert check_answer("You can return it within 30 days of delivery.", evidence((RETURNS_PASSAGE,))).ok
    wrong = check_answer("You can return it within 60 days of delivery.", evidence((RETURNS_PASSAGE,)))
    assert [v.kind for v in wrong.errors] == ["policy_number"]


def test_policy_claims_in_chinese() -> None:
    assert check_answer("签收后三十天内可以退货。", evidence((RETURNS_PASSAGE_ZH,))).ok
    assert check_answer("签收后30天内可以退货。", evidence((RETURNS_PASSAGE_ZH,))).ok
    wrong = check_answer("签收后七天内可以退货。", evidence((RETURNS_PASSAGE_ZH,)))
    assert [v.kind for v in wrong.errors] == ["policy_number"]


def test_uncited_policy_claim_is_a_warning_and_its_number_an_error() -> None:
    result = check_answer("Refunds take 5 business days.", evidence())
    assert {(v.kind, v.severity) for v in result.violations} == {("uncited_policy", "warning"),
                                                                 ("policy_number", "error")}
    assert check_answer("Would you like to start a return?", evidence()).claims_checked == 0


def test_numbers_the_shopper_gave_may_be_echoed() -> None:
    assert check_answer("Here are jackets under $120.", evidence(user_text="jackets under $120")).ok


def test_json_string_results_are_read() -> None:
    from_json = collect_evidence(['{"order_id": "#W2378156", "total": 54.04}'])
    assert 54.04 in from_json.numbers
    assert check_answer("Your order #W2378156 came to $54.04.", from_json).ok


def test_chinese_numerals() -> None:
    assert [chinese_number(t) for t in ("七", "十", "三十", "十五", "一百二十")] == [7, 10, 30, 15, 120]


def test_a_list_number_after_a_price_line_is_not_a_price() -> None:
    answer = "1) Trail Shell Jacket — 99.99 USD\n7) Summit Down Parka — 189.00 USD\n8) more soon"
    result = check_answer(answer, evidence(), CATALOG)
    assert result.ok, result.violations
    assert not check_answer("Trail Shell Jacket — 79.99 USD", evidence(), CATALOG).ok
