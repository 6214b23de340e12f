"""`search_products`: hybrid product search with parsed and explicit constraints, and a reason for every hit."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from tools.base import Tool, ToolContext
from tools.personalize import record_search, rerank_search
from vectorstore.filters import reasons
from vectorstore.hybrid import Candidate
from vectorstore.query import SearchQuery, Vocabulary, merge_query, parse_query
from vectorstore.service import get_search

KEY_ATTRIBUTES = 4


class SearchProductsInput(BaseModel):
    """Find products in this shop. Put the product words in `query`; constraints go in their own fields."""

    model_config = ConfigDict(extra="forbid")
    query: str = Field("", max_length=300, description="What the shopper wants, e.g. 'waterproof hiking boots'")
    min_price: float | None = Field(None, ge=0, description="Lowest price, e.g. 20")
    max_price: float | None = Field(None, ge=0, description="Highest price, e.g. 120")
    currency: str | None = Field(None, description="Currency of the prices given: 'USD' or 'CNY'")
    brand: list[str] | None = Field(None, description="Any of these brands, e.g. ['Northpeak']")
    colour: list[str] | None = Field(None, description="Any of these colours, e.g. ['red']")
    size: list[str] | None = Field(None, description="Any of these sizes, e.g. ['M'] or ['10']")
    category: str | None = Field(None, description="Category or parent category, e.g. 'Hiking Boots' or 'Shoes'")
    attributes: dict[str, str] | None = Field(None, description="Exact attributes, e.g. {'waterproof': 'yes'}")
    in_stock: bool | None = Field(None, description="true: only products that ship now")
    min_rating: float | None = Field(None, ge=0, le=5, description="e.g. 4")
    exclude: list[str] | None = Field(None, description="Words the product must not have, e.g. ['leather']")
    sort: Literal["relevance", "price_asc", "price_desc", "rating"] | None = None
    limit: int = Field(5, ge=1, le=20)


class ProductHit(BaseModel):
    id: str
    title: str
    price: float
    currency: str
    in_stock: bool
    brand: str
    category: str
    rating: float
    attributes: dict[str, str] = Field(description="Key attributes, e.g. {'material': 'mesh'}")
    reason: str = Field(description="Constraints this product matched, e.g. 'price 89.00 USD within range; in stock'")


class SearchProductsOutput(BaseModel):
    query: SearchQuery = Field(description="The constraints that were applied")
    hits: list[ProductHit]
    note: str = ""


def to_search_query(arguments: SearchProductsInput, vocabulary: Vocabulary | None = None) -> SearchQuery:
    explicit = {
        "price_min": arguments.min_price, "price_max": arguments.max_price, "currency": arguments.currency,
        "brand": arguments.brand, "colour": arguments.colour, "size": arguments.size,
        "category": arguments.category, "attributes": arguments.attributes, "in_stock": arguments.in_stock,
        "min_rating": arguments.min_rating, "exclude": arguments.exclude, "sort": arguments.sort,
    }
    parsed = parse_query(arguments.query, vocabulary)
    return merge_query(parsed, {key: value for key, value in explicit.items() if value is not None})


def order_hits(query: SearchQuery, candidates: list[Candidate]) -> list[Candidate]:
    if query.sort == "price_asc":
        return sorted(candidates, key=lambda c: c.doc.price)
    if query.sort == "price_desc":
        return sorted(candidates, key=lambda c: -c.doc.price)
    if query.sort == "rating":
        return sorted(candidates, key=lambda c: -c.doc.rating)
    return candidates


def hit(candidate: Candidate, query: SearchQuery) -> ProductHit:
    doc = candidate.doc
    return ProductHit(
        id=doc.id, title=doc.title, price=round(doc.price, 2), currency=doc.currency, in_stock=doc.in_stock,
        brand=doc.brand, category=" > ".join(doc.category_path), rating=doc.rating,
        attributes=dict(list(doc.attributes.items())[:KEY_ATTRIBUTES]),
        reason="; ".join(reasons(doc, query) + candidate.reasons) or "matches the words of the query",
    )


def search_products(context: ToolContext, arguments: SearchProductsInput) -> SearchProductsOutput:
    service = get_search(context)
    query = to_search_query(arguments, service.vocabulary())
    # A pool larger than the page lets personal reranking and sorting by price or rating choose among relevant items.
    candidates = rerank_search(context, query, service.products.retrieve(query, k=arguments.limit * 4))
    record_search(context, arguments.query)
    hits = [hit(candidate, query) for candidate in order_hits(query, candidates)[: arguments.limit]]
    note = "" if hits else "No product matches all of these constraints; try relaxing one."
    return SearchProductsOutput(query=query, hits=hits, note=note)


SEARCH_PRODUCTS: Tool[SearchProductsInput, SearchProductsOutput] = Tool(
    name="search_products",
    description="Search this shop's catalog (English or Chinese). Returns products with price, stock and why each "
    "matched. Use for any request to find, browse or compare products.",
    input_model=SearchProductsInput,
    function=search_products,
    discovery=True,
)
