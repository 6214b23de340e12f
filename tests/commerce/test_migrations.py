"""Migrations: upgrade creates every table, downgrade removes them, and a second upgrade is a no-op."""

from __future__ import annotations

import pytest

from commerce.db import Database, downgrade, migrate, table_names
from commerce.tables import Base

EXPECTED = {"shoppers", "orders", "carts", "events", "conversations", "messages", "feedback", "audit_log"}


def _round_trip(db: Database) -> None:
    migrate(db.engine)
    migrate(db.engine)
    tables = table_names(db.engine)
    assert EXPECTED <= tables
    assert set(Base.metadata.tables) <= tables
    downgrade(db.engine)
    assert table_names(db.engine) <= {"alembic_version"}
    migrate(db.engine)
    assert set(Base.metadata.tables) <= table_names(db.engine)


def test_sqlite_migrations_round_trip(tmp_path) -> None:
    _round_trip(Database(f"sqlite:///{tmp_path / 'm.db'}"))


def test_sqlite_uses_write_ahead_logging(database: Database) -> None:
    with database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


@pytest.mark.postgres
def test_postgres_migrations_round_trip(postgres_url: str) -> None:
    _round_trip(Database(postgres_url))
