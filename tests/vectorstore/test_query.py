"""Query understanding: prices, negation, colours, sizes, brands, misspellings (EN and ZH) and the agent's overrides."""

from __future__ import annotations

import pytest

from vectorstore.documents import ProductDoc
from vectorstore.filters import excluded
from vectorstore.query import SearchQuery, Vocabulary, merge_query, parse_query

VOCAB = Vocabulary(brands={"Northpeak", "Stridelite"}, categories={"Shoes", "Hiking Boots", "Jackets"},
                   flags={"waterproof"})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hiking boots under $50", {"price_max": 50.0, "currency": "USD"}),
        ("hoodie between 20 and 40", {"price_min": 20.0, "price_max": 40.0}),
        ("tent over 200 dollars", {"price_min": 200.0}),
        ("100元以内的蓝牙耳机", {"price_max": 100.0, "currency": "CNY"}),
        ("espresso machine, can't spend more than $300", {"price_max": 300.0, "currency": "USD"}),
        ("a rucksack, not too pricey", {"exclude": []}),
        ("boots, not leather", {"exclude": ["leather", "皮", "皮革", "真皮"]}),
        ("my budget is $80 for a backpack", {"price_max": 80.0, "currency": "USD"}),
        ("两百块以内的耳机", {"price_max": 200.0, "currency": "CNY"}),
        ("一千五百元以下的笔记本", {"price_max": 1500.0, "currency": "CNY"}),
        ("推荐一个键盘，预算三百", {"price_max": 300.0}),
        ("两千元的笔记本电脑", {"price_min": 1600.0, "price_max": 2400.0, "currency": "CNY"}),
        ("红色T恤 50到100元", {"price_min": 50.0, "price_max": 100.0, "colour": ["red"]}),
        ("低于300元的帐篷", {"price_max": 300.0}),
        ("northpeak snekers size 10 in stock", {"brand": ["northpeak"], "size": ["10"], "in_stock": True}),
        ("cheapest tent", {"sort": "price_asc"}),
        # A category name in the words stays words (catalogs file exact matches under other nodes), not a filter.
        ("navy jacket", {"colour": ["navy"], "category": None}),
        ("防水登山鞋", {"category": None, "attributes": {"waterproof": "yes"},
                   "text": "防水登山鞋 hiking boots waterproof"}),
        ("not waterproof boots", {"exclude": ["waterproof"], "attributes": {}}),
    ],
)
def test_constraints_are_parsed(text: str, expected: dict) -> None:
    parsed = parse_query(text, VOCAB).model_dump()
    for key, value in expected.items():
        assert parsed[key] == value, (text, key, parsed[key])


def test_negation_english_and_chinese_exclude_leather_in_both_languages() -> None:
    english = parse_query("jacket not leather")
    chinese = parse_query("不要皮的运动鞋")
    assert "leather" in english.exclude and "皮" in english.exclude
    assert "leather" in chinese.exclude
    assert "leather" not in english.text


def test_misspellings_and_synonyms_reach_the_text() -> None:
    assert "sneakers" in parse_query("snekers").text
    assert "hoodie" in parse_query("sweatshirt").text
    assert "hiking boots" in parse_query("登山鞋").text


def test_bluetooth_is_not_the_colour_blue() -> None:
    assert parse_query("蓝牙音箱").colour == []


def test_plain_text_has_no_filters() -> None:
    query = parse_query("kitchen towels")
    assert not query.has_filters() and query.text == "kitchen towels"


def test_agent_fields_win_over_parsed_ones() -> None:
    parsed = parse_query("boots under $50 not leather")
    merged = merge_query(parsed, {"price_max": 80.0, "colour": ["black"]})
    assert merged.price_max == 80.0 and merged.colour == ["black"] and "leather" in merged.exclude
    assert merge_query(parsed, SearchQuery(price_min=10)).price_min == 10
    assert merge_query(parsed, None) == parsed


def test_a_question_whether_the_shop_has_it_is_not_a_negation() -> None:
    query = parse_query("有没有防水的登山鞋，500块以内")
    assert not query.exclude and query.price_max == 500 and query.wording == "防水的登山鞋"
    assert parse_query("没有皮革的包").exclude


def test_nothing_over_is_a_ceiling_and_around_is_a_band() -> None:
    assert parse_query("waterproof boots, nothing over $150").price_max == 150
    assert parse_query("waterproof boots, nothing over $150").price_min is None
    around = parse_query("500元左右的登山背包")
    assert (around.price_min, around.price_max, around.currency) == (400, 600, "CNY")
    about = parse_query("a tent for about $200")
    assert (about.price_min, about.price_max) == (160, 240)


@pytest.mark.parametrize(("text", "wording", "bounds"), [
    ("我想买一双跑步鞋，预算600块左右", "一双跑步鞋", (480, 720)),
    ("预算在500元以内的蓝牙音箱", "蓝牙音箱", (None, 500)),
    ("价格不超过300的背包", "背包", (None, 300)),
    ("大概200元左右的保温杯", "保温杯", (160, 240)),
])
def test_chinese_budget_words_belong_to_the_price_not_to_the_search(text: str, wording: str,
                                                                     bounds: tuple[float | None, float | None]) -> None:
    query = parse_query(text)
    assert (query.wording, (query.price_min, query.price_max)) == (wording, bounds)
    assert "预算" not in query.text and "价格" not in query.text


@pytest.mark.parametrize(
    ("text", "term", "has_it"),
    [
        ("chef knife set without block", "block", False),
        ("knife set with wooden block", "block", True),
        ("bpa-free water bottle", "bpa", False),
        ("rc car, batteries not included", "batteries", False),
        ("no-mesh liner swim trunks, mesh pocket", "mesh", True),
        ("不含网面的泳裤", "网面", False),
        ("网面泳裤", "网面", True),
    ],
)
def test_a_product_that_denies_an_excluded_word_is_not_excluded(text: str, term: str, has_it: bool) -> None:
    assert excluded(ProductDoc(
        id="p", embed_text=text, lexical_text=text, title=text, brand="", category_path=(), price=1.0, currency="USD",
        in_stock=True, rating=4.0, language="en", colours=frozenset(), sizes=frozenset(), attributes={},
    ), SearchQuery(text="swim trunks", exclude=[term])) is has_it


@pytest.mark.parametrize(("text", "wording"), [
    ("你们卖不卖儿童自行车？", "儿童自行车"), ("请问有没有保温杯", "保温杯"), ("do you sell any tents?", "tents"),
])
def test_question_openers_are_not_search_words(text: str, wording: str) -> None:
    assert parse_query(text).wording == wording
