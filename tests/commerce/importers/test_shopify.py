"""Shopify product CSV import: Handle groups variants, image rows are skipped, bad rows reject their product."""

from __future__ import annotations

import csv
from pathlib import Path

from commerce.db import Database
from commerce.importers.shopify import import_shopify
from commerce.store import get_product

CLASSIC = [
    "Handle", "Title", "Body (HTML)", "Vendor", "Product Category", "Type", "Tags", "Published",
    "Option1 Name", "Option1 Value", "Option2 Name", "Option2 Value", "Option3 Name", "Option3 Value",
    "Variant SKU", "Variant Grams", "Variant Inventory Tracker", "Variant Inventory Qty", "Variant Inventory Policy",
    "Variant Fulfillment Service", "Variant Price", "Variant Compare At Price", "Image Src", "Image Position", "Status",
]


def _write(path: Path, header: list[str], rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    return path


def _shirt_rows() -> list[dict[str, str]]:
    first = {
        "Handle": "trail-shirt", "Title": "Trail Shirt", "Body (HTML)": "<p>Quick-dry <b>merino</b> &amp; nylon</p>",
        "Vendor": "Northpeak", "Product Category": "Apparel & Accessories > Clothing > Shirts", "Type": "Shirts",
        "Tags": "hiking, merino", "Option1 Name": "Size", "Option1 Value": "S", "Option2 Name": "Color",
        "Option2 Value": "Blue", "Variant SKU": "TS-S-B", "Variant Inventory Qty": "4", "Variant Price": "39.00",
        "Image Src": "https://cdn.example.com/ts.jpg",
    }
    second = {"Handle": "trail-shirt", "Option1 Value": "M", "Option2 Value": "Blue", "Variant SKU": "TS-M-B",
              "Variant Inventory Qty": "0", "Variant Price": "41.00"}
    image_only = {"Handle": "trail-shirt", "Image Src": "https://cdn.example.com/ts-2.jpg", "Image Position": "2"}
    return [first, second, image_only]


def test_classic_export_loads_products_and_reports_bad_rows(database: Database, tmp_path: Path) -> None:
    rows = _shirt_rows() + [
        {"Handle": "gift-card", "Title": "Gift Card", "Option1 Name": "Title", "Option1 Value": "Default Title",
         "Variant Price": "25", "Vendor": "Shop"},                                      # line 5
        {"Handle": "mug", "Title": "Mug", "Option1 Name": "Color", "Option1 Value": "Red", "Variant Price": "9"},
        {"Handle": "mug", "Option1 Value": "Blue", "Variant Price": "abc"},           # line 7: bad price
        {"Handle": "no-title", "Option1 Name": "Title", "Option1 Value": "Default Title", "Variant Price": "5"},
        {"Handle": "茶", "Title": "云南普洱茶", "Option1 Name": "Title", "Option1 Value": "Default Title",
         "Variant Price": "18.5", "Variant Inventory Qty": "-2"},                        # line 9
    ]
    path = _write(tmp_path / "products_export.csv", CLASSIC, rows)
    with database.session() as session:
        report = import_shopify(session, path)
    assert report.loaded == {"products": 3}
    reasons = {rejection.where: rejection.reason for rejection in report.rejected}
    assert set(reasons) == {"line 6", "line 8"}
    assert "line 7" in reasons["line 6"] and "could not convert string to float: 'abc'" in reasons["line 6"]
    assert "title" in reasons["line 8"]
    with database.session() as session:
        shirt, card, tea = (get_product(session, h) for h in ("trail-shirt", "gift-card", "茶"))
        assert get_product(session, "mug") is None
    assert shirt and shirt.title == "Trail Shirt" and shirt.brand == "Northpeak" and shirt.price == 39.0
    assert shirt.description == "Quick-dry  merino  & nylon"
    assert shirt.category_path == ["Apparel & Accessories", "Clothing", "Shirts"]
    assert [(v.id, v.options, v.stock) for v in shirt.variants] == [
        ("TS-S-B", {"Size": "S", "Color": "Blue"}, 4), ("TS-M-B", {"Size": "M", "Color": "Blue"}, 0)]
    assert shirt.image_url == "https://cdn.example.com/ts.jpg" and shirt.attributes["tags"] == "hiking, merino"
    assert card and card.variants[0].options == {} and card.variants[0].id == "gift-card-1"
    assert tea and tea.language == "zh" and tea.variants[0].stock == 0


def test_2024_template_headers_are_understood(database: Database, tmp_path: Path) -> None:
    header = ["Title", "URL handle", "Description", "Vendor", "Product category", "Type", "Tags", "Option1 name",
              "Option1 value", "SKU", "Price", "Inventory quantity", "Product image URL"]
    rows = [{"Title": "Desk Lamp", "URL handle": "desk-lamp", "Description": "LED lamp", "Vendor": "Lumen",
             "Type": "Lamps", "Option1 name": "Finish", "Option1 value": "Brass", "SKU": "DL-1", "Price": "59.5",
             "Inventory quantity": "7", "Product image URL": "/img/lamp.jpg"}]
    with database.session() as session:
        report = import_shopify(session, _write(tmp_path / "new.csv", header, rows))
    assert report.loaded == {"products": 1} and not report.rejected
    with database.session() as session:
        lamp = get_product(session, "desk-lamp")
    assert lamp and lamp.category_path == ["Lamps"] and lamp.variants[0].options == {"Finish": "Brass"}


def test_a_file_without_shopify_columns_is_rejected(database: Database, tmp_path: Path) -> None:
    path = _write(tmp_path / "other.csv", ["name", "price"], [{"name": "x", "price": "1"}])
    with database.session() as session:
        report = import_shopify(session, path)
    assert report.loaded == {"products": 0} and "Handle" in report.rejected[0].reason
