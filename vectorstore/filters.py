"""Hard constraints of a SearchQuery as a numpy mask over the catalog table, plus the per-hit explanation."""

from __future__ import annotations

import numpy as np

from vectorstore.catalog import CatalogTable, affirms, exclusion_text
from vectorstore.documents import ProductDoc
from vectorstore.query import SearchQuery

# Fixed display rates for prices a shopper states in another currency than the catalog's (USD per unit).
USD_PER_UNIT = {"USD": 1.0, "CNY": 0.14, "EUR": 1.08, "GBP": 1.27}


def price_bounds(query: SearchQuery, catalog_currency: str = "USD") -> tuple[float | None, float | None]:
    rate = USD_PER_UNIT.get((query.currency or catalog_currency).upper(), 1.0) / USD_PER_UNIT.get(catalog_currency, 1.0)
    low = None if query.price_min is None else query.price_min * rate
    high = None if query.price_max is None else query.price_max * rate
    return low, high


def build_mask(table: CatalogTable, query: SearchQuery) -> np.ndarray:
    """Rows that satisfy every structured constraint; `exclude` is checked per hit (it needs the text)."""
    mask = table.alive.copy()
    low, high = price_bounds(query)
    if low is not None:
        mask &= table.price >= low - 1e-9
    if high is not None:
        mask &= table.price <= high + 1e-9
    if query.in_stock:
        mask &= table.in_stock
    if query.min_rating is not None:
        mask &= table.rating >= query.min_rating
    for facet, values in (("brand", query.brand), ("colour", query.colour), ("size", query.size)):
        if values:
            mask &= table.facet_rows(facet, values)
    if query.category:
        mask &= table.facet_rows("category", [query.category])
    for key, value in query.attributes.items():
        mask &= table.facet_rows(f"attr:{key.lower()}", [value])
    return mask


def excluded(doc: ProductDoc, query: SearchQuery) -> bool:
    if not query.exclude:
        return False
    text = exclusion_text(doc)
    return any(affirms(text, term) for term in query.exclude)


def reasons(doc: ProductDoc, query: SearchQuery) -> list[str]:
    """The constraints this hit satisfies, in words the agent can repeat to the shopper."""
    out: list[str] = []
    if query.price_min is not None or query.price_max is not None:
        out.append(f"price {doc.price:.2f} {doc.currency} within range")
    if query.brand:
        out.append(f"brand {doc.brand}")
    if query.colour:
        out.append("colour " + "/".join(sorted(set(query.colour) & doc.colours)))
    if query.size:
        out.append("size " + "/".join(sorted({s.lower() for s in query.size} & {s.lower() for s in doc.sizes})))
    if query.category:
        out.append(f"in {' > '.join(doc.category_path)}")
    out.extend(f"{key}: {doc.attributes.get(key.lower(), value)}" for key, value in query.attributes.items())
    if query.in_stock:
        out.append("in stock")
    if query.min_rating is not None:
        out.append(f"rated {doc.rating:.1f}")
    if query.exclude:
        out.append("no " + "/".join(term for term in query.exclude if term.isascii()))
    return out
