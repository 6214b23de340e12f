"""Matrix factorization (implicit's ALS) as the alternative collaborative signal, measured against item-to-item."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from commerce.models import BehaviourEvent
from evals.reco.data import Split
from ranking.catalog import Catalog
from ranking.profiles import EVENT_WEIGHTS

FACTORS = 64
ITERATIONS = 15


@dataclass
class AlsItemSimilarity:
    """ALS item factors behind the ItemItem interface (cosine of factors), to try MF inside the fused ranker."""

    ids: list[str]
    index: dict[str, int]
    unit_factors: np.ndarray

    def scores(self, seeds: dict[str, float], kind: str = "co_view") -> tuple[np.ndarray, np.ndarray, list[str]]:
        seed_ids = [p for p in seeds if p in self.index]
        if not seed_ids:
            return np.zeros(len(self.ids)), np.zeros(len(self.ids), dtype=np.int64), []
        sims = np.clip(self.unit_factors[[self.index[p] for p in seed_ids]] @ self.unit_factors.T, 0, None)
        weighted = sims * np.asarray([seeds[p] for p in seed_ids])[:, None]
        for row, product_id in enumerate(seed_ids):
            weighted[row, self.index[product_id]] = 0.0
        return weighted.sum(axis=0), weighted.argmax(axis=0), seed_ids


def als_lists(split: Split, catalog: Catalog, k: int = 10) -> tuple[list[list[str]], float, AlsItemSimilarity]:
    """Top-k per held-out shopper (their purchases filtered out), the fit time in seconds, the item factors."""
    from implicit.als import AlternatingLeastSquares
    from threadpoolctl import threadpool_limits

    ids = list(catalog.items)
    index = {product_id: i for i, product_id in enumerate(ids)}
    users = {shopper: u for u, shopper in enumerate(sorted({e.shopper_id for e in split.train}))}
    matrix = _user_items(split.train, users, index)
    started = time.perf_counter()
    with threadpool_limits(1, "blas"):  # implicit's advice: its own threads, not BLAS's
        model = AlternatingLeastSquares(factors=FACTORS, iterations=ITERATIONS, random_state=0)
        model.fit(matrix, show_progress=False)
    fit_s = time.perf_counter() - started
    lists = []
    for held in split.held_out:
        user = users[held.shopper_id]
        bought = [index[e.product_id] for e in split.history[held.shopper_id] if e.kind.value == "purchase"
                  and e.product_id in index]
        found, _ = model.recommend(user, matrix[user], N=k, filter_already_liked_items=False,
                                   filter_items=np.asarray(sorted(set(bought)), dtype=np.int32))
        lists.append([ids[i] for i in found])
    factors = np.asarray(model.item_factors)
    unit = factors / np.maximum(np.linalg.norm(factors, axis=1, keepdims=True), 1e-12)
    return lists, fit_s, AlsItemSimilarity(ids, index, unit)


def _user_items(events: list[BehaviourEvent], users: dict[str, int], index: dict[str, int]) -> sparse.csr_matrix:
    weights: dict[tuple[int, int], float] = {}
    for event in events:
        item = index.get(event.product_id or "")
        if item is not None and EVENT_WEIGHTS[event.kind] > 0:
            key = (users[event.shopper_id], item)
            weights[key] = weights.get(key, 0.0) + EVENT_WEIGHTS[event.kind]
    rows, cols = zip(*weights, strict=True) if weights else ((), ())
    return sparse.csr_matrix((np.log1p(list(weights.values())), (rows, cols)), shape=(len(users), len(index)))
