"""τ-bench retail records <-> our store: read the τ JSON files, and export our store back in τ's record shape."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from commerce.db import Database
from commerce.models import Address, Fulfilment, Order, OrderLine, Payment, PaymentMethod, Product, Shopper, Variant
from commerce.store import (
    ORDER_DETAIL_FIELDS,
    get_products,
    order_from_row,
    order_row,
    product_rows,
    shopper_from_row,
    shopper_row,
)
from commerce.tables import OrderRow, ShopperRow

Records = dict[str, dict[str, dict[str, Any]]]  # "orders" | "users" | "products" -> id -> τ record
Snapshot = dict[str, dict[str, Any]]  # same kinds -> id -> raw stored row
# τ only says whether a variant is available; the fallback loader gives available variants this stock.
AVAILABLE_STOCK = 100


def read_tau(folder: Path) -> Records:
    return {kind: json.loads((folder / f"{kind}.json").read_text()) for kind in ("orders", "users", "products")}


def _product(record: dict[str, Any]) -> Product:
    variants = [
        Variant(id=v["item_id"], options=v["options"], price=v["price"], stock=AVAILABLE_STOCK if v["available"] else 0)
        for v in record["variants"].values()
    ]
    return Product(id=record["product_id"], title=record["name"], price=min(v.price for v in variants),
                   variants=variants)


def _shopper(user_id: str, record: dict[str, Any]) -> Shopper:
    return Shopper(
        id=user_id, first_name=record["name"]["first_name"], last_name=record["name"]["last_name"],
        email=record["email"], address=Address(**record["address"]),
        payment_methods=[PaymentMethod(**method) for method in record["payment_methods"].values()],
    )


def _order(record: dict[str, Any]) -> Order:
    return Order(
        id=record["order_id"], shopper_id=record["user_id"], address=Address(**record["address"]),
        lines=[OrderLine(**item) for item in record["items"]], status=record["status"],
        payments=[Payment(**payment) for payment in record["payment_history"]],
        fulfilments=[Fulfilment(**fulfilment) for fulfilment in record["fulfillments"]],
    )


def load_tau_records(db: Database, folder: Path) -> None:
    """Stand-in loader until commerce.importers.tau lands; same mapping (τ `available` <=> stock > 0)."""
    data = read_tau(folder)
    with db.session() as session:
        for record in data["products"].values():
            row, variants = product_rows(_product(record))
            session.add(row)
            session.add_all(variants)
        session.add_all(shopper_row(_shopper(user_id, record)) for user_id, record in data["users"].items())
        session.flush()
        session.add_all(order_row(_order(record), position) for position, record in enumerate(data["orders"].values()))


def order_record(order: Order) -> dict[str, Any]:
    record: dict[str, Any] = {
        "order_id": order.id, "user_id": order.shopper_id, "address": order.address.model_dump(),
        "items": [line.model_dump() for line in order.lines],
        "fulfillments": [fulfilment.model_dump() for fulfilment in order.fulfilments], "status": order.status,
        "payment_history": [payment.model_dump() for payment in order.payments],
    }
    return record | {name: getattr(order, name) for name in ORDER_DETAIL_FIELDS if getattr(order, name) is not None}


def user_record(shopper: Shopper, order_ids: list[str]) -> dict[str, Any]:
    methods = {method.id: method.model_dump(exclude_defaults=True) | {"id": method.id, "source": method.source}
               for method in shopper.payment_methods}
    return {
        "name": {"first_name": shopper.first_name, "last_name": shopper.last_name},
        "address": shopper.address.model_dump() if shopper.address else None, "email": shopper.email,
        "payment_methods": methods, "orders": order_ids,
    }


def product_record(product: Product) -> dict[str, Any]:
    return {
        "name": product.title, "product_id": product.id,
        "variants": {v.id: {"item_id": v.id, "options": v.options, "available": v.available, "price": v.price}
                     for v in product.variants},
    }


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
        users[row.id] = user_record(shopper_from_row(row), list(session.scalars(order_ids)))
    products = get_products(session, only["products"]).values()
    return {
        "orders": {order.id: order_record(order) for order in orders},
        "users": users,
        "products": {product.id: product_record(product) for product in products},
    }
