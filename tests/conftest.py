"""Shared fixtures: temp settings, a migrated throwaway SQLite database, real Postgres and Redis when available."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from commerce.db import Database
from shopassist.settings import Settings, load_settings
from tests.servers import throwaway_postgres, throwaway_redis


@pytest.fixture
def tmp_settings(tmp_path: Path) -> Settings:
    return load_settings(data_dir=tmp_path / "var", env="test")


@pytest.fixture
def database(tmp_path: Path) -> Database:
    db = Database(f"sqlite:///{tmp_path / 'shop.db'}")
    db.migrate()
    return db


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """SHOPASSIST_TEST_POSTGRES_URL if set, else a throwaway local cluster, else skip."""
    configured = os.environ.get("SHOPASSIST_TEST_POSTGRES_URL")
    if configured:
        yield configured
        return
    with throwaway_postgres() as url:
        if url is None:
            pytest.skip("no Postgres here: set SHOPASSIST_TEST_POSTGRES_URL or install postgresql")
        yield url


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """SHOPASSIST_TEST_REDIS_URL if set, else a throwaway local redis-server, else skip."""
    configured = os.environ.get("SHOPASSIST_TEST_REDIS_URL")
    if configured:
        yield configured
        return
    with throwaway_redis() as url:
        if url is None:
            pytest.skip("no Redis here: set SHOPASSIST_TEST_REDIS_URL or install redis-server")
        yield url
