"""Incremental sync of every embedding space's collection: upsert/delete one product; price and stock changes update
metadata without re-embedding; an embedder added to an existing index embeds only its own space."""

from __future__ import annotations

from pathlib import Path

import pytest

from commerce.models import Product, Variant
from shopassist.settings import load_settings
from tests.vectorstore.helpers import HashingEmbedder
from vectorstore.documents import product_doc
from vectorstore.query import SearchQuery
from vectorstore.service import open_service


def boot(pid: str, title: str, price: float, stock: int, material: str = "mesh") -> Product:
    return Product(id=pid, title=title, brand="Northpeak", category_path=["Shoes", "Hiking Boots"], price=price,
                   attributes={"material": material, "waterproof": "yes"},
                   variants=[Variant(id=f"{pid}-9", options={"shoe size": "9", "colour": "black"}, price=price,
                                     stock=stock)])


class TwoSpaces:
    """Two hashing embedders of different sizes stand in for MiniLM and the multilingual space."""

    def __init__(self) -> None:
        self.first, self.second = HashingEmbedder(64), HashingEmbedder(48)

    @property
    def embedded(self) -> int:
        return self.first.embedded + self.second.embedded

    def open(self, tmp_path: Path, second: bool = True):  # noqa: ANN201 - SearchService
        settings = load_settings(data_dir=tmp_path / "var", env="test")
        return open_service(settings, self.first, self.second if second else None)


PRODUCTS = (boot("b1", "Ridge Hiking Boot", 120, 3, "leather"), boot("b2", "Trail Hiking Boot", 80, 0),
            boot("b3", "Summit Hiking Boot", 60, 5))


@pytest.fixture
def service(tmp_path: Path):
    embedder = TwoSpaces()
    service = embedder.open(tmp_path)
    for product in PRODUCTS:
        service.products.upsert_product(product)
    return service, embedder


def collections(service) -> list:
    return [space.col for space in service.products.spaces]


def ids(service, **fields) -> list[str]:
    return [hit.product_id for hit in service.products.retrieve(SearchQuery(text="hiking boot", **fields), k=10)]


def test_price_and_stock_change_updates_filters_without_embedding(service) -> None:
    service, embedder = service
    assert "b2" not in ids(service, in_stock=True)
    before = embedder.embedded  # the query text is embedded once, then cached
    service.products.update_offer("b2", price=45.0, in_stock=True)
    assert embedder.embedded == before
    assert "b2" in ids(service, in_stock=True, price_max=50)
    assert len(collections(service)) == 2
    for col in collections(service):
        stored = col.get(ids=["b2"], include=["metadatas"])["metadatas"][0]
        assert stored["price"] == 45.0 and stored["in_stock"] is True


def test_reupserting_an_unchanged_product_embeds_nothing(service) -> None:
    service, embedder = service
    before = embedder.embedded
    assert service.products.upsert_product(boot("b3", "Summit Hiking Boot", 55, 1)) == 0
    assert embedder.embedded == before
    assert service.products.upsert_product(boot("b3", "Summit Hiking Boot GTX", 55, 1)) == 1
    assert embedder.first.embedded == embedder.second.embedded  # each space embedded the new title once


def test_delete_removes_from_memory_and_chroma(service) -> None:
    service, _ = service
    assert service.products.delete_product("b1")
    assert "b1" not in ids(service)
    for col in collections(service):
        assert col.get(ids=["b1"])["ids"] == []
    assert not service.products.delete_product("b1")


def test_reload_from_chroma_restores_the_same_answers(service, tmp_path: Path) -> None:
    service, embedder = service
    service.products.update_offer("b1", price=99.0)
    reopened = embedder.open(tmp_path)
    before = embedder.embedded
    assert reopened.products.load_from_collection() == 3
    assert embedder.embedded == before  # vectors come back from Chroma
    assert ids(reopened, price_max=100, exclude=["leather"]) == ids(service, price_max=100, exclude=["leather"])
    assert "b1" not in ids(reopened, exclude=["leather"])


def test_an_added_space_embeds_only_what_its_collection_lacks(tmp_path: Path) -> None:
    embedder = TwoSpaces()
    single = embedder.open(tmp_path, second=False)
    for product in PRODUCTS:
        single.products.upsert_product(product)
    assert embedder.second.embedded == 0
    first_before = embedder.first.embedded
    both = embedder.open(tmp_path)
    assert both.products.load_from_collection() == 3
    assert embedder.first.embedded == first_before and embedder.second.embedded == 3
    again = embedder.open(tmp_path)
    again.products.load_from_collection()
    assert embedder.second.embedded == 3  # written back to the second collection the first time
    second = again.products.retrieve(SearchQuery(text="summit hiking boot"), k=3, only=["use"])
    assert second and second[0].product_id == "b3"


def test_a_changed_title_moves_the_product_in_every_spaces_ivf_index(service) -> None:
    service, _ = service
    # The IVF index's 8-bit ranges are trained on the catalog it is built from: let it hold camping gear too.
    service.products.upsert_product(boot("c1", "Camping Lantern Waterproof Pack", 30, 2))
    for space in service.products.spaces:
        space.index.exact_max, space.index.scan_per_decode = 0, 0.0  # every search goes through the IVF index
    assert all(ids(service)) and all(space.index.has_ann for space in service.products.spaces)
    service.products.upsert_product(boot("b2", "Waterproof Camping Lantern", 80, 4))
    for space in service.products.spaces:
        hits = service.products.retrieve(SearchQuery(text="camping lantern"), k=3, only=[space.key])
        assert hits[0].product_id == "b2"
        assert [hit.product_id for hit in hits].count("b2") == 1
        # scored by the stored (8-bit) new vector, which is near the new text's and far from the old one's
        query = space.query_vector("camping lantern")
        stored = space.index.vector(service.products.table.row_of["b2"])
        assert hits[0].signals[space.key][1] == pytest.approx(float(stored @ query), abs=1e-3)
        new, old = space.embedder.embed([hits[0].doc.embed_text, product_doc(PRODUCTS[1]).embed_text])
        assert float(stored @ new) > 0.9 and float(stored @ new) - float(stored @ old) > 0.1


def test_the_vocabulary_is_kept_until_products_are_added_or_removed(service) -> None:
    service, _ = service
    first = service.vocabulary()
    assert service.vocabulary() is first and "northpeak" in first.brands
    service.products.update_offer("b1", price=99.0)
    assert service.vocabulary() is first  # price and stock do not change the words the parser knows
    service.products.upsert_product(Product(id="x1", title="Camp Stove", brand="Emberly", category_path=["Stoves"],
                                            price=40, variants=[Variant(id="x1-1", options={}, price=40, stock=2)]))
    assert "emberly" in service.vocabulary().brands
    service.products.delete_product("x1")
    assert "emberly" not in service.vocabulary().brands


def test_filters_that_leave_no_related_product_show_nothing_rather_than_padding(service) -> None:
    service, _ = service
    service.products.upsert_product(Product(
        id="l1", title="Camping Lantern", brand="Glowco", category_path=["Lighting"], price=30,
        variants=[Variant(id="l1-1", options={}, price=30, stock=4)]))
    assert ids(service, price_max=35) == []  # the only product under $35 is a lantern, not a hiking boot
    assert sorted(ids(service, price_max=100)) == ["b2", "b3"]
    assert "l1" in [hit.product_id for hit in service.products.retrieve(SearchQuery(text="lantern", price_max=35))]
