"""Catalog lookups for order help: a product's variants (item ids, options, availability, price) and product types."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import func, select

from commerce.store import get_product
from commerce.tables import ProductRow
from tools.base import Tool, ToolContext, ToolFailure
from tools.views import ProductView


class ProductRequest(BaseModel):
    product_id: str = Field(
        description="The product id, such as '6086499569'. Be careful the product id is different from the item id.",
        min_length=1, max_length=64,
    )


class ProductTypesRequest(BaseModel):
    limit: int = Field(100, ge=1, le=500, description="At most this many product types, by name")


class ProductTypes(BaseModel):
    product_types: dict[str, str] = Field(description="Product name -> product id, e.g. {'T-Shirt': '9523456873'}")
    total: int = Field(description="How many product types the shop has")


def get_product_details(context: ToolContext, request: ProductRequest) -> ProductView:
    with context.db.session() as session:
        product = get_product(session, request.product_id)
    if product is None:
        raise ToolFailure("product_not_found", "product not found")
    return ProductView.of(product)


def list_all_product_types(context: ToolContext, request: ProductTypesRequest) -> ProductTypes:
    with context.db.session() as session:
        total = session.scalar(select(func.count()).select_from(ProductRow)) or 0
        rows = session.execute(select(ProductRow.title, ProductRow.id).order_by(ProductRow.title).limit(request.limit))
        return ProductTypes(product_types={title: product_id for title, product_id in rows}, total=total)


PRODUCT_DETAIL_TOOLS: list[Tool[Any, Any]] = [
    Tool(
        "get_product_details",
        "Get a product's variants: item ids, options, availability and price.",
        ProductRequest, get_product_details,
    ),
    Tool(
        "list_all_product_types",
        "List the name and product id of the shop's product types; each has variant items with their own item ids.",
        ProductTypesRequest, list_all_product_types,
    ),
]
