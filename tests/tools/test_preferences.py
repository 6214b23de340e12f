"""Stated preferences through the tools: kept for the signed-in shopper only, listed and forgotten by them alone,
and applied to their later searches as soft filters that say what they did."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from commerce.preferences import Preference, StatedPreference, list_preferences, note_preferences
from commerce.store import get_products
from tests.tools.conftest import ALICE, BOB, Shop
from tests.vectorstore.helpers import indexed_demo_shop
from tools.base import ToolContext, ToolError
from tools.preference_filters import apply_preferences
from tools.preferences import PreferenceList, PreferencesForgotten, PreferencesNoted
from tools.registry import tool_by_name
from tools.search import SEARCH_PRODUCTS, SearchProductsOutput
from vectorstore.documents import ProductDoc, product_doc

SIZE_10 = {"kind": "size", "value": "10", "category": "shoes"}
NO_LEATHER = {"kind": "material", "value": "leather", "avoid": True}


def _run(context: ToolContext, name: str, **arguments: object) -> object:
    tool = tool_by_name(name)
    assert tool is not None
    return tool.run(context, arguments)


def _kept(shop: Shop, shopper_id: str = ALICE.id) -> list[tuple[str, str, bool]]:
    listed = _run(shop.context(shopper_id), "list_preferences")
    assert isinstance(listed, PreferenceList)
    return [(p.kind, p.value, p.avoid) for p in listed.preferences]


def test_noted_preferences_are_kept_for_the_signed_in_shopper_only(shop: Shop) -> None:
    noted = _run(shop.context(), "note_preferences", stated=[SIZE_10, NO_LEATHER])
    assert isinstance(noted, PreferencesNoted) and [p.value for p in noted.noted] == ["10", "leather"]
    assert _kept(shop) == [("size", "10", False), ("material", "leather", True)]
    assert _kept(shop, BOB.id) == []
    anonymous = _run(shop.context(None), "note_preferences", stated=[SIZE_10])
    assert isinstance(anonymous, ToolError) and anonymous.code == "preferences_sign_in"
    listed = _run(shop.context(None), "list_preferences")
    assert isinstance(listed, ToolError) and listed.code == "preferences_sign_in"


def test_a_new_size_replaces_the_old_and_a_colour_flips_between_liked_and_avoided(shop: Shop) -> None:
    _run(shop.context(), "note_preferences", stated=[SIZE_10, {"kind": "colour", "value": "red"}])
    _run(shop.context(), "note_preferences", stated=[{"kind": "size", "value": "11", "category": "shoes"},
                                                     {"kind": "colour", "value": "red", "avoid": True}])
    assert sorted(_kept(shop)) == [("colour", "red", True), ("size", "11", False)]


def test_broken_arguments_are_refused_and_nothing_is_kept(shop: Shop) -> None:
    for stated in ([], [{"kind": "shoe size", "value": "10"}], [{"kind": "size", "value": ""}],
                   [{"kind": "budget", "value": "80", "amount": -5}]):
        refused = _run(shop.context(), "note_preferences", stated=stated)
        assert isinstance(refused, ToolError) and refused.code == "invalid_arguments", stated
    assert _kept(shop) == []


def test_forgetting_one_all_or_nothing_matching(shop: Shop) -> None:
    _run(shop.context(), "note_preferences", stated=[SIZE_10, NO_LEATHER, {"kind": "colour", "value": "blue"}])
    _run(shop.context(BOB.id), "note_preferences", stated=[SIZE_10])
    size = _run(shop.context(), "forget_preferences", kind="size", category="shoes")
    assert isinstance(size, PreferencesForgotten) and [p.value for p in size.forgotten] == ["10"]
    assert size.remaining == 2
    missing = _run(shop.context(), "forget_preferences", kind="budget")
    vague = _run(shop.context(), "forget_preferences")
    assert [getattr(out, "code", None) for out in (missing, vague)] == ["preference_not_found", "preference_not_found"]
    everything = _run(shop.context(), "forget_preferences", everything=True)
    assert isinstance(everything, PreferencesForgotten) and everything.remaining == 0
    assert _kept(shop) == [] and _kept(shop, BOB.id) == [("size", "10", False)]


def _doc(id: str, title: str, category: tuple[str, ...] = ("Shoes", "Trail Running"), sizes: tuple[str, ...] = (),
         colours: tuple[str, ...] = (), material: str = "", price: float = 100.0) -> ProductDoc:
    return ProductDoc(id=id, embed_text=title, lexical_text=title.lower(), title=title, brand="Acme",
                      category_path=category, price=price, currency="USD", in_stock=True, rating=4.0, language="en",
                      colours=frozenset(colours), sizes=frozenset(sizes),
                      attributes={"material": material} if material else {})


def _preferences(*stated: dict[str, object]) -> list[Preference]:
    return [Preference.model_validate(item | {"id": number}) for number, item in enumerate(stated)]


def test_avoided_materials_are_left_out_unless_that_would_leave_nothing() -> None:
    docs = [_doc("a", "Leather Trail Runner", material="leather"), _doc("b", "Mesh Runner", material="mesh"),
            _doc("c", "Suede Boot", material="suede")]
    order, applied = apply_preferences(_preferences(NO_LEATHER), docs, [0, 0, 0])
    assert order == [1] and [(a.effect, a.products) for a in applied] == [("left_out", 2)]
    only_leather = docs[:1]
    order, applied = apply_preferences(_preferences(NO_LEATHER), only_leather, [0])
    assert order == [0] and applied == []


def test_wanted_sizes_colours_and_budgets_come_first_within_each_group() -> None:
    docs = [_doc("a", "Runner A", sizes=("9",), price=150), _doc("b", "Runner B", sizes=("10",), price=150),
            _doc("c", "Runner C", sizes=("10",), colours=("blue",), price=80),
            _doc("d", "Tent", category=("Outdoor", "Tents"), price=50)]
    preferences = _preferences(SIZE_10, {"kind": "colour", "value": "blue"},
                               {"kind": "budget", "value": "100", "amount": 100, "category": "shoes"})
    order, applied = apply_preferences(preferences, docs, [0, 0, 0, 1])
    assert order == [2, 1, 0, 3]
    assert [(a.kind, a.effect, a.products) for a in applied] == [("size", "first", 2), ("colour", "first", 1),
                                                                  ("budget", "first", 1)]
    order, applied = apply_preferences(_preferences(SIZE_10), [docs[3]], [0])
    assert order == [0] and applied == []  # a size for shoes says nothing about tents


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ToolContext]:
    yield indexed_demo_shop(tmp_path_factory.mktemp("preferences"))


def _search(context: ToolContext, **arguments: object) -> SearchProductsOutput:
    result = SEARCH_PRODUCTS.run(context, {"limit": 10} | arguments)
    assert isinstance(result, SearchProductsOutput), result
    return result


def _materials(context: ToolContext, output: SearchProductsOutput) -> list[str]:
    with context.db.session() as session:
        products = get_products(session, [hit.id for hit in output.hits])
    return [products[hit.id].attributes.get("material", "") for hit in output.hits]


def _signed_in(demo: ToolContext, shopper_id: str, *stated: dict[str, object]) -> ToolContext:
    with demo.db.session() as session:
        note_preferences(session, shopper_id, [StatedPreference.model_validate(item) for item in stated])
    return replace(demo, shopper_id=shopper_id)


def test_a_saved_avoidance_changes_a_later_search_and_says_so(demo: ToolContext) -> None:
    guest = _search(demo, query="hiking boots")
    assert "leather" in _materials(demo, guest)
    shopper = _signed_in(demo, "pref_no_leather", NO_LEATHER)
    filtered = _search(shopper, query="hiking boots")
    assert filtered.hits and "leather" not in _materials(demo, filtered)
    assert [(a.value, a.effect) for a in filtered.preferences] == [("leather", "left_out")]
    everything = _search(shopper, query="hiking boots", ignore_preferences=True)
    assert [hit.id for hit in everything.hits] == [hit.id for hit in guest.hits] and everything.preferences == []
    asked = _search(shopper, query="leather hiking boots")
    assert "leather" in _materials(demo, asked) and asked.preferences == []  # what the search names wins


def test_a_saved_size_puts_the_products_that_come_in_it_first(demo: ToolContext) -> None:
    shopper = _signed_in(demo, "pref_size_13", {"kind": "size", "value": "12", "category": "shoes"})
    output = _search(shopper, query="running shoes")
    with demo.db.session() as session:
        listed = list_preferences(session, "pref_size_13")
    assert listed and output.preferences and output.preferences[0].effect == "first"
    with demo.db.session() as session:
        products = get_products(session, [hit.id for hit in output.hits])
    has = ["12" in product_doc(products[hit.id]).sizes for hit in output.hits]
    assert has == sorted(has, reverse=True)
    assert _search(shopper, query="running shoes", size=["9"]).preferences == []  # an asked size wins


def test_a_sort_the_shopper_asked_for_is_kept(demo: ToolContext) -> None:
    shopper = _signed_in(demo, "pref_budget", {"kind": "budget", "value": "80", "amount": 80, "category": "shoes"})
    output = _search(shopper, query="running shoes", sort="price_desc")
    prices = [hit.price for hit in output.hits]
    assert prices == sorted(prices, reverse=True) and output.preferences == []


def test_a_liked_brand_comes_first_and_an_avoided_one_is_left_out() -> None:
    docs = [_doc("a", "Runner A"), _doc("b", "Runner B"), _doc("c", "Runner C")]
    docs = [replace(doc, brand=brand) for doc, brand in zip(docs, ["Stridelite", "Alpenwalk", "Northpeak"],
                                                                  strict=True)]
    order, applied = apply_preferences(_preferences({"kind": "brand", "value": "Northpeak"},
                                                    {"kind": "brand", "value": "Stridelite", "avoid": True}),
                                       docs, [0, 0, 0])
    assert order == [2, 1]
    assert [(a.value, a.effect) for a in applied] == [("Stridelite", "left_out"), ("Northpeak", "first")]


def test_a_search_for_someone_applies_their_preferences_not_the_shoppers(demo: ToolContext) -> None:
    shopper = _signed_in(demo, "pref_gift", {"kind": "colour", "value": "blue", "recipient": "wife"},
                         {"kind": "colour", "value": "black", "avoid": True})
    for_her = _search(shopper, query="jackets", recipient="wife")
    assert [(a.value, a.recipient) for a in for_her.preferences] == [("blue", "wife")]
    for_me = _search(shopper, query="jackets")
    assert all(a.recipient == "" for a in for_me.preferences)


def test_a_shoe_size_stated_in_eu_numbers_finds_its_us_size_and_still_matches_an_eu_sized_catalog() -> None:
    eu_42 = _preferences({"kind": "size", "value": "42", "category": "shoes"})
    us_sized = [_doc("a", "Runner A", sizes=("8",)), _doc("b", "Runner B", sizes=("9",))]
    order, applied = apply_preferences(eu_42, us_sized, [0, 0])
    assert order == [1, 0] and [(a.kind, a.effect) for a in applied] == [("size", "first")]
    eu_sized = [_doc("c", "Runner C", sizes=("41",)), _doc("d", "Runner D", sizes=("42",))]
    order, _ = apply_preferences(eu_42, eu_sized, [0, 0])
    assert order == [1, 0]
