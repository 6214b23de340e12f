"""`shopassist index` builds both collections from the database; `--if-missing` is a no-op once they exist."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from commerce.db import Database
from commerce.models import Passage
from commerce.store import passage_row, upsert_product
from shopassist.cli import app
from shopassist.settings import get_settings
from tests.vectorstore.test_sync import boot

pytestmark = pytest.mark.slow


def test_index_then_if_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOPASSIST_DATA_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    database = Database(get_settings().sqlalchemy_url)
    database.migrate()
    with database.session() as session:
        for product in (boot("b1", "Ridge Hiking Boot", 120, 3), boot("b2", "Trail Hiking Boot", 80, 0)):
            upsert_product(session, product)
        session.add(passage_row(Passage(id="returns-window", title="Return window", section="returns",
                                        text="Return unworn items within 30 days.", source="policies/returns.md")))
    runner = CliRunner()
    try:
        built = runner.invoke(app, ["index"])
        assert built.exit_code == 0, built.output
        assert "indexed 2 products (2 embedded" in built.output and "1 passages" in built.output
        again = runner.invoke(app, ["index", "--if-missing"])
        assert again.exit_code == 0 and "nothing to do" in again.output
        rebuilt = runner.invoke(app, ["index"])
        assert "(0 embedded" in rebuilt.output  # unchanged products come from the content-hash check
    finally:
        get_settings.cache_clear()
