"""Our JSONL catalog format: one `Product.model_dump` per line; reading reports bad lines, writing exports."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy.orm import Session

from commerce.importers.report import ImportReport
from commerce.importers.writer import write_products
from commerce.models import Product
from shopassist.errors import describe_error


def export_jsonl(products: Iterable[Product], path: Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for product in products:
            out.write(product.model_dump_json() + "\n")
            count += 1
    return count


def read_jsonl(path: Path, report: ImportReport) -> list[tuple[str, Product]]:
    products = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                products.append((f"line {number}", Product.model_validate_json(line)))
            except ValidationError as error:
                report.reject(f"line {number}", describe_error(error, limit=3))
    return products


def import_jsonl(session: Session, path: Path) -> ImportReport:
    report = ImportReport(format="jsonl", source=str(path))
    write_products(session, read_jsonl(path, report), report)
    return report
