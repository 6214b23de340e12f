"""`shopassist export acp-feed` through the real CLI: products.jsonl and metadata.json in the ACP 2026-04-17 feed
shapes, priced in minor units from the catalog, with each variant's availability."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from commerce.db import Database
from commerce.models import Product, Variant
from commerce.store import upsert_product
from protocols.acp.feed import FeedMetadata, FeedProduct
from shopassist.cli import app
from shopassist.settings import get_settings
from tests.checkout_shop import HOODIE, ITEMS, LAST_ONE, OUT_OF_STOCK, seed_checkout_shop


def test_the_catalog_as_a_feed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    database = Database(f"sqlite:///{tmp_path / 'var' / 'shop.db'}")
    database.migrate()
    seed_checkout_shop(database)
    with database.session() as session:
        upsert_product(session, Product(
            id="tee", title="Classic Tee", description="Cotton tee.", brand="Acme", category_path=["Apparel", "Tops"],
            price=12.0, image_url="https://cdn.example/tee.jpg",
            variants=[Variant(id="tee_red_s", options={"color": "red", "size": "S"}, price=12.0, stock=40),
                      Variant(id="tee_blue_m", options={"color": "blue", "size": "M"}, price=14.5, stock=3)]))
    monkeypatch.setenv("SHOPASSIST_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("SHOPASSIST_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    out = tmp_path / "feed"
    try:
        result = CliRunner().invoke(app, ["export", "acp-feed", "--out", str(out), "--seller", "Flower Shop",
                                          "--target-country", "us", "--product-url",
                                          "https://shop.example/p/{product_id}?v={variant_id}"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "wrote 7 products" in result.output

    products = {row["id"]: FeedProduct.model_validate(row)
                for row in map(json.loads, (out / "products.jsonl").read_text(encoding="utf-8").splitlines())}
    assert set(products) == {item[0] for item in ITEMS} | {HOODIE.id, "tee"}
    tee = products["tee"]
    assert tee.url == "https://shop.example/p/tee?v=" and tee.media[0].url == "https://cdn.example/tee.jpg"
    red, blue = tee.variants
    assert (red.id, red.title, red.price.amount, red.price.currency) == ("tee_red_s", "Classic Tee / red / S", 1200,
                                                                        "USD")
    assert red.url == "https://shop.example/p/tee?v=tee_red_s"
    assert [(o.name, o.value) for o in red.variant_options] == [("color", "red"), ("size", "S")]
    assert red.categories[0].value == "Apparel > Tops" and red.seller is not None and red.seller.name == "Flower Shop"
    assert (red.availability.status, blue.availability.status, blue.price.amount) == ("in_stock", "limited_stock",
                                                                                      1450)
    sold_out = products[OUT_OF_STOCK].variants[0].availability
    assert not sold_out.available and sold_out.status == "out_of_stock"
    assert products["orchid_white"].variants[0].id == LAST_ONE

    metadata = FeedMetadata.model_validate_json((out / "metadata.json").read_text(encoding="utf-8"))
    assert metadata.target_country == "US" and metadata.id.startswith("feed_")
