"""τ-bench retail data (products.json, users.json, orders.json) in and out of our models, reversibly.

Mapping (and its inverse, used to reproduce τ-bench's semantics exactly):
- product: `product_id` → Product.id, `name` → title and the one-level category path, variants keep their order;
  price is the lowest variant price (τ has no product price).
- variant: `item_id` → Variant.id, `options`, `price`; `available: true` → stock TAU_AVAILABLE_STOCK (10),
  `available: false` → stock 0. Back: available ⇔ stock > 0 (`Variant.available`).
- user: key → Shopper.id, name, email, address; `payment_methods` (a dict, order kept) → list of PaymentMethod.
  The user's `orders` list is not stored on the shopper: each order row keeps its `position` in that list.
- order: `items` → lines, `payment_history` → payments, `fulfillments` → fulfilments, status as is.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from commerce.importers.report import ImportReport
from commerce.importers.writer import write_orders, write_products, write_shoppers
from commerce.models import Order, PaymentMethod, Product, Shopper, Variant
from commerce.store import ORDER_DETAIL_FIELDS
from shopassist.errors import describe_error

TAU_AVAILABLE_STOCK = 10
FILES = ("products.json", "users.json", "orders.json")


def product_from_tau(raw: dict[str, Any]) -> Product:
    variants = [
        Variant(id=item["item_id"], options=item["options"], price=item["price"],
                stock=TAU_AVAILABLE_STOCK if item["available"] else 0)
        for item in raw["variants"].values()
    ]
    return Product(id=raw["product_id"], title=raw["name"], category_path=[raw["name"]],
                   price=min((v.price for v in variants), default=0.0), variants=variants)


def product_to_tau(product: Product) -> dict[str, Any]:
    return {
        "name": product.title,
        "product_id": product.id,
        "variants": {
            v.id: {"item_id": v.id, "options": dict(v.options), "available": v.available, "price": v.price}
            for v in product.variants
        },
    }


def shopper_from_tau(user_id: str, raw: dict[str, Any]) -> Shopper:
    return Shopper(id=user_id, first_name=raw["name"]["first_name"], last_name=raw["name"]["last_name"],
                   email=raw["email"], address=raw["address"],
                   payment_methods=list(raw["payment_methods"].values()))


def _method_to_tau(method: PaymentMethod) -> dict[str, Any]:
    fields: dict[str, Any] = {"source": method.source, "id": method.id}
    if method.source == "credit_card":
        fields |= {"brand": method.brand, "last_four": method.last_four}
    if method.balance is not None:
        fields["balance"] = method.balance
    return fields


def shopper_to_tau(shopper: Shopper, order_ids: list[str]) -> dict[str, Any]:
    return {
        "name": {"first_name": shopper.first_name, "last_name": shopper.last_name},
        "address": shopper.address.model_dump() if shopper.address else None,
        "email": shopper.email,
        "payment_methods": {method.id: _method_to_tau(method) for method in shopper.payment_methods},
        "orders": order_ids,
    }


def order_from_tau(raw: dict[str, Any]) -> Order:
    details = {name: raw[name] for name in ORDER_DETAIL_FIELDS if name in raw}
    return Order(id=raw["order_id"], shopper_id=raw["user_id"], address=raw["address"], lines=raw["items"],
                 status=raw["status"], payments=raw["payment_history"], fulfilments=raw["fulfillments"], **details)


def order_to_tau(order: Order) -> dict[str, Any]:
    return {
        "order_id": order.id,
        "user_id": order.shopper_id,
        "address": order.address.model_dump(),
        "items": [line.model_dump() for line in order.lines],
        "fulfillments": [fulfilment.model_dump() for fulfilment in order.fulfilments],
        "status": order.status,
        "payment_history": [payment.model_dump() for payment in order.payments],
        **{name: getattr(order, name) for name in ORDER_DETAIL_FIELDS if getattr(order, name) is not None},
    }


def _convert(report: ImportReport, where: str, build: Any, *args: Any) -> Any:
    try:
        return build(*args)
    except ValidationError as error:
        report.reject(where, describe_error(error, limit=3))
    except (KeyError, TypeError, AttributeError) as error:
        report.reject(where, f"malformed record: missing or wrong field {error}")
    return None


def import_tau(session: Session, directory: Path) -> ImportReport:
    report = ImportReport(format="tau", source=str(directory))
    missing = [name for name in FILES if not (directory / name).is_file()]
    if missing:
        report.reject(str(directory), f"missing {', '.join(missing)}")
        return report
    raw_products, raw_users, raw_orders = (json.loads((directory / name).read_text(encoding="utf-8")) for name in FILES)
    products = []
    for key, raw in raw_products.items():
        if product := _convert(report, f"products.json: {key}", product_from_tau, raw):
            products.append((f"products.json: {key}", product))
    write_products(session, products, report)
    shoppers, positions = [], {}
    for key, raw in raw_users.items():
        if shopper := _convert(report, f"users.json: {key}", shopper_from_tau, key, raw):
            shoppers.append(shopper)
            positions.update({order_id: i for i, order_id in enumerate(raw.get("orders", []))})
    write_shoppers(session, shoppers, report)
    orders = []
    for key, raw in raw_orders.items():
        if order := _convert(report, f"orders.json: {key}", order_from_tau, raw):
            orders.append((f"orders.json: {key}", order, positions.get(order.id, 0)))
    write_orders(session, orders, report)
    return report
