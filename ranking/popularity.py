"""Popularity prior: time-decayed, kind-weighted interaction counts per product, overall and per category."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from commerce.models import BehaviourEvent
from ranking.catalog import Catalog, category_prefixes
from ranking.profiles import EVENT_WEIGHTS
from ranking.schemas import as_utc


@dataclass
class Popularity:
    """`score(product)` in [0, 1]; `top(category)` lists the most popular products under a category prefix."""

    counts: dict[str, float]
    peak: float = 0.0
    by_category: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def fit(cls, events: Iterable[BehaviourEvent], catalog: Catalog, half_life_days: float,
            now: datetime | None = None) -> Popularity:
        events = list(events)
        now = as_utc(now) if now else max((as_utc(event.at) for event in events), default=None)
        counts: dict[str, float] = {}
        for event in events:
            if event.product_id in catalog.items and now is not None:
                age_days = max((now - as_utc(event.at)).total_seconds(), 0.0) / 86400.0
                weight = EVENT_WEIGHTS[event.kind] * 0.5 ** (age_days / half_life_days)
                counts[event.product_id] = counts.get(event.product_id, 0.0) + weight
        by_category: dict[str, list[str]] = {"": []}
        for product_id in sorted(catalog.items, key=lambda p: -counts.get(p, 0.0)):
            by_category[""].append(product_id)
            for prefix in category_prefixes(catalog.items[product_id].category_path):
                by_category.setdefault(prefix, []).append(product_id)
        return cls(counts=counts, peak=max(counts.values(), default=0.0), by_category=by_category)

    def score(self, product_id: str) -> float:
        return math.log1p(self.counts.get(product_id, 0.0)) / math.log1p(self.peak) if self.peak > 0 else 0.0

    def top(self, category: str = "", limit: int = 50) -> list[str]:
        return self.by_category.get(category, [])[:limit]
