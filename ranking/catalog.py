"""Catalog facts the ranker needs: candidates per product, per-category price bands, consumables."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy.orm import Session

from commerce.models import Product
from commerce.store import iter_products
from ranking.schemas import Candidate

PRICE_BANDS = 5
# Categories whose products are bought again and again; anything else counts as durable.
CONSUMABLE_WORDS = ("grocery", "food", "coffee", "tea", "snack", "beverage", "drink", "beauty", "personal care",
                    "health", "vitamin", "supplement", "household", "cleaning", "pet food", "baby care", "nutrition",
                    "toiletr", "consumable", "食品", "饮料", "美妆", "日用")


def candidate_from_product(product: Product, relevance: float = 0.0) -> Candidate:
    return Candidate(
        product_id=product.id, relevance=relevance, title=product.title, brand=product.brand,
        category_path=list(product.category_path), price=product.price,
        in_stock=product.in_stock if product.variants else True, attributes=dict(product.attributes),
    )


def category_prefixes(path: list[str]) -> list[str]:
    return [" > ".join(path[: depth + 1]) for depth in range(len(path))]


def is_consumable(candidate: Candidate) -> bool:
    flag = candidate.attributes.get("consumable", "").lower()
    if flag:
        return flag in ("true", "yes", "1")
    text = " ".join(candidate.category_path).lower()
    return any(word in text for word in CONSUMABLE_WORDS)


@dataclass
class Catalog:
    """Every product as a Candidate plus the price-band edges per top-level category."""

    items: dict[str, Candidate]
    band_edges: dict[str, list[float]] = field(default_factory=dict)
    _bands: dict[tuple[str, float], str] = field(default_factory=dict, repr=False)

    @classmethod
    def from_products(cls, products: Iterable[Product]) -> Catalog:
        return cls.from_candidates(candidate_from_product(product) for product in products)

    @classmethod
    def from_candidates(cls, candidates: Iterable[Candidate]) -> Catalog:
        items = {candidate.product_id: candidate for candidate in candidates}
        prices: dict[str, list[float]] = {}
        for item in items.values():
            prices.setdefault(top_category(item), []).append(item.price)
        quantiles = np.linspace(0, 1, PRICE_BANDS + 1)[1:-1]
        edges = {top: [float(q) for q in np.quantile(values, quantiles)] for top, values in prices.items()}
        return cls(items=items, band_edges=edges)

    @classmethod
    def load(cls, session: Session) -> Catalog:
        return cls.from_products(iter_products(session))

    def price_band(self, candidate: Candidate) -> str:
        """'<top category>:<0..4>', the price quintile within its top-level category."""
        top = top_category(candidate)
        key = (top, candidate.price)
        band = self._bands.get(key)
        if band is None:
            edges = self.band_edges.get(top)
            band = f"{top}:{bisect_right(edges, candidate.price) if edges else PRICE_BANDS // 2}"
            self._bands[key] = band
        return band

    def get(self, product_id: str) -> Candidate | None:
        return self.items.get(product_id)


def top_category(candidate: Candidate) -> str:
    return candidate.category_path[0] if candidate.category_path else ""
