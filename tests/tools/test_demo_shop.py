"""The same order tools, unchanged, on the generated demo shop (same Order model, same policy)."""

from __future__ import annotations

from pathlib import Path

import pytest

from commerce.db import Database
from commerce.demo import generate_shop
from commerce.demo.shop import DemoShop, write_shop
from commerce.models import Order
from shopassist.settings import load_settings
from tools.base import ToolContext, ToolError
from tools.confirm import confirm_action
from tools.deps import Deps
from tools.registry import tool_by_name


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Database, DemoShop]:
    folder: Path = tmp_path_factory.mktemp("demo")
    db = Database(f"sqlite:///{folder / 'shop.db'}")
    db.migrate()
    shop = generate_shop(7)
    with db.session() as session:
        write_shop(session, shop)
    return db, shop


def first(shop: DemoShop, status: str) -> Order:
    return next(order for order in shop.orders if order.status == status)


def act(db: Database, shopper_id: str, name: str, arguments: dict) -> dict | ToolError:
    context = ToolContext(Deps(db, load_settings(env="test")), shopper_id=shopper_id)
    tool = tool_by_name(name)
    assert tool is not None
    proposal = tool.run(context, arguments)
    if isinstance(proposal, ToolError):
        return proposal
    result = confirm_action(context, proposal.action_id).result
    assert result is not None
    return result


def test_cancel_and_return_demo_orders(demo: tuple[Database, DemoShop]) -> None:
    db, shop = demo
    pending, delivered = first(shop, "pending"), first(shop, "delivered")
    cancelled = act(db, pending.shopper_id, "cancel_pending_order",
                    {"order_id": pending.id, "reason": "no longer needed"})
    assert cancelled["status"] == "cancelled" and cancelled["payment_history"][-1]["transaction_type"] == "refund"
    returned = act(db, delivered.shopper_id, "return_delivered_order_items", {
        "order_id": delivered.id, "item_ids": [delivered.lines[0].item_id],
        "payment_method_id": delivered.payments[0].payment_method_id,
    })
    assert returned["status"] == "return requested"


def test_demo_orders_follow_the_same_policy(demo: tuple[Database, DemoShop]) -> None:
    db, shop = demo
    modified = first(shop, "pending (item modified)")
    refused = act(db, modified.shopper_id, "cancel_pending_order", {"order_id": modified.id,
                                                                    "reason": "ordered by mistake"})
    assert isinstance(refused, ToolError) and refused.code == "wrong_status"
    someone_else = next(s.id for s in shop.shoppers if s.id != modified.shopper_id)
    hidden = act(db, someone_else, "modify_pending_order_address", {
        "order_id": first(shop, "pending").id, "address1": "x", "city": "y", "state": "", "country": "z", "zip": "1"})
    assert isinstance(hidden, ToolError) and hidden.code == "order_not_found"


def test_product_types_are_capped_for_a_large_catalog(demo: tuple[Database, DemoShop]) -> None:
    db, shop = demo
    tool = tool_by_name("list_all_product_types")
    assert tool is not None
    listed = tool.run(ToolContext(Deps(db, load_settings(env="test"))), {"limit": 20})
    assert len(listed.product_types) <= 20 and listed.total == len(shop.products)
