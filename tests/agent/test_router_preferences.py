"""Preferences in chat: the router notes what a signed-in shopper states, lists and forgets them, repeats the last
search without them on 'show all', and stores nothing for a guest; the answers are rendered by code (EN/ZH)."""

from __future__ import annotations

import pytest

from agent.prompts import PROMPTS_DIR
from agent.render_preferences import applied_line, preference_lines
from agent.router import RouterInput, route
from agent.templates import load_templates
from commerce.preferences import Preference, StatedPreference
from tests.agent.test_router import SHOWN, TOOLS, plan
from tools.preference_filters import AppliedPreference
from tools.preferences import PreferenceList, PreferencesForgotten, PreferencesNoted

TEMPLATES = load_templates(PROMPTS_DIR)
SIZE_10 = {"kind": "size", "value": "10", "category": "shoes"}
NO_LEATHER = {"kind": "material", "value": "leather", "avoid": True}


@pytest.mark.parametrize(("text", "stated"), [
    ("I wear size 10 in shoes, and please nothing made of leather", [SIZE_10, NO_LEATHER]),
    ("my shoe size is 10. no leather for me", [SIZE_10, NO_LEATHER]),
    ("我穿10码的鞋，不要皮的", [SIZE_10, NO_LEATHER]),
    ("my wife likes blue", [{"kind": "colour", "value": "blue", "recipient": "wife"}]),
])
def test_a_statement_is_noted_and_nothing_searched(text: str, stated: list[dict[str, object]]) -> None:
    assert plan(text) == ("preferences", [("note_preferences", {"stated": stated})], "")


def test_a_statement_with_a_product_ask_notes_first_then_searches_the_ask() -> None:
    found = plan("I wear size 10 in shoes, show me running shoes")
    assert found is not None and found[0] == "product_search"
    assert [name for name, _ in found[1]] == ["note_preferences", "search_products"]
    assert found[1][1][1]["query"] == "show me running shoes"


def test_a_guest_is_told_nothing_is_kept_and_a_guest_search_still_searches() -> None:
    assert plan("I wear size 10 in shoes, no leather", signed_in=False) == ("preferences", [],
                                                                             "preferences_sign_in")
    assert plan("what do you know about me?", signed_in=False) == ("preferences", [], "preferences_sign_in")
    found = plan("show me running shoes, I wear 10", signed_in=False)
    assert found is not None and [name for name, _ in found[1]] == ["search_products"]


@pytest.mark.parametrize(("text", "arguments"), [
    ("forget my shoe size", {"kind": "size", "category": "shoes"}),
    ("delete the leather one", {"kind": "material", "value": "leather"}),
    ("忘掉我的鞋码", {"kind": "size", "category": "shoes"}),
    ("forget all my preferences", {"everything": True}),
    ("删除我的所有偏好", {"everything": True}),
])
def test_forgetting_a_preference_is_not_forgetting_the_shopper(text: str, arguments: dict[str, object]) -> None:
    assert plan(text) == ("preferences", [("forget_preferences", arguments)], "")


def test_forget_me_still_erases_the_shopper() -> None:
    for text in ("forget me", "please delete my data"):
        found = plan(text)
        assert found is not None and found[0] == "forget_me", text


@pytest.mark.parametrize("text", ["what do you know about me?", "show my preferences", "你知道我什么？"])
def test_asking_what_is_known_lists_it(text: str) -> None:
    assert plan(text) == ("preferences", [("list_preferences", {})], "")


def test_show_all_repeats_the_last_search_without_preferences() -> None:
    found = plan("show all", shown=SHOWN, previous="hiking boots")
    assert found is not None and found[1] == [("search_products", {"query": "hiking boots",
                                                                   "ignore_preferences": True})]
    assert plan("显示全部", shown=SHOWN, previous="徒步靴") is not None


def _stated(*items: dict[str, object]) -> list[StatedPreference]:
    return [StatedPreference.model_validate(item) for item in items]


def test_what_was_noted_is_said_back_in_one_sentence() -> None:
    noted = PreferencesNoted(noted=_stated(SIZE_10, NO_LEATHER, {"kind": "colour", "value": "blue",
                                                                "recipient": "wife"}))
    assert preference_lines(noted, TEMPLATES["en"]) == ["Noted: size 10 for shoes, no leather, likes blue "
                                                        "(your wife)."]
    assert preference_lines(noted, TEMPLATES["zh"]) == ["记下了：鞋10码、不要皮革、喜欢蓝色（妻子）。"]


