"""`shopassist export acp-feed --out DIR`: the catalog as an ACP product feed (products.jsonl + metadata.json)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from commerce.db import Database
from protocols.acp.feed import export_catalog
from shopassist.settings import get_settings

export_app = typer.Typer(help="Exports of the catalog for other platforms.", no_args_is_help=True)


@export_app.command("acp-feed")
def acp_feed(
    out: Annotated[Path, typer.Option(help="Folder for products.jsonl and metadata.json")],
    seller: Annotated[str, typer.Option(help="The merchant of record's name shown with each offer")] = "shopassist",
    target_country: Annotated[str | None, typer.Option(help="ISO 3166-1 alpha-2 market, e.g. US")] = None,
    product_url: Annotated[str | None, typer.Option(
        help="Product page URL template with {product_id} (and optionally {variant_id}), "
             "e.g. https://shop.example/products/{product_id}")] = None,
) -> None:
    """Write the feed of every product in the configured database."""
    database = Database(get_settings().sqlalchemy_url)
    count = export_catalog(database, out, seller, target_country.upper() if target_country else None, product_url)
    typer.echo(f"wrote {count} products to {out / 'products.jsonl'} and {out / 'metadata.json'}")
