"""`shopassist data import/generate/stats` through the real CLI, against a temporary data directory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from commerce.demo.products import generate_products
from commerce.importers.jsonl import export_jsonl
from shopassist.cli import app
from shopassist.settings import get_settings
from tests.shared_data import TAU_DIR

TAU = TAU_DIR
runner = CliRunner()


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("SHOPASSIST_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("SHOPASSIST_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield tmp_path / "var"
    get_settings.cache_clear()


@pytest.mark.skipif(not TAU.is_dir(), reason="τ-bench retail data not present")
def test_tau_import_then_stats() -> None:
    result = runner.invoke(app, ["data", "import", "--format", "tau", str(TAU)])
    assert result.exit_code == 0, result.output
    assert "loaded 50 products, 500 shoppers, 1,000 orders; rejected 0" in result.output
    stats = runner.invoke(app, ["data", "stats"])
    lines = dict(line.split() for line in stats.output.splitlines())
    assert (lines["products"], lines["shoppers"], lines["orders"], lines["variants"]) == ("50", "500", "1,000", "591")


def test_jsonl_import_reports_bad_lines_and_generate_refuses_to_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "catalog.jsonl"
    export_jsonl([item.product for item in generate_products(3, count=5)], path)
    with path.open("a", encoding="utf-8") as out:
        out.write('{"id": "x"}\n')
    result = runner.invoke(app, ["data", "import", "--format", "jsonl", str(path)])
    assert result.exit_code == 0, result.output
    assert "loaded 5 products; rejected 1" in result.output and "line 6: title: Field required" in result.output
    refused = runner.invoke(app, ["data", "generate"])
    assert refused.exit_code == 1 and "--force" in refused.output


def test_unknown_format_is_refused(tmp_path: Path) -> None:
    result = runner.invoke(app, ["data", "import", "--format", "xml", str(tmp_path)])
    assert result.exit_code == 2
