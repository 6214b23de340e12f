"""Our store seen as τ-bench retail records: raw snapshots to spot changed rows, and export in τ's record shape
(the inverse mapping lives with the importer, commerce.importers.tau)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from commerce.importers.tau import order_to_tau, product_to_tau, shopper_to_tau
from commerce.store import get_products, order_from_row, shopper_from_row
from commerce.tables import OrderRow, ShopperRow

Records = dict[str, dict[str, dict[str, Any]]]  # "orders" | "users" | "products" -> id -> τ record
Snapshot = dict[str, dict[str, Any]]  # same kinds -> id -> raw stored row


def read_tau(folder: Path) -> Records:
    return {kind: json.loads((folder / f"{kind}.json").read_text()) for kind in ("orders", "users", "products")}


def raw_snapshot(session: Session) -> Snapshot:
    """Every order, shopper and product as its raw stored columns, cheap enough to take after each task."""
    variants: dict[str, list[tuple[Any, ...]]] = {}
    for row in session.execute(text("SELECT * FROM variants ORDER BY id")):
        variants.setdefault(row.product_id, []).append(tuple(row))
    products = session.execute(text("SELECT * FROM products"))
    return {
        "orders": {row.id: tuple(row) for row in session.execute(text("SELECT * FROM orders"))},
        "users": {row.id: tuple(row) for row in session.execute(text("SELECT * FROM shoppers"))},
        "products": {row.id: (tuple(row), tuple(variants.get(row.id, []))) for row in products},
    }


def export_tau(session: Session, only: dict[str, set[str]]) -> Records:
    """These records of our store in τ's record shape, to compare with τ's expected states."""
    orders = [order_from_row(row) for row in session.scalars(select(OrderRow).where(OrderRow.id.in_(only["orders"])))]
    users = {}
    for row in session.scalars(select(ShopperRow).where(ShopperRow.id.in_(only["users"]))):
        order_ids = select(OrderRow.id).where(OrderRow.shopper_id == row.id).order_by(OrderRow.position, OrderRow.id)
        users[row.id] = shopper_to_tau(shopper_from_row(row), list(session.scalars(order_ids)))
    products = get_products(session, only["products"]).values()
    return {
        "orders": {order.id: order_to_tau(order) for order in orders},
        "users": users,
        "products": {product.id: product_to_tau(product) for product in products},
    }
