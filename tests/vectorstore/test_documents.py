"""What a product becomes for the indexes: its colour facet holds the colours its raw values name."""

from __future__ import annotations

import pytest

from commerce.models import Product, Variant
from vectorstore.catalog import CatalogTable
from vectorstore.documents import product_doc
from vectorstore.filters import build_mask
from vectorstore.query import parse_query


def product(pid: str, colour: str) -> Product:
    return Product(id=pid, title=f"Crew socks {pid}", brand="Knitwell", category_path=["Socks"], price=9.0,
                   attributes={"color": colour}, variants=[Variant(id=f"{pid}-1", options={}, price=9.0, stock=3)])


@pytest.mark.parametrize(("raw", "named"), [
    ("Gray", {"gray", "grey"}),
    ("Matte Black", {"matte black", "black"}),
    ("Black/White", {"black/white", "black", "white"}),
    ("深蓝色", {"深蓝色", "blue"}),
    ("Chestnut", {"chestnut"}),
])
def test_a_raw_colour_also_counts_as_the_colours_it_names(raw: str, named: set[str]) -> None:
    assert product_doc(product("p", raw)).colours == frozenset(named)


def test_a_shoppers_grey_finds_a_product_listed_as_gray_and_as_black_and_grey() -> None:
    table = CatalogTable()
    rows = table.upsert_many([product_doc(product(pid, colour)) for pid, colour in
                              (("a", "Gray"), ("b", "Black & Grey"), ("c", "Navy"))])
    mask = build_mask(table, parse_query("grey crew socks"))
    assert [row for row in rows if mask[row]] == rows[:2]
