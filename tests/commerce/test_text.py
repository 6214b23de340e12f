"""The shared text primitives: language, order ids, and amounts written in Chinese numerals."""

from __future__ import annotations

import pytest

from commerce.sizes import foreign_shoe_size, us_shoe_size
from commerce.text import EMAIL, ORDER_ID, chinese_amounts_as_digits, detect_language


@pytest.mark.parametrize(("text", "expected"), [
    ("两百块以内的耳机", "200块以内的耳机"), ("三百元以内", "300元以内"), ("预算三千五", "预算3500"),
    ("一千五百元以下的笔记本", "1500元以下的笔记本"), ("五百左右", "500左右"),
    ("我要一双跑鞋", "我要一双跑鞋"), ("第二个有黑色的吗", "第二个有黑色的吗"), ("帮我找两个帐篷", "帮我找两个帐篷"),
    ("under $50", "under $50"),
])
def test_chinese_amounts_become_digits_and_counts_and_ordinals_stay(text: str, expected: str) -> None:
    assert chinese_amounts_as_digits(text) == expected


def test_language_and_order_ids() -> None:
    assert detect_language("推荐一个 mechanical keyboard，预算三百") == "zh"
    assert detect_language("a tent for 2", default="zh") == "en"
    assert detect_language("42", default="zh") == "zh"
    for text in ("where is #W1234567", "订单#W1234567到哪了", "w1234567"):
        found = ORDER_ID.search(text)
        assert found is not None and found.group(1).upper() == "W1234567", text
    assert ORDER_ID.search("W123456") is None and ORDER_ID.search("W12345678") is None
    assert EMAIL.search("my email is alice@example.com") and not EMAIL.search("alice at example")


@pytest.mark.parametrize(("text", "asked", "sizes"), [
    ("EU 42 running shoes", "EU 42", ("42", "8.5", "9")), ("uk 9 trainers", "uk 9", ("10",)),
    ("跑鞋42码", "42码", ("42", "8.5", "9")), ("size 44 eu", "size 44 eu", ("44", "10")),
])
def test_shoe_sizes_in_other_systems_become_the_shops_us_sizes(text: str, asked: str,
                                                                sizes: tuple[str, ...]) -> None:
    converted = foreign_shoe_size(text)
    assert converted is not None and (converted.asked, converted.sizes) == (asked, sizes)


def test_a_plain_size_or_an_off_chart_number_is_no_foreign_size() -> None:
    assert foreign_shoe_size("size 10 hiking boots") is None
    assert foreign_shoe_size("EU 60 boots") is None


def test_a_bare_shoe_size_too_large_for_us_sizing_reads_as_eu() -> None:
    assert (us_shoe_size("42"), us_shoe_size("44"), us_shoe_size("10"), us_shoe_size("M")) == ("9", "10", None, None)
