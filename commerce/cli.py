"""`shopassist data …`: generate the demo shop, import catalogs, print storage counts."""

from __future__ import annotations

import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from commerce.db import Database
from commerce.store import counts
from shopassist.settings import get_settings

app = typer.Typer(help="Demo shop, catalog import and storage statistics.", no_args_is_help=True)


def open_database() -> Database:
    database = Database(get_settings().sqlalchemy_url)
    database.migrate()
    return database


@app.command()
def stats() -> None:
    """Print row counts per table."""
    with open_database().session() as session:
        for table, count in counts(session).items():
            typer.echo(f"{table:16} {count:>8,}")


class ImportFormat(StrEnum):
    JSONL = "jsonl"
    SHOPIFY = "shopify"
    TAU = "tau"
    UCP = "ucp"


@app.command()
def generate(
    seed: Annotated[int | None, typer.Option(help="Random seed (default: SHOPASSIST_DEMO_SEED)")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing shop")] = False,
) -> None:
    """Generate the demo shop (catalog, policies, shoppers, behaviour, orders, reviews) from a seed."""
    from commerce.demo import clear_shop, generate_shop, shop_exists, write_shop

    seed = get_settings().demo_seed if seed is None else seed
    database = open_database()
    with database.session() as session:
        if shop_exists(session) and not force:
            typer.echo("a shop already exists in this database: pass --force to replace it", err=True)
            raise typer.Exit(1)
    started = time.perf_counter()
    shop = generate_shop(seed)
    with database.session() as session:
        clear_shop(session)
        write_shop(session, shop)
    typer.echo(
        f"demo shop (seed {seed}): {len(shop.products):,} products, {len(shop.passages)} passages, "
        f"{len(shop.shoppers)} shoppers, {len(shop.orders):,} orders, {len(shop.events):,} events, "
        f"{len(shop.reviews):,} reviews in {time.perf_counter() - started:.1f}s"
    )


@app.command("import")
def import_catalog(
    path: Annotated[Path, typer.Argument(exists=True, help="File (jsonl, shopify) or folder (tau, ucp)")],
    format: Annotated[ImportFormat, typer.Option("--format", help="Input format")],
) -> None:
    """Import a catalog: our JSONL schema, a Shopify product CSV export, τ-bench retail JSON files, or a shop in the
    UCP conformance suite's CSV layout (a folder, e.g. ../shared/data/ucp_flower_shop)."""
    from commerce.importers.jsonl import import_jsonl
    from commerce.importers.shopify import import_shopify
    from commerce.importers.tau import import_tau
    from commerce.importers.ucp_shop import import_ucp_shop

    importer = {ImportFormat.JSONL: import_jsonl, ImportFormat.SHOPIFY: import_shopify, ImportFormat.TAU: import_tau,
                ImportFormat.UCP: import_ucp_shop}
    with open_database().session() as session:
        report = importer[format](session, path)
    typer.echo(report.summary())
    if not report.loaded or not any(report.loaded.values()):
        raise typer.Exit(1)


@app.command("retain-prices")
def retain_prices() -> None:
    """Fold price history older than a week into a point a day, older than 90 days into a point a week, and drop
    what is older than 400 days (each product keeps the price a year's window opens with). Run it daily."""
    from commerce.price_retention import Retention, apply_retention

    with open_database().session() as session:
        report = apply_retention(session, Retention())
    typer.echo(f"price history: {report.folded:,} points folded into {report.written:,}, {report.dropped:,} dropped")
