"""A shop in the UCP conformance suite's CSV layout (products, inventory, discounts, shipping rates, customers).

Prices there are in minor units (3500 = 35.00); each product is one variant with the product's id, and its stock is
the inventory quantity (0 when not listed).
"""

from __future__ import annotations

import csv
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy.orm import Session

from commerce.importers.report import ImportReport
from commerce.importers.writer import write_products, write_shoppers
from commerce.models import Product, Shopper, Variant
from commerce.tables import DiscountCodeRow, ShippingRateRow
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


def import_ucp_shop(session: Session, folder: Path) -> ImportReport:
    report = ImportReport(format="ucp", source=str(folder))
    write_products(session, _products(folder, report), report)
    write_shoppers(session, _shoppers(folder), report)
    rates = [ShippingRateRow(id=row["id"], country_code=row["country_code"], service_level=row["service_level"],
                             title=row["title"], amount=int(row["price"]))
             for row in _rows(folder, "shipping_rates.csv")]
    codes = [DiscountCodeRow(code=row["code"].upper(), kind=row["type"], value=int(row["value"]),
                             title=row["description"]) for row in _rows(folder, "discounts.csv")
             if row["type"] in DISCOUNT_KINDS]
    for row in [*rates, *codes]:
        session.merge(row)
    report.loaded |= {"shipping rates": len(rates), "discount codes": len(codes)}
    return report
