"""UCP catalog search (the chat's own hybrid product search) and lookup by product or variant id."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from ucp_sdk.models.schemas.shopping.catalog_lookup import (
    GetProductRequest,
    GetProductResponse,
    LookupRequest,
    LookupResponse,
)
from ucp_sdk.models.schemas.shopping.catalog_search import SearchRequest, SearchResponse
from ucp_sdk.models.schemas.shopping.types.selected_option import SelectedOption

from commerce.models import Product, Variant
from commerce.pricing import minor_units
from commerce.store import get_product, get_products
from commerce.tables import VariantRow
from protocols.ucp.errors import UcpError
from protocols.ucp.http import StoredResponse, ok, parse
from protocols.ucp.profile import CATALOG, response_metadata
from tools.base import ToolContext
from tools.deps import Deps
from tools.search import SearchProductsInput, search_products

MAX_RESULTS = 20
MAX_LOOKUP_IDS = 100


def _money(amount: float, currency: str) -> dict[str, Any]:
    return {"amount": minor_units(amount), "currency": currency}


def _variant(product: Product, variant: Variant, inputs: list[dict[str, str]] | None = None) -> dict[str, Any]:
    title = " / ".join(variant.options.values()) or product.title
    return {"id": variant.id, "title": title, "description": {"plain": product.description or product.title},
            "price": _money(variant.price, product.currency),
            "availability": {"available": variant.available,
                             "status": "in_stock" if variant.available else "out_of_stock"},
            "options": [{"name": name, "label": value} for name, value in variant.options.items()],
            **({"inputs": inputs} if inputs is not None else {})}


def absolute_url(base: str, url: str) -> str:
    """A catalog's own path ('/static/img/rose.svg') as a URL an agent can fetch, under the shop's public base."""
    return url if url.startswith(("https://", "http://")) else f"{base.rstrip('/')}/{url.lstrip('/')}"


def ucp_product(product: Product, base: str, asked: set[str] | None = None) -> dict[str, Any]:
    """`base`: the shop's public URL, for its own images; `asked`: the lookup's ids; each variant then says which
    of them it answers ('exact' or 'featured')."""
    prices = [variant.price for variant in product.variants] or [product.price]
    variants = []
    for number, variant in enumerate(product.variants):
        inputs = None
        if asked is not None:
            inputs = ([{"id": variant.id, "match": "exact"}] if variant.id in asked else []) + (
                [{"id": product.id, "match": "featured"}] if product.id in asked and number == 0 else [])
            if not inputs:
                continue
        variants.append(_variant(product, variant, inputs))
    return {"id": product.id, "title": product.title, "description": {"plain": product.description or product.title},
            "price_range": {"min": _money(min(prices), product.currency), "max": _money(max(prices), product.currency)},
            "categories": [{"value": product.category}] if product.category_path else None,
            "media": [{"type": "image", "url": absolute_url(base, product.image_url)}] if product.image_url else None,
            "options": [{"name": name, "values": [{"label": label} for label in labels]}
                        for name, labels in option_axes(product).items()] or None,
            "variants": variants}


def option_axes(product: Product) -> dict[str, list[str]]:
    """Each option name ('size') with its values in the order the variants give them."""
    axes: dict[str, list[str]] = {}
    for variant in product.variants:
        for name, label in variant.options.items():
            if label not in axes.setdefault(name, []):
                axes[name].append(label)
    return axes


def _matches(variant: Variant, selections: dict[str, str]) -> bool:
    return all(variant.options.get(name) == label for name, label in selections.items())


def featured_variant(product: Product, selected: list[SelectedOption], preferences: list[str]) -> Variant:
    """The variant the selections point at: an available one matching them all, else (UCP relaxation) the
    selections without the options named last in `preferences` first, then without the rest, one at a time."""
    selections = {option.name: option.label for option in selected}
    relax = [name for name in reversed(preferences) if name in selections]
    relax += [name for name in reversed(list(selections)) if name not in relax]
    while True:
        matching = [variant for variant in product.variants if _matches(variant, selections)]
        if matching:
            return next((variant for variant in matching if variant.available), matching[0])
        selections.pop(relax.pop(0))


def detail_options(product: Product, featured: Variant) -> list[dict[str, Any]]:
    """The option axes with, for each value, whether a variant with it (and the featured variant's other
    selections) exists and can be bought."""
    detailed = []
    for name, labels in option_axes(product).items():
        others = {key: value for key, value in featured.options.items() if key != name}
        values = []
        for label in labels:
            candidates = [v for v in product.variants if _matches(v, others | {name: label})]
            values.append({"label": label, "exists": bool(candidates),
                           "available": any(v.available for v in candidates)})
        detailed.append({"name": name, "values": values})
    return detailed


class CatalogApi:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.base = deps.settings.public_base_url

    def search(self, session: Session, raw: bytes) -> StoredResponse:
        request = parse(SearchRequest, raw)
        if not request.query and request.filters is None:
            raise UcpError(400, "invalid_request", "A search needs a query or filters", path="$.query")
        price = request.filters.price if request.filters and request.filters.price else None
        asked_limit = request.pagination.limit if request.pagination else None
        limit = min(asked_limit or 10, MAX_RESULTS)
        found = search_products(ToolContext(self.deps), SearchProductsInput(
            query=(request.query or "")[:300], limit=limit,
            min_price=price.min / 100 if price and price.min is not None else None,
            max_price=price.max / 100 if price and price.max is not None else None))
        # The chat offers the closest products when nothing matches; a catalog search answers with none.
        missing = found.closest_only or (found.kind is not None and found.kind.status == "missing")
        hits = [] if missing else found.hits
        products = get_products(session, [hit.id for hit in hits])
        shown = [ucp_product(products[hit.id], self.base) for hit in hits
                 if hit.id in products and products[hit.id].variants]
        body = {"ucp": response_metadata(CATALOG), "products": shown}
        return ok(SearchResponse.model_validate(body).model_dump(mode="json", exclude_none=True))

    def lookup(self, session: Session, raw: bytes) -> StoredResponse:
        request = parse(LookupRequest, raw)
        if len(request.ids) > MAX_LOOKUP_IDS:
            raise UcpError(400, "request_too_large", f"A lookup takes at most {MAX_LOOKUP_IDS} ids", path="$.ids")
        asked = set(request.ids)
        owners = set(session.scalars(select(VariantRow.product_id).where(VariantRow.id.in_(asked))))
        products = get_products(session, sorted(owners | asked))
        found = [ucp_product(product, self.base, asked) for product in products.values() if product.variants]
        body = {"ucp": response_metadata(CATALOG), "products": found}
        return ok(LookupResponse.model_validate(body).model_dump(mode="json", exclude_none=True))

    def product(self, session: Session, raw: bytes) -> StoredResponse:
        """Not found is an application outcome: HTTP 200 with an error status and a message (UCP catalog REST)."""
        request = parse(GetProductRequest, raw)
        product_id = session.scalar(select(VariantRow.product_id).where(VariantRow.id == request.id)) or request.id
        product = get_product(session, product_id)
        if product is None or not product.variants:
            return ok(UcpError(200, "not_found", f"No product or variant {request.id!r}",
                               severity="unrecoverable").body())
        # A variant asked for by id, else the one the selections point at, is the featured (first) one.
        asked = next((variant for variant in product.variants if variant.id == request.id), None)
        featured = asked or featured_variant(product, request.selected or [], request.preferences or [])
        variants = sorted(product.variants, key=lambda variant: variant.id != featured.id)
        detail = ucp_product(product.model_copy(update={"variants": variants}), self.base)
        if featured.options:
            detail |= {"selected": [{"name": name, "label": label} for name, label in featured.options.items()],
                       "options": detail_options(product, featured)}
        body = {"ucp": response_metadata(CATALOG), "product": detail}
        return ok(GetProductResponse.model_validate(body).model_dump(mode="json", exclude_none=True))
