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


def similarity_matrix(items: list[Candidate], catalog: Catalog) -> np.ndarray:
    """Pairwise item similarity in [0, 1]: cosine of embeddings when every item has one of the same size; otherwise
    0.6 x shared category depth + 0.3 x same brand + 0.1 x same price band."""
    vectors = [_unit(item.embedding) for item in items]
    if items and all(v is not None and len(v) == len(vectors[0]) for v in vectors):  # type: ignore[arg-type]
        matrix = np.vstack(vectors)  # type: ignore[arg-type]
        return np.clip(matrix @ matrix.T, 0.0, 1.0)
    n, depth = len(items), max((len(item.category_path) for item in items), default=0)
    common, still_equal = np.zeros((n, n)), np.ones((n, n), dtype=bool)
    for level in range(depth):
        codes = np.asarray([" > ".join(i.category_path[: level + 1]) if len(i.category_path) > level else f"#{k}"
                            for k, i in enumerate(items)])
        still_equal &= codes[:, None] == codes[None, :]
        common += still_equal
    lengths = np.asarray([len(item.category_path) for item in items])
    longest = np.maximum(np.maximum(lengths[:, None], lengths[None, :]), 1)
    brands = np.asarray([item.brand or f"#{k}" for k, item in enumerate(items)])
    bands = np.asarray([catalog.price_band(item) for item in items])
    return (0.6 * common / longest + 0.3 * (brands[:, None] == brands[None, :])
            + 0.1 * (bands[:, None] == bands[None, :]))


def similarity(a: Candidate, b: Candidate, catalog: Catalog) -> float:
    return float(similarity_matrix([a, b], catalog)[0, 1])


def _unit(vector: list[float] | None) -> np.ndarray | None:
    if vector is None:
        return None
    array = np.asarray(vector, dtype=np.float64)
    norm = float(np.linalg.norm(array))
    return array / norm if norm > 0 else None
