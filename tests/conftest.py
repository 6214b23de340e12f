"""Shared fixtures: temp settings, a migrated throwaway SQLite database, real Postgres and Redis when available."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest

from commerce.db import Database
from shopassist.settings import Settings, load_settings
from tests.servers import require, throwaway_postgres, throwaway_redis


@pytest.fixture
def tmp_settings(tmp_path: Path) -> Settings:
    return load_settings(data_dir=tmp_path / "var", env="test")


@pytest.fixture
def database(tmp_path: Path) -> Database:
    db = Database(f"sqlite:///{tmp_path / 'shop.db'}")
    db.migrate()
    return db


def _server_url(variable: str, throwaway: Callable[[], AbstractContextManager[str | None]], what: str) -> Iterator[str]:
    configured = os.environ.get(variable)
    if configured:
        yield configured
        return
    with throwaway() as url:
        require(url is not None, f"{what} (or {variable})")
        yield url


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """SHOPASSIST_TEST_POSTGRES_URL if set, else a throwaway local cluster, else skip (fail under CI)."""
    yield from _server_url("SHOPASSIST_TEST_POSTGRES_URL", throwaway_postgres, "Postgres")


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """SHOPASSIST_TEST_REDIS_URL if set, else a throwaway local redis-server, else skip (fail under CI)."""
    yield from _server_url("SHOPASSIST_TEST_REDIS_URL", throwaway_redis, "Redis")
