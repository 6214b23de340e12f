"""The recommend_products tool: shopper from the session, typed errors, reasons on every item."""

from __future__ import annotations

import pytest

from commerce.db import Database
from commerce.tables import CartRow
from ranking.profile_store import rebuild_profiles
from shopassist.settings import Settings
from tests.ranking.factories import load_shop, make_shop
from tools.base import ToolContext, ToolError
from tools.deps import Deps
from tools.recommend import RecommendOutput
from tools.registry import tool_by_name


@pytest.fixture
def context(database: Database, tmp_settings: Settings) -> ToolContext:
    load_shop(database, make_shop())
    rebuild_profiles(database, tmp_settings.profile_half_life_days)
    return ToolContext(Deps(database, tmp_settings), shopper_id="trail_fan_1")


def run(context: ToolContext, **arguments: object) -> RecommendOutput | ToolError:
    tool = tool_by_name("recommend_products")
    assert tool is not None
    return tool.run(context, arguments)


def test_for_you_is_personal_and_explained(context: ToolContext) -> None:
    result = run(context, mode="for_you", limit=5)
    assert isinstance(result, RecommendOutput) and result.personalized
    assert len(result.items) == 5 and all(item.reason for item in result.items)


def test_shopper_id_cannot_come_from_arguments(context: ToolContext) -> None:
    result = run(context, mode="for_you", shopper_id="camper_2")
    assert isinstance(result, ToolError) and result.code == "invalid_arguments"


def test_guest_gets_popular_items(context: ToolContext) -> None:
    context.shopper_id = None
    result = run(context, mode="for_you", category="Tents", limit=3)
    assert isinstance(result, RecommendOutput) and not result.personalized
    assert all(item.category.endswith("Tents") and item.reason == "popular in Tents" for item in result.items)


def test_product_modes_validate_the_product(context: ToolContext) -> None:
    missing = run(context, mode="similar")
    unknown = run(context, mode="bought_together", product_id="nope")
    assert isinstance(missing, ToolError) and missing.code == "missing_product"
    assert isinstance(unknown, ToolError) and unknown.code == "unknown_product"
    together = run(context, mode="bought_together", product_id="tents-0", limit=2)
    assert isinstance(together, RecommendOutput) and together.items[0].signal == "co_purchase"


def test_complete_cart_reads_the_shoppers_cart(context: ToolContext) -> None:
    assert isinstance(empty := run(context, mode="complete_cart"), ToolError) and empty.code == "empty_cart"
    with context.db.session() as session:
        session.add(CartRow(shopper_id="trail_fan_1",
                            lines=[{"product_id": "tents-0", "item_id": "tents-0-v", "quantity": 1}]))
    result = run(context, mode="complete_cart", limit=3)
    assert isinstance(result, RecommendOutput)
    assert result.items[0].product_id.startswith("stoves")
    assert result.items[0].reason == "often bought with Alpha Tents 0"