def test_the_list_and_what_was_forgotten() -> None:
    kept = [Preference.model_validate(item | {"id": n}) for n, item in enumerate([SIZE_10, NO_LEATHER])]
    [listed] = preference_lines(PreferenceList(preferences=kept), TEMPLATES["en"])
    assert listed.startswith("What I know about you (2): size 10 for shoes, no leather.")
    assert preference_lines(PreferenceList(preferences=[]), TEMPLATES["en"])[0].startswith("I don't keep anything")
    forgotten = PreferencesForgotten(forgotten=kept[:1], remaining=1)
    assert preference_lines(forgotten, TEMPLATES["zh"]) == ["已忘掉：鞋10码。"]


def test_a_search_says_how_the_preferences_changed_it() -> None:
    applied = [AppliedPreference(kind="size", value="10", category="shoes", effect="first", products=3),
               AppliedPreference(kind="material", value="leather", effect="left_out", products=2)]
    assert applied_line(applied, TEMPLATES["en"], "USD") == [
        'Going by your preferences: size 10 first, leather left out — say "show all" to drop that.']
    assert applied_line(applied, TEMPLATES["zh"], "USD") == [
        '已按您的偏好：10码优先、已去掉皮革——说"显示全部"即可取消。']
    assert applied_line([], TEMPLATES["en"], "USD") == []


def test_inside_a_search_a_bare_negation_or_budget_is_that_searchs_and_a_standing_one_is_noted() -> None:
    for text in ("Find me running shoes under $100, not leather", "推荐一款适合跑步的耳机，预算300元左右",
                 "show me hiking boots without leather"):
        found = plan(text)
        assert found is not None and "note_preferences" not in [name for name, _ in found[1]], text
    found = plan("I'm allergic to wool, recommend a warm hoodie")
    assert found is not None and found[1][0] == ("note_preferences", {"stated": [
        {"kind": "material", "value": "wool", "avoid": True}]})
    assert found[1][1][0] == "search_products"


def test_a_brand_of_the_catalog_is_noted_for_a_signed_in_shopper() -> None:
    request = RouterInput(text="I only buy Northpeak, and never Stridelite", language="en", signed_in=True,
                          tools=TOOLS, brands=frozenset({"Northpeak", "Stridelite"}))
    found = route(request)
    assert found is not None and [(c.name, c.arguments) for c in found.calls] == [("note_preferences", {"stated": [
        {"kind": "brand", "value": "Northpeak"}, {"kind": "brand", "value": "Stridelite", "avoid": True}]})]


def test_a_gift_for_someone_the_shopper_told_us_about_searches_with_their_preferences() -> None:
    found = plan("a gift for my wife who likes hiking, around $80")
    assert found is not None and found[1][0][1]["recipient"] == "wife"
    zh = plan("给我老婆买个生日礼物，她喜欢徒步", language="zh")
    assert zh is not None and zh[1][-1][0] == "search_products" and zh[1][-1][1]["recipient"] == "wife"


def test_a_search_for_someone_says_whose_preferences_it_followed() -> None:
    applied = [AppliedPreference(kind="colour", value="blue", effect="first", recipient="wife", products=2)]
    assert applied_line(applied, TEMPLATES["en"], "USD") == [
        'Going by what you told me about your wife: blue first — say "show all" to drop that.']
    assert applied_line(applied, TEMPLATES["zh"], "USD") == [
        '已按您告诉我的妻子的偏好：蓝色优先——说"显示全部"即可取消。']


@pytest.mark.parametrize(("text", "language"), [
    ("show me a rain jacket for my wife", "en"),
    ("looking for running shoes for my son under $80", "en"),
    ("推荐一件适合我老公的外套", "zh"),
])
def test_any_search_for_someone_named_carries_them(text: str, language: str) -> None:
    found = plan(text, language=language)
    assert found is not None
    searches = [arguments for name, arguments in found[1] if name == "search_products"]
    assert searches and searches[-1]["recipient"] in ("wife", "son", "husband")


def test_a_search_for_nobody_in_particular_names_no_recipient() -> None:
    for text, language in (("show me a rain jacket", "en"), ("show me running shoes", "en"), ("推荐一件外套", "zh")):
        found = plan(text, language=language)
        assert found is not None and all("recipient" not in arguments for _, arguments in found[1])
