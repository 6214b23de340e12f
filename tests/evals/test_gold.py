"""Tests for the gold dialogue set: size, coverage, up to date with its builder, and the schema's matchers."""

from __future__ import annotations

import re
from collections import Counter

from commerce.models import Product, Variant
from evals.gold import ArgCheck, ProductConstraint, load_gold
from evals.gold_build import all_dialogues
from evals.gold_templates import KINDS


def test_gold_set_is_large_bilingual_and_covers_every_intent() -> None:
    gold = load_gold()
    assert len(gold) >= 150
    assert len({d.id for d in gold}) == len(gold)
    per_intent = Counter(d.intent for d in gold)
    assert len(per_intent) == 14 and min(per_intent.values()) >= 10
    assert Counter(d.language for d in gold)["zh"] >= 50
    for d in gold:
        for pattern in d.expect.must_not_match:
            re.compile(pattern)
        if "{order_id}" in d.user_text:
            assert d.setup.shopper.startswith("with_"), d.id


def test_gold_file_matches_its_builder() -> None:
    assert [d.model_dump() for d in load_gold()] == [d.model_dump() for d in all_dialogues()]


def test_chinese_dialogues_are_written_in_chinese() -> None:
    for d in load_gold():
        has_han = any("\u4e00" <= c <= "\u9fff" for c in d.user_text)
        assert has_han == (d.language == "zh"), d.id


def product(title: str, price: float, stock: int = 2, category: list[str] | None = None) -> Product:
    return Product(id=title[:3], title=title, price=price, category_path=category or [],
                   variants=[Variant(id="v1", price=price, stock=stock)])


def test_product_constraint_checks_words_negation_price_and_stock() -> None:
    backpacks = ProductConstraint(text_any=KINDS[2][2], text_none=["leather"], max_price=60, in_stock=True)
    assert backpacks.satisfied_by(product("Canvas Backpack", 45.0))
    assert not backpacks.satisfied_by(product("Leather Backpack", 45.0))
    assert not backpacks.satisfied_by(product("Canvas Backpack", 75.0))
    assert not backpacks.satisfied_by(product("Canvas Backpack", 45.0, stock=0))
    assert ProductConstraint(text_any=["鞋"]).satisfied_by(product("轻量跑鞋", 10.0))


def test_arg_checks() -> None:
    assert ArgCheck(names=["max_price"], approx=120).matches("120")
    assert not ArgCheck(names=["max_price"], approx=120).matches(150)
    assert ArgCheck(names=["query"], contains_any=["Jacket"]).matches("waterproof jackets")
    assert ArgCheck(names=["ids"], shown_positions=[0, 1]).matches(["a", "b"], shown_ids=["a", "b", "c"])
    assert not ArgCheck(names=["ids"], shown_positions=[0, 1]).matches(["a", "c"], shown_ids=["a", "b", "c"])
    assert ArgCheck(names=["in_stock"], equals=True).matches(True)
