"""The ACP 2026-04-17 product feed from the catalog: `products.jsonl` (one Product a line, its purchasable variants
inside) and `metadata.json` (FeedMetadata), the spec's file-ingestion format. Models follow the spec's feed schema
(schema.feed.json); it has no brand or inventory-count field, so neither is written."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from commerce.db import Database
from commerce.models import Product, Variant
from commerce.pricing import minor_units
from commerce.store import iter_products

LIMITED_STOCK = 5  # at or below this many units a variant is 'limited_stock'


class FeedModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Description(FeedModel):
    plain: str


class Price(FeedModel):
    amount: int = Field(ge=0, description="Minor units")
    currency: str = Field(pattern=r"^[A-Z]{3}$")


class Availability(FeedModel):
    available: bool
    status: Literal["in_stock", "limited_stock", "out_of_stock"]


class Category(FeedModel):
    value: str = Field(description="e.g. 'Shoes > Running'")
    taxonomy: Literal["merchant"] = "merchant"


class VariantOption(FeedModel):
    name: str
    value: str


class Media(FeedModel):
    type: Literal["image"] = "image"
    url: str
    alt_text: str | None = None


class Seller(FeedModel):
    name: str


class FeedVariant(FeedModel):
    id: str
    title: str
    description: Description | None = None
    url: str | None = None
    price: Price
    availability: Availability
    categories: list[Category] = Field(default_factory=list)
    variant_options: list[VariantOption] = Field(default_factory=list)
    media: list[Media] = Field(default_factory=list)
    seller: Seller | None = None


class FeedProduct(FeedModel):
    id: str
    title: str
    description: Description | None = None
    url: str | None = None
    media: list[Media] = Field(default_factory=list)
    variants: list[FeedVariant] = Field(min_length=1)


class FeedMetadata(FeedModel):
    id: str
    target_country: str | None = Field(None, pattern=r"^[A-Z]{2}$")
    updated_at: datetime


def _availability(stock: int) -> Availability:
    if stock <= 0:
        return Availability(available=False, status="out_of_stock")
    return Availability(available=True, status="limited_stock" if stock <= LIMITED_STOCK else "in_stock")


def _url(template: str | None, product: Product, variant: Variant | None = None) -> str | None:
    """`template` has {product_id} and may have {variant_id}, e.g. 'https://shop.example/p/{product_id}'."""
    if template is None:
        return None
    return template.format(product_id=product.id, variant_id=variant.id if variant else "")


def feed_product(product: Product, seller: str, url_template: str | None = None) -> FeedProduct:
    """A product without variants is offered as one variant of its own id, price and stock."""
    variants = product.variants or [Variant(id=product.id, price=product.price, stock=0)]
    description = Description(plain=product.description) if product.description else None
    media = [Media(url=product.image_url, alt_text=product.title)] if product.image_url else []
    categories = [Category(value=product.category)] if product.category_path else []
    return FeedProduct(
        id=product.id, title=product.title, description=description, url=_url(url_template, product), media=media,
        variants=[FeedVariant(
            id=variant.id, title=" / ".join([product.title, *variant.options.values()]), description=description,
            url=_url(url_template, product, variant),
            price=Price(amount=minor_units(variant.price), currency=product.currency.upper()),
            availability=_availability(variant.stock), categories=categories,
            variant_options=[VariantOption(name=name, value=value) for name, value in variant.options.items()],
            media=media, seller=Seller(name=seller)) for variant in variants])


def write_feed(products: Iterable[Product], out: Path, seller: str, target_country: str | None = None,
               url_template: str | None = None, now: datetime | None = None) -> FeedMetadata:
    """Write both files into `out`; the feed's id is stable for one seller and country."""
    out.mkdir(parents=True, exist_ok=True)
    with (out / "products.jsonl").open("w", encoding="utf-8") as lines:
        for product in products:
            feed = feed_product(product, seller, url_template)
            lines.write(json.dumps(feed.model_dump(mode="json", exclude_none=True), ensure_ascii=False) + "\n")
    feed_id = "feed_" + hashlib.sha256(f"{seller}:{target_country or ''}".encode()).hexdigest()[:12]
    metadata = FeedMetadata(id=feed_id, target_country=target_country, updated_at=now or datetime.now(UTC))
    (out / "metadata.json").write_text(json.dumps(metadata.model_dump(mode="json", exclude_none=True), indent=2),
                                       encoding="utf-8")
    return metadata


def export_catalog(db: Database, out: Path, seller: str, target_country: str | None = None,
                   url_template: str | None = None) -> int:
    """The whole catalog as a feed; returns how many products were written."""
    count = 0

    def counted(products: Iterable[Product]) -> Iterable[Product]:
        nonlocal count
        for product in products:
            count += 1
            yield product

    with db.session() as session:
        write_feed(counted(iter_products(session)), out, seller, target_country, url_template)
    return count
