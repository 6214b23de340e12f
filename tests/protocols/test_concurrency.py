"""UCP checkout under concurrency on SQLite, over real HTTP against a live server: the last unit sells once, one
Idempotency-Key pays once (tests/protocols/test_postgres_flow.py runs the same on Postgres)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from commerce.db import Database
from tests.protocols.racing import last_unit_sells_once, live_shop, one_key_pays_once


@pytest.fixture
def served(tmp_path: Path, database: Database) -> Iterator[tuple[str, dict[str, str]]]:
    with live_shop(tmp_path, database) as served:
        yield served


def test_fifty_completes_of_the_last_unit_sell_it_once(served: tuple[str, dict[str, str]],
                                                       database: Database) -> None:
    last_unit_sells_once(*served, database, racers=50)


def test_one_checkout_completed_twice_at_once_with_one_key_makes_one_order(
        served: tuple[str, dict[str, str]], database: Database) -> None:
    one_key_pays_once(*served, database)
