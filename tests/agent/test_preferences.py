"""Preference extraction: what a message states (EN and ZH), and what it asks about the stated ones."""

from __future__ import annotations

import pytest

from agent.preferences import extract, preference_request

# (message, expected (kind, value, category, recipient, avoid) in any order)
STATED = [
    ("I wear 42", {("size", "42", "shoes", "", False)}),
    ("i take a size 9.5 in shoes", {("size", "9.5", "shoes", "", False)}),
    ("My shoe size is 44", {("size", "44", "shoes", "", False)}),
    ("I'm a size M", {("size", "M", "clothing", "", False)}),
    ("I wear XL jackets", {("size", "XL", "clothing", "", False)}),
    ("size 32 for pants", {("size", "32", "pants", "", False)}),
    ("My wife wears S", {("size", "S", "clothing", "wife", False)}),
    ("my son's shoe size is 35", {("size", "35", "shoes", "son", False)}),
    ("no leather", {("material", "leather", "", "", True)}),
    ("Nothing with wool please, I'm allergic to wool", {("material", "wool", "", "", True)}),
    ("I am allergic to latex", {("material", "latex", "", "", True)}),
    ("I don't wear suede", {("material", "leather", "", "", True)}),
    ("I hate polyester", {("material", "polyester", "", "", True)}),
    ("without down, I'm vegan", {("material", "down", "", "", True)}),
    ("I like blue", {("colour", "blue", "", "", False)}),
    ("My favourite colour is green", {("colour", "green", "", "", False)}),
    ("my wife likes blue", {("colour", "blue", "", "wife", False)}),
    ("My daughter loves pink", {("colour", "pink", "", "daughter", False)}),
    ("I don't like orange", {("colour", "orange", "", "", True)}),
    ("never grey", {("colour", "grey", "", "", True)}),
    ("my budget for shoes is $80", {("budget", "80", "shoes", "", False)}),
    ("My budget is about 150", {("budget", "150", "", "", False)}),
    ("I don't want to spend more than $60 on jackets", {("budget", "60", "clothing", "", False)}),
    ("please answer in Chinese", {("language", "zh", "", "", False)}),
    ("I wear 42 and no leather", {("size", "42", "shoes", "", False), ("material", "leather", "", "", True)}),
    ("I wear size L, I prefer black, no nylon", {("size", "L", "clothing", "", False),
                                                 ("colour", "black", "", "", False),
                                                 ("material", "nylon", "", "", True)}),
    ("我穿XL", {("size", "XL", "clothing", "", False)}),
    ("我穿42码", {("size", "42", "shoes", "", False)}),
    ("我的鞋码是39", {("size", "39", "shoes", "", False)}),
    ("鞋子43码", {("size", "43", "shoes", "", False)}),
    ("我老婆穿M", {("size", "M", "clothing", "wife", False)}),
    ("不要皮的", {("material", "leather", "", "", True)}),
    ("不要皮革", {("material", "leather", "", "", True)}),
    ("我对羊毛过敏", {("material", "wool", "", "", True)}),
    ("我不穿羽绒", {("material", "down", "", "", True)}),
    ("我喜欢蓝色", {("colour", "blue", "", "", False)}),
    ("我不喜欢粉色", {("colour", "pink", "", "", True)}),
    ("我女儿喜欢紫色", {("colour", "purple", "", "daughter", False)}),
    ("我最喜欢的颜色是绿色", {("colour", "green", "", "", False)}),
    ("鞋子预算500元", {("budget", "500", "shoes", "", False)}),
    ("预算是300块", {("budget", "300", "", "", False)}),
    ("请用中文回答", {("language", "zh", "", "", False)}),
    ("我穿42码，不要皮的", {("size", "42", "shoes", "", False), ("material", "leather", "", "", True)}),
    ("我讨厌涤纶", {("material", "polyester", "", "", True)}),
    # A pronoun in a later clause is still the person named before it; a clause without one is the shopper's.
    ("my wife likes blue and she wears S", {("colour", "blue", "", "wife", False),
                                            ("size", "S", "clothing", "wife", False)}),
    ("my dad hates wool, and he wears XL", {("material", "wool", "", "father", True),
                                            ("size", "XL", "clothing", "father", False)}),
    ("my wife likes blue and I wear 10", {("colour", "blue", "", "wife", False), ("size", "10", "shoes", "", False)}),
    ("我爸讨厌羊毛，他穿XL", {("material", "wool", "", "father", True), ("size", "XL", "clothing", "father", False)}),
    ("As a rule I steer clear of anything made from wool", {("material", "wool", "", "", True)}),
    ("I stay away from polyester", {("material", "polyester", "", "", True)}),
    ("I can't wear nickel", {("material", "nickel", "", "", True)}),
    ("I wear size 10 in shoes, and please nothing made of leather", {("size", "10", "shoes", "", False),
                                                                   ("material", "leather", "", "", True)}),
]


