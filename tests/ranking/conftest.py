"""Fixtures for the ranking tests: the synthetic shop in a migrated database, with profiles built."""

from __future__ import annotations

import pytest

from commerce.db import Database
from ranking.catalog import Catalog
from ranking.profile_store import rebuild_profiles
from ranking.service import Ranker
from tests.ranking.factories import SyntheticShop, load_shop, make_shop

HALF_LIFE = 30.0


@pytest.fixture
def shop() -> SyntheticShop:
    return make_shop()


@pytest.fixture
def catalog(shop: SyntheticShop) -> Catalog:
    return Catalog.from_products(shop.products)


@pytest.fixture
def shop_db(database: Database, shop: SyntheticShop) -> Database:
    load_shop(database, shop)
    rebuild_profiles(database, HALF_LIFE)
    return database


@pytest.fixture
def ranker(shop_db: Database) -> Ranker:
    return Ranker(shop_db, HALF_LIFE)
