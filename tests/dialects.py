"""A migrated database of either dialect, for store tests that must hold on SQLite and on Postgres alike."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete

from commerce.db import Database

DIALECTS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def migrated(request: pytest.FixtureRequest, tmp_path: Path, *tables: Any) -> Database:
    """SQLite under `tmp_path`, or the session's Postgres server with `tables` emptied (its tests share it)."""
    if request.param == "sqlite":
        db = Database(f"sqlite:///{tmp_path / 'shop.db'}")
        db.migrate()
        return db
    db = Database(request.getfixturevalue("postgres_url"))
    db.migrate()
    with db.session() as session:
        for table in tables:
            session.execute(delete(table))
    return db
