"""JSONL import/export: good lines load, bad lines are reported by line number, a failing write leaves nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

import commerce.importers.writer as writer
from commerce.db import Database
from commerce.demo.products import generate_products
from commerce.importers.jsonl import export_jsonl, import_jsonl
from commerce.models import Product
from commerce.store import counts, get_product, iter_products


@pytest.fixture
def products() -> list[Product]:
    return [item.product for item in generate_products(7, count=30)]


def test_export_then_import_round_trips(database: Database, products: list[Product], tmp_path: Path) -> None:
    path = tmp_path / "catalog.jsonl"
    assert export_jsonl(products, path) == 30
    with database.session() as session:
        report = import_jsonl(session, path)
    assert report.loaded == {"products": 30} and report.rejected == []
    with database.session() as session:
        assert list(iter_products(session)) == sorted(products, key=lambda p: p.id)


def test_bad_lines_are_reported_and_good_lines_load(
    database: Database, products: list[Product], tmp_path: Path
) -> None:
    path = tmp_path / "catalog.jsonl"
    export_jsonl(products[:3], path)
    negative = products[3].model_copy(update={"price": -5})
    clash = products[4].model_copy(update={"id": "new-id", "variants": products[0].variants})
    with path.open("a", encoding="utf-8") as out:
        out.write("{not json\n")                                    # line 4
        out.write(products[3].model_dump_json().replace('"title":', '"name":') + "\n")  # line 5: no title
        out.write(negative.model_dump_json() + "\n")                # line 6
        out.write("\n")                                             # line 7: blank, skipped
        out.write(clash.model_dump_json() + "\n")                   # line 8
        out.write(products[5].model_dump_json() + "\n")             # line 9
    with database.session() as session:
        report = import_jsonl(session, path)
    assert report.loaded == {"products": 4}
    reasons = {rejection.where: rejection.reason for rejection in report.rejected}
    assert set(reasons) == {"line 4", "line 5", "line 6", "line 8"}
    assert "Invalid JSON" in reasons["line 4"]
    assert "title: Field required" in reasons["line 5"]
    assert "price: Input should be greater than or equal to 0" in reasons["line 6"]
    assert f"already belongs to product {products[0].id!r}" in reasons["line 8"]
    assert "rejected 4" in report.summary() and "line 4:" in report.summary()
    with database.session() as session:
        assert get_product(session, products[5].id) == products[5]
        assert get_product(session, "new-id") is None


def test_reimport_updates_in_place(database: Database, products: list[Product], tmp_path: Path) -> None:
    path = tmp_path / "catalog.jsonl"
    export_jsonl(products[:2], path)
    with database.session() as session:
        import_jsonl(session, path)
    changed = products[0].model_copy(update={"title": "Renamed", "variants": products[0].variants[:1]})
    export_jsonl([changed], path)
    with database.session() as session:
        import_jsonl(session, path)
    with database.session() as session:
        assert get_product(session, changed.id) == changed
        assert counts(session)["products"] == 2


def test_a_failing_write_leaves_nothing_half_written(
    database: Database, products: list[Product], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "catalog.jsonl"
    export_jsonl(products[:10], path)
    real_upsert, calls = writer.upsert_product, []

    def failing_upsert(session, product):  # type: ignore[no-untyped-def]
        calls.append(product.id)
        if len(calls) == 6:
            raise RuntimeError("disk full")
        real_upsert(session, product)

    monkeypatch.setattr(writer, "upsert_product", failing_upsert)
    with pytest.raises(RuntimeError), database.session() as session:
        import_jsonl(session, path)
    with database.session() as session:
        assert counts(session)["products"] == 0 and counts(session)["variants"] == 0


def test_overlong_ids_are_rejected(database: Database, products: list[Product], tmp_path: Path) -> None:
    path = tmp_path / "catalog.jsonl"
    export_jsonl([products[0].model_copy(update={"id": "x" * 65}), products[1]], path)
    with database.session() as session:
        report = import_jsonl(session, path)
    assert report.loaded == {"products": 1} and "longer than 64" in report.rejected[0].reason
