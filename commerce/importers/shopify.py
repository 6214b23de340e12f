"""Shopify's product CSV export: rows sharing a Handle are one product's variants (classic and 2024 headers)."""

from __future__ import annotations

import csv
import html
import re
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy.orm import Session

from commerce.importers.report import ImportReport
from commerce.importers.writer import write_products
from commerce.models import Product, Variant
from shopassist.errors import describe_error

# our field -> accepted header names (lower case): the classic export first, then the 2024 template
COLUMNS = {
    "handle": ("handle", "url handle"),
    "title": ("title",),
    "body": ("body (html)", "description"),
    "vendor": ("vendor",),
    "category": ("product category",),
    "type": ("type",),
    "tags": ("tags",),
    "sku": ("variant sku", "sku"),
    "price": ("variant price", "price"),
    "quantity": ("variant inventory qty", "inventory quantity"),
    "image": ("image src", "product image url"),
    **{f"option{n} {part}": (f"option{n} {part}",) for n in (1, 2, 3) for part in ("name", "value")},
}
CJK = re.compile(r"[\u4e00-\u9fff]")
TAG = re.compile(r"<[^>]+>")


@dataclass
class _Group:
    line: int
    fields: dict[str, str]
    variants: list[Variant] = field(default_factory=list)
    error: str = ""


def _normalise(row: dict[str, str], header: dict[str, str]) -> dict[str, str]:
    return {ours: (row.get(theirs) or "").strip() for ours, theirs in header.items()}


def _header(names: list[str]) -> dict[str, str]:
    lower = {name.strip().lower(): name for name in names}
    return {ours: next(lower[a] for a in aliases if a in lower) for ours, aliases in COLUMNS.items()
            if any(a in lower for a in aliases)}


def _variant(fields: dict[str, str], names: dict[int, str], handle: str, index: int) -> Variant | None:
    """The row's variant, or None for an image-only row; raises ValueError/ValidationError on bad values."""
    if not (fields.get("price") or fields.get("sku") or fields.get("option1 value")):
        return None
    options = {
        names[n]: fields[f"option{n} value"]
        for n in (1, 2, 3)
        if names.get(n) and fields.get(f"option{n} value") and fields[f"option{n} value"] != "Default Title"
    }
    if not fields.get("price"):
        raise ValueError("Variant Price is empty")
    try:
        price, quantity = float(fields["price"]), int(fields.get("quantity") or "0")
    except ValueError as error:
        raise ValueError(f"Variant Price / Inventory Qty: {error}") from None
    return Variant(id=fields.get("sku") or f"{handle}-{index}", options=options, price=price, stock=max(0, quantity))


def read_shopify(path: Path, report: ImportReport) -> list[tuple[str, Product]]:
    groups: dict[str, _Group] = {}
    with path.open(encoding="utf-8-sig", newline="") as handle_file:
        reader = csv.DictReader(handle_file)
        header = _header(list(reader.fieldnames or []))
        if "handle" not in header or "title" not in header:
            report.reject("line 1", "not a Shopify product CSV: needs Handle (or URL handle) and Title columns")
            return []
        start = 2
        for row in reader:
            line, start = start, reader.line_num + 1
            fields = _normalise(row, header)
            handle = fields["handle"]
            if not handle:
                report.reject(f"line {line}", "empty Handle")
                continue
            group = groups.setdefault(handle, _Group(line, fields))
            names = {n: group.fields.get(f"option{n} name", "") for n in (1, 2, 3)}
            try:
                variant = _variant(fields, names, handle, len(group.variants) + 1)
            except (ValueError, ValidationError) as error:
                reason = describe_error(error, limit=3) if isinstance(error, ValidationError) else str(error)
                group.error = group.error or f"line {line}: {reason}"
                continue
            if variant is not None:
                group.variants.append(variant)
            if not group.fields.get("image") and fields.get("image"):
                group.fields["image"] = fields["image"]
    return [item for handle, group in groups.items() if (item := _product(handle, group, report))]


def _product(handle: str, group: _Group, report: ImportReport) -> tuple[str, Product] | None:
    where = f"line {group.line}"
    if group.error:
        report.reject(where, f"product {handle!r} has a bad row at {group.error}")
        return None
    fields = group.fields
    category = [part.strip() for part in fields.get("category", "").split(">") if part.strip()]
    attributes = {key: fields[key] for key in ("type", "tags") if fields.get(key)}
    title = fields.get("title", "")
    try:
        product = Product(
            id=handle,
            title=title,
            description=html.unescape(TAG.sub(" ", fields.get("body", ""))).strip(),
            brand=fields.get("vendor", ""),
            category_path=category or ([fields["type"]] if fields.get("type") else []),
            price=min((variant.price for variant in group.variants), default=-1),
            attributes=attributes,
            image_url=fields.get("image", ""),
            language="zh" if CJK.search(title) else "en",
            variants=group.variants,
        )
    except ValidationError as error:
        reason = describe_error(error, limit=3)
        report.reject(where, reason + ("; no variant rows with a price" if not group.variants else ""))
        return None
    return where, product


def import_shopify(session: Session, path: Path) -> ImportReport:
    report = ImportReport(format="shopify", source=str(path))
    write_products(session, read_shopify(path, report), report)
    return report
