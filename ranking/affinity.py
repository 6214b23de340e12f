"""Personal affinity features of a candidate under a profile, and the item similarity used for diversity."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ranking.catalog import Catalog, category_prefixes, top_category
from ranking.schemas import Candidate, Profile

# How much each personal signal counts inside the personal score (each feature lies in [0, 1]).
PERSONAL_WEIGHTS = {"category": 0.30, "brand": 0.15, "price": 0.10, "attribute": 0.10, "interests": 0.10,
                    "collab": 0.30, "seen": 0.15}


@dataclass
class Affinity:
    features: dict[str, float] = field(default_factory=dict)
    # What matched, for the explanation: category name, brand, 'size=42', band...
    matched: dict[str, str] = field(default_factory=dict)

    @property
    def score(self) -> float:
        return sum(PERSONAL_WEIGHTS[name] * value for name, value in self.features.items())


class ProfileView:
    """A profile with its totals precomputed, so scoring 200 candidates stays cheap."""

    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        self.category_total = sum(w for key, w in profile.categories.items() if " > " not in key) or 1.0
        self.brand_total = sum(profile.brands.values()) or 1.0
        self.band_totals: dict[str, float] = {}
        for key, weight in profile.price_bands.items():
            top = key.rsplit(":", 1)[0]
            self.band_totals[top] = self.band_totals.get(top, 0.0) + weight
        self.attribute_totals: dict[str, float] = {}
        for key, weight in profile.attributes.items():
            name = key.split("=", 1)[0]
            self.attribute_totals[name] = self.attribute_totals.get(name, 0.0) + weight
        self.seen_peak = max((seen.weight for seen in profile.products.values()), default=0.0) or 1.0
        self.embedding = _unit(profile.embedding)

    def affinity(self, item: Candidate, catalog: Catalog) -> Affinity:
        profile, result = self.profile, Affinity()
        prefixes = category_prefixes(item.category_path)
        shares = [profile.categories.get(prefix, 0.0) / self.category_total for prefix in prefixes]
        if shares and shares[0] > 0:
            deepest = max(i for i, share in enumerate(shares) if share > 0)
            # Deeper levels count more: a shared leaf says far more than a shared department.
            result.features["category"] = sum((d + 1) * share for d, share in enumerate(shares)) / sum(
                range(1, len(shares) + 1))
            result.matched["category"] = item.category_path[deepest]
        if item.brand and item.brand in profile.brands:
            result.features["brand"] = profile.brands[item.brand] / self.brand_total
            result.matched["brand"] = item.brand
        band = catalog.price_band(item)
        top = top_category(item)
        if profile.price_bands.get(band, 0.0) > 0:
            result.features["price"] = profile.price_bands[band] / self.band_totals[top]
            result.matched["price"] = top
        best_attribute, best_share = "", 0.0
        for key, value in item.attributes.items():
            name = key.lower()
            token = f"{name}={str(value).lower()}"
            share = profile.attributes.get(token, 0.0) / self.attribute_totals.get(name, 1.0)
            if share > best_share:
                best_attribute, best_share = f"{key} {value}", share
        if best_share > 0:
            result.features["attribute"] = best_share
            result.matched["attribute"] = best_attribute
        if self.embedding is not None and item.embedding is not None:
            vector = _unit(item.embedding)
            if vector is not None and len(vector) == len(self.embedding):
                result.features["interests"] = max(float(vector @ self.embedding), 0.0)
        seen = profile.products.get(item.product_id)
        if seen is not None and item.product_id not in profile.purchased:
            result.features["seen"] = seen.weight / self.seen_peak
            result.matched["seen"] = seen.kind
        return result


def similarity(a: Candidate, b: Candidate, catalog: Catalog) -> float:
    """Cosine of embeddings when both have one; else shared category depth, brand and price band."""
    if a.embedding is not None and b.embedding is not None:
        ua, ub = _unit(a.embedding), _unit(b.embedding)
        if ua is not None and ub is not None and len(ua) == len(ub):
            return float(ua @ ub)
    common = 0
    for left, right in zip(a.category_path, b.category_path, strict=False):
        if left != right:
            break
        common += 1
    depth = max(len(a.category_path), len(b.category_path), 1)
    same_band = catalog.price_band(a) == catalog.price_band(b)
    return 0.6 * common / depth + 0.3 * (bool(a.brand) and a.brand == b.brand) + 0.1 * same_band


def _unit(vector: list[float] | None) -> np.ndarray | None:
    if vector is None:
        return None
    array = np.asarray(vector, dtype=np.float64)
    norm = float(np.linalg.norm(array))
    return array / norm if norm > 0 else None
