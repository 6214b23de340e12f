"""Writing validated records: conflicts are rejected up front, then everything goes in one transaction."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from commerce.importers.report import ImportReport
from commerce.models import Order, Product, Shopper
from commerce.offer_changes import offers_changed
from commerce.store import order_row, shopper_row, upsert_product
from commerce.tables import ShopperRow, VariantRow

MAX_ID_LENGTH = 64  # products.id / variants.id are String(64): Postgres would refuse longer ids mid-transaction


def write_products(session: Session, products: Sequence[tuple[str, Product]], report: ImportReport) -> list[Product]:
    """Upsert products (each tagged with where it came from); a product id or variant id clash rejects the record.
    Their price history is recorded and their watches evaluated before the import commits."""
    owner = _variant_owners(session, [variant.id for _, product in products for variant in product.variants])
    seen: dict[str, str] = {}
    written = []
    for where, product in products:
        if product.id in seen:
            report.reject(where, f"duplicate product id {product.id!r} (first at {seen[product.id]})")
            continue
        too_long = [i for i in (product.id, *(v.id for v in product.variants)) if len(i) > MAX_ID_LENGTH]
        if too_long:
            report.reject(where, f"id {too_long[0]!r} is longer than {MAX_ID_LENGTH} characters")
            continue
        clash = next((v.id for v in product.variants if owner.get(v.id, product.id) != product.id), None)
        if clash:
            report.reject(where, f"variant id {clash!r} already belongs to product {owner[clash]!r}")
            continue
        seen[product.id] = where
        owner.update({variant.id: product.id for variant in product.variants})
        upsert_product(session, product)
        written.append(product)
    session.flush()
    offers_changed(session, [product.id for product in written])  # in the import's own transaction
    report.loaded["products"] = len(written)
    return written


def _variant_owners(session: Session, variant_ids: list[str], chunk: int = 500) -> dict[str, str]:
    owners: dict[str, str] = {}
    for start in range(0, len(variant_ids), chunk):
        batch = variant_ids[start : start + chunk]
        query = select(VariantRow.id, VariantRow.product_id).where(VariantRow.id.in_(batch))
        owners.update({variant_id: product_id for variant_id, product_id in session.execute(query)})
    return owners


def write_shoppers(session: Session, shoppers: Sequence[Shopper], report: ImportReport) -> None:
    for shopper in shoppers:
        session.merge(shopper_row(shopper))
    session.flush()
    report.loaded["shoppers"] = len(shoppers)


def write_orders(session: Session, orders: Sequence[tuple[str, Order, int]], report: ImportReport) -> None:
    """Upsert orders (where, order, position in its shopper's list); an unknown shopper rejects the order."""
    shopper_ids = {order.shopper_id for _, order, _ in orders}
    known = set(session.scalars(select(ShopperRow.id).where(ShopperRow.id.in_(shopper_ids))))
    count = 0
    for where, order, position in orders:
        if order.shopper_id not in known:
            report.reject(where, f"unknown shopper {order.shopper_id!r}")
            continue
        session.merge(order_row(order, position))
        count += 1
    session.flush()
    report.loaded["orders"] = count
