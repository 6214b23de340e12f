"""Throwaway servers for tests: a real Postgres cluster and redis-server when the machine has their binaries."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from serving.cluster import Cluster, free_port, init_postgres, postgres_bin, postgres_service, redis_service

__all__ = ["free_port", "local_cluster", "require", "throwaway_postgres", "throwaway_redis"]


def require(available: bool, what: str) -> None:
    """Skip when `what` is missing here; under CI (CI=true) fail instead: CI must run every test."""
    if available:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{what} is missing on this CI machine (`make system-deps` installs it)")
    pytest.skip(f"{what} is not installed here")


@contextmanager
def local_cluster() -> Iterator[Cluster]:
    cluster = Cluster(Path(tempfile.mkdtemp(prefix="shopassist-servers-")))
    try:
        yield cluster
    finally:
        cluster.down()


@contextmanager
def throwaway_postgres() -> Iterator[str | None]:
    """Yield a SQLAlchemy URL of a fresh cluster, or None when Postgres is not installed."""
    if postgres_bin() is None or (os.geteuid() == 0 and shutil.which("runuser") is None):
        yield None
        return
    with local_cluster() as cluster:
        port = cluster.start(postgres_service(init_postgres("postgres"), free_port())).port
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"


@contextmanager
def throwaway_redis() -> Iterator[str | None]:
    """Yield the URL of a fresh redis-server on a free port, or None when Redis is not installed."""
    if shutil.which("redis-server") is None:
        yield None
        return
    with local_cluster() as cluster:
        yield f"redis://127.0.0.1:{cluster.start(redis_service(free_port())).port}/0"