@pytest.mark.parametrize(("message", "expected"), STATED)
def test_stated_preferences_are_read(message: str, expected: set[tuple[str, str, str, str, bool]]) -> None:
    found = {(p.kind, p.value, p.category, p.recipient, p.avoid) for p in extract(message)}
    assert found == expected
    request = preference_request(message)
    assert request is not None and request.action == "note"


@pytest.mark.parametrize("message", [
    "show me running shoes", "what is the price of the first one?", "do you have wool socks?",
    "where is my order W1234567", "红色的外套有吗", "I want to return my leather boots", "hello",
    "red jacket without a hood", "我要一双不要太贵的鞋", "I wear it every day",
])
def test_other_messages_state_nothing(message: str) -> None:
    assert preference_request(message) is None


@pytest.mark.parametrize(("message", "action"), [
    ("what do you know about me?", "list"), ("What do you remember about me", "list"),
    ("show my preferences", "list"), ("你知道我什么", "list"), ("你知道我的哪些偏好", "list"),
    ("forget all my preferences", "forget_all"), ("清除我的偏好", "forget_all"),
    ("show all", "show_all"), ("显示全部", "show_all"),
])
def test_requests_about_preferences(message: str, action: str) -> None:
    request = preference_request(message)
    assert request is not None and request.action == action


@pytest.mark.parametrize(("message", "kind", "value", "category"), [
    ("forget my shoe size", "size", None, "shoes"),
    ("delete the leather one", "material", "leather", None),
    ("remove my budget", "budget", None, None),
    ("forget that I like blue", "colour", "blue", None),
    ("忘掉我的鞋码", "size", None, "shoes"),
    ("删掉皮革那条", "material", "leather", None),
])
def test_deleting_one_names_it(message: str, kind: str, value: str | None, category: str | None) -> None:
    request = preference_request(message)
    assert request is not None and request.action == "forget"
    assert (request.kind, request.value, request.category) == (kind, value, category)


@pytest.mark.parametrize("message", ["forget me", "remove the red one from my cart", "删除购物车里的第一件",
                                     "delete all my data"])
def test_other_deletions_are_not_about_preferences(message: str) -> None:
    request = preference_request(message)
    assert request is None or request.action != "forget"


BRANDS = frozenset({"Northpeak", "Stridelite", "Alpenwalk"})


@pytest.mark.parametrize(("message", "expected"), [
    ("I only buy Northpeak", {("brand", "Northpeak", False)}),
    ("no stridelite please", {("brand", "Stridelite", True)}),
    ("I only buy northpeak", {("brand", "Northpeak", False)}),
    ("I hate Alpenwalk and I like blue", {("brand", "Alpenwalk", True), ("colour", "blue", False)}),
    ("我只买Northpeak", {("brand", "Northpeak", False)}),
    ("不要Stridelite的", {("brand", "Stridelite", True)}),
    ("I love Patagonia", set()),  # not one of this shop's brands: nothing to keep
])
def test_brands_are_the_catalogs(message: str, expected: set[tuple[str, str, bool]]) -> None:
    assert {(p.kind, p.value, p.avoid) for p in extract(message, brands=BRANDS)} == expected


def test_forgetting_a_brand() -> None:
    request = preference_request("forget the Northpeak one", brands=BRANDS)
    assert request is not None and (request.action, request.kind, request.value) == ("forget", "brand", "Northpeak")
