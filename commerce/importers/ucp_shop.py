"""A shop in the UCP conformance suite's CSV layout (products, inventory, discounts, promotions, shipping rates,
customers and their saved addresses).

Prices there are in minor units (3500 = 35.00); each product is one variant with the product's id, and its stock is
the inventory quantity (0 when not listed).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy.orm import Session

from commerce.checkout_models import Destination
from commerce.importers.report import ImportReport
from commerce.importers.writer import write_products, write_shoppers
from commerce.models import Product, Shopper, Variant
from commerce.promotions import FREE_SHIPPING
from commerce.tables import DiscountCodeRow, PromotionRow, SavedAddressRow, ShippingRateRow
from shopassist.errors import describe_error

DISCOUNT_KINDS = ("percentage", "fixed_amount")


def _rows(folder: Path, name: str) -> list[dict[str, str]]:
    path = folder / name
    if not path.is_file():
        return []
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _products(folder: Path, report: ImportReport) -> list[tuple[str, Product]]:
    stock = {row["product_id"]: int(row["quantity"]) for row in _rows(folder, "inventory.csv")}
    products = []
    for number, row in enumerate(_rows(folder, "products.csv"), start=2):
        try:
            price = int(row["price"]) / 100
            products.append((f"products.csv line {number}", Product(
                id=row["id"], title=row["title"], price=price, image_url=row.get("image_url") or "",
                variants=[Variant(id=row["id"], price=price, stock=stock.get(row["id"], 0))])))
        except (ValueError, ValidationError) as error:
            reason = describe_error(error) if isinstance(error, ValidationError) else str(error)
            report.reject(f"products.csv line {number}", reason)
    return products


def _shoppers(folder: Path) -> list[Shopper]:
    shoppers = []
    for row in _rows(folder, "customers.csv"):
        first, _, last = row["name"].partition(" ")
        shoppers.append(Shopper(id=row["id"], first_name=first, last_name=last, email=row["email"]))
    return shoppers


def _addresses(folder: Path, shoppers: set[str], report: ImportReport) -> list[SavedAddressRow]:
    rows = []
    for number, row in enumerate(_rows(folder, "addresses.csv"), start=2):
        where = f"addresses.csv line {number}"
        if row.get("customer_id") not in shoppers:
            report.reject(where, f"unknown customer {row.get('customer_id')!r}")
            continue
        try:
            address = Destination(street_address=row["street_address"], city=row["city"], region=row["state"],
                                  postal_code=row["postal_code"], country=row["country"])
        except (KeyError, ValidationError) as error:
            report.reject(where, describe_error(error) if isinstance(error, ValidationError) else f"no {error}")
            continue
        rows.append(SavedAddressRow(id=row["id"], shopper_id=row["customer_id"], position=number,
                                    address=address.model_dump(exclude={"id"}, exclude_defaults=True)))
    return rows


def _promotions(folder: Path, report: ImportReport) -> list[PromotionRow]:
    """Free-shipping promotions (`min_subtotal` in minor units, `eligible_item_ids` a JSON list); others are
    reported, not guessed at."""
    rows = []
    for number, row in enumerate(_rows(folder, "promotions.csv"), start=2):
        where = f"promotions.csv line {number}"
        if row.get("type") != FREE_SHIPPING:
            report.reject(where, f"unsupported promotion type {row.get('type')!r}")
            continue
        try:
            items = json.loads(row["eligible_item_ids"]) if row.get("eligible_item_ids") else []
            threshold = int(row["min_subtotal"]) if row.get("min_subtotal") else None
        except ValueError as error:
            report.reject(where, str(error))
            continue
        if not isinstance(items, list) or (threshold is None and not items):
            report.reject(where, "a promotion needs min_subtotal or a list of eligible_item_ids")
            continue
        rows.append(PromotionRow(id=row["id"], kind=FREE_SHIPPING, min_subtotal=threshold,
                                 item_ids=[str(item) for item in items], title=row.get("description") or row["id"]))
    return rows


def import_ucp_shop(session: Session, folder: Path) -> ImportReport:
    report = ImportReport(format="ucp", source=str(folder))
    write_products(session, _products(folder, report), report)
    shoppers = _shoppers(folder)
    write_shoppers(session, shoppers, report)
    rates = [ShippingRateRow(id=row["id"], country_code=row["country_code"], service_level=row["service_level"],
                             title=row["title"], amount=int(row["price"]))
             for row in _rows(folder, "shipping_rates.csv")]
    codes = [DiscountCodeRow(code=row["code"].upper(), kind=row["type"], value=int(row["value"]),
                             title=row["description"]) for row in _rows(folder, "discounts.csv")
             if row["type"] in DISCOUNT_KINDS]
    promotions = _promotions(folder, report)
    addresses = _addresses(folder, {shopper.id for shopper in shoppers}, report)
    for row in [*rates, *codes, *promotions, *addresses]:
        session.merge(row)
    report.loaded |= {"shipping rates": len(rates), "discount codes": len(codes), "promotions": len(promotions),
                      "saved addresses": len(addresses)}
    return report
