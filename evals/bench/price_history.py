"""`shopassist bench price-history`: the bytes a product-year of price history takes once retention has run.

Two shapes over N products, each a year of points written as the offer-changing paths write them, then folded by
the retention (raw for a week, a point a day to 90 days, a point a week to 400): the demo shop's own year (a
handful of changes a product) and a worst case (three changes every day). Bytes are the price_points table and
its index on a vacuumed SQLite file (or Postgres's pg_total_relation_size with a URL)."""

from __future__ import annotations

import json
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy import delete, func, insert, select, text

from commerce.db import Database
from commerce.demo.events import END
from commerce.demo.price_history import generate_price_history
from commerce.demo.products import generate_products
from commerce.price_retention import Retention, apply_retention
from commerce.tables import PricePointRow

_BATCH = 20_000


def _worst_case(products: int) -> list[dict[str, Any]]:
    rows = []
    for index in range(products):
        for day in range(365, 0, -1):
            for change in range(3):
                price = round(50 + (day * 7 + change * 3 + index) % 40 + 0.99, 2)
                rows.append({"product_id": f"w{index}", "at": END - timedelta(days=day, hours=-6 * change),
                             "price": price, "low": price, "high": price, "in_stock": (day + index) % 30 != 0,
                             "span_days": 0})
    return rows


def _table_bytes(database: Database) -> int:
    with database.engine.connect() as connection:
        if database.engine.dialect.name == "postgresql":
            return int(connection.execute(text("SELECT pg_total_relation_size('price_points')")).scalar() or 0)
        connection.exec_driver_sql("VACUUM")
        page = connection.exec_driver_sql("PRAGMA page_size").scalar() or 0
        pages = connection.exec_driver_sql(
            "SELECT count(*) FROM dbstat WHERE name IN ('price_points', 'ix_price_points_product_at')").scalar()
        return int(page) * int(pages or 0)


def _case(url: str | None, name: str, rows: list[dict[str, Any]], products: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        database = Database(url or f"sqlite:///{Path(folder) / 'history.db'}")
        database.migrate()
        with database.session() as session:
            session.execute(delete(PricePointRow))
            for start in range(0, len(rows), _BATCH):
                session.execute(insert(PricePointRow), rows[start:start + _BATCH])
        started = time.perf_counter()
        with database.session() as session:
            report = apply_retention(session, Retention(), now=END)
        seconds = time.perf_counter() - started
        with database.session() as session:
            kept = session.scalar(select(func.count()).select_from(PricePointRow)) or 0
        stored = _table_bytes(database)
        database.engine.dispose()
    return {"shape": name, "products": products, "points_written": len(rows), "points_kept": kept,
            "points_per_product": round(kept / products, 1), "retention_seconds": round(seconds, 2),
            "folded": report.folded, "dropped": report.dropped, "bytes_per_product_year": round(stored / products),
            "bytes_per_point": round(stored / kept) if kept else 0,
            "gb_per_million_products": round(stored / products * 1_000_000 / 1e9, 2)}


def run(products: int, database_url: str | None, seed: int) -> dict[str, Any]:
    demo = generate_price_history(seed, [item.product for item in generate_products(seed, count=products)])
    cases = [_case(database_url, "demo shop year", demo, products),
             _case(database_url, "3 changes a day", _worst_case(products), products)]
    return {"database": (database_url or "sqlite").split(":", 1)[0], "cases": cases}


def bench_price_history(
    out: Annotated[Path, typer.Option(help="Where to write the JSON report")] = Path(
        "var/reports/bench_price_history.json"),
    products: Annotated[int, typer.Option(min=1, help="Products with a year of history each")] = 2000,
    database_url: Annotated[str, typer.Option(help="An empty database instead of a temporary SQLite; its "
                                                   "price_points table is emptied")] = "",
    seed: Annotated[int, typer.Option(help="Seed of the demo shop's year")] = 7,
) -> None:
    """Bytes per product-year of price history after retention, for the demo shop's year and a worst case."""
    report = run(products, database_url or None, seed)
    typer.echo(f"database: {report['database']}")
    typer.echo(f"{'shape':>16} {'written':>9} {'kept':>8} {'per product':>11} {'bytes/product-year':>18} "
               f"{'GB per 1M products':>18}")
    for case in report["cases"]:
        typer.echo(f"{case['shape']:>16} {case['points_written']:>9,} {case['points_kept']:>8,} "
                   f"{case['points_per_product']:>11} {case['bytes_per_product_year']:>18,} "
                   f"{case['gb_per_million_products']:>18}")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    typer.echo(f"wrote {out}")
