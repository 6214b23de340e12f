"""Recommendation metrics: hit rate and NDCG at k, catalog coverage, intra-list diversity, exposure Gini."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ranking.affinity import similarity_matrix
from ranking.catalog import Catalog


def hit_rate(lists: Sequence[list[str]], targets: Sequence[str], k: int = 10) -> float:
    return float(np.mean([target in ranked[:k] for ranked, target in zip(lists, targets, strict=True)]))


def ndcg(lists: Sequence[list[str]], targets: Sequence[str], k: int = 10) -> float:
    """One relevant item per list, so the ideal DCG is 1."""
    gains = [1.0 / math.log2(ranked[:k].index(target) + 2) if target in ranked[:k] else 0.0
             for ranked, target in zip(lists, targets, strict=True)]
    return float(np.mean(gains))


def coverage(lists: Sequence[list[str]], catalog: Catalog, k: int = 10) -> float:
    return len({product for ranked in lists for product in ranked[:k]}) / max(len(catalog.items), 1)


def intra_list_diversity(lists: Sequence[list[str]], catalog: Catalog, k: int = 10) -> float:
    """Mean pairwise (1 - similarity) inside each list, with the ranker's own category/brand/price similarity."""
    values = []
    for ranked in lists:
        top = ranked[:k]
        if len(top) > 1:
            sims = similarity_matrix([catalog.items[p] for p in top], catalog)
            values.append(float(np.mean(1 - sims[np.triu_indices(len(top), 1)])))
    return float(np.mean(values)) if values else 0.0


def brand_exposure_gini(lists: Sequence[list[str]], catalog: Catalog, k: int = 10) -> float:
    """Gini of position-weighted exposure (1/log2(rank+1)) over every brand in the catalog; 0 = even."""
    exposure = {item.brand: 0.0 for item in catalog.items.values() if item.brand}
    for ranked in lists:
        for rank, product in enumerate(ranked[:k]):
            brand = catalog.items[product].brand
            if brand:
                exposure[brand] += 1.0 / math.log2(rank + 2)
    return gini(list(exposure.values()))


def gini(values: Sequence[float]) -> float:
    array = np.sort(np.asarray(values, dtype=np.float64))
    if len(array) == 0 or array.sum() == 0:
        return 0.0
    n = len(array)
    return float((2 * np.arange(1, n + 1) - n - 1) @ array / (n * array.sum()))
