"""`shopassist bench ucp` at a tiny size through the real CLI: a server process, real HTTP, checkouts that complete,
searches that answer, and the JSON report."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from commerce.db import Database
from commerce.tables import ProductRow, VariantRow
from evals.bench.ucp import write_catalog
from shopassist.cli import app


def test_the_catalog_is_the_indexed_one_with_stock(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'shop.db'}")
    database.migrate()
    in_stock = write_catalog(database, 500, seed=3)
    with database.session() as session:
        assert session.query(ProductRow).count() == 500 and session.query(VariantRow).count() == 500
        assert 300 < len(in_stock) < 500 and session.get(VariantRow, in_stock[0]).stock > 0
        assert session.get(ProductRow, "p0000000") is not None


def test_bench_ucp_runs_at_a_tiny_size(tmp_path: Path) -> None:
    out = tmp_path / "bench_ucp.json"
    result = CliRunner().invoke(app, ["bench", "ucp", "--products", "400", "--checkouts", "4", "--searches", "4",
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["products"] == 400
    for name in ("checkout_create", "checkout_complete", "checkout_create_to_complete", "catalog_search"):
        assert report[name]["calls"] == 4 and 0 < report[name]["p50_ms"] <= report[name]["p95_ms"], report[name]
    assert report["searches_with_products"] > 0
