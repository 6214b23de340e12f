"""The catalog type a message names in so many words: names, title endings, synonyms, misspellings, and the
compounds that make another kind."""

from __future__ import annotations

import pytest

from vectorstore.documents import ProductDoc
from vectorstore.product_types import ProductTypes

TITLES = {
    ("Outdoor", "Tents"): ["Ridge 2 Person Tent", "Summit Ultralight Tent", "Canyon 4-Season Tent"],
    ("Outdoor", "Sleeping Bags"): ["Alpine Down Sleeping Bag", "Trail Synthetic Sleeping Bag"],
    ("Computers", "Laptops"): ["Cortex Aero Laptop", "Vantage Pro Laptop"],
    ("Beauty", "Hair Care"): ["Purely Vegan Shampoo", "Halo Hydrating Shampoo", "Zen Curl Shampoo"],
    ("Home & Kitchen", "Blenders"): ["Vortex 1200W Blender", "Mini Smoothie Blender"],
    ("Outdoor", "Backpacks"): ["Northpeak 30L Backpack", "Campcraft Daypack Backpack"],
    ("Outdoor", "Tents (ZH)"): ["北峰 双人帐篷", "营地 轻量帐篷"],
}


def _doc(number: int, title: str, path: tuple[str, str]) -> ProductDoc:
    return ProductDoc(id=str(number), embed_text=title, lexical_text=title, title=title, brand="", category_path=path,
                      price=10.0, currency="USD", in_stock=True, rating=4.0, language="en", colours=frozenset(),
                      sizes=frozenset(), attributes={})


@pytest.fixture(scope="module")
def types() -> ProductTypes:
    docs = [_doc(number, title, path) for number, (path, titles) in enumerate(TITLES.items())
            for title in titles]
    found = ProductTypes(None)
    found.refresh(1, [_doc(i, doc.title, doc.category_path) for i, doc in enumerate(docs)])
    return found


@pytest.mark.parametrize(("text", "expected"), [
    ("I'd like to order a tent for 2 people", {"Tents"}),
    ("sleping bag for winter camping", {"Sleeping Bags"}),
    ("blendr strong enough for frozen smoothies", {"Blenders"}),
    ("shampoo for curly hair", {"Hair Care"}),
    ("vegan shampoo", {"Hair Care"}),
    ("a blue rucksack", {"Backpacks"}),
    ("给孩子买个帐篷", {"Tents (ZH)"}),
])
def test_a_type_named_anywhere_in_the_message(types: ProductTypes, text: str, expected: set[str]) -> None:
    found = types.named(text)
    assert found is not None and set(found.types) == expected and not found.absent


@pytest.mark.parametrize("text", ["a laptop bag", "tent stakes", "can I speak to someone", "something for my trip",
                                  "where is my order"])
def test_no_type_where_another_noun_makes_another_kind_or_none_is_named(types: ProductTypes, text: str) -> None:
    assert types.named(text) is None
