"""Item-to-item collaborative signal: cosine co-occurrence of co-viewed and co-purchased products (scipy sparse)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from commerce.models import BehaviourEvent, EventKind
from ranking.profiles import EVENT_WEIGHTS

NEIGHBOURS = 50
SHRINK = 2.0
BASKET_KINDS = (EventKind.PURCHASE, EventKind.ADD_TO_CART)


@dataclass
class ItemItem:
    """Top-k neighbour similarities per product; no shopper identifiers survive fitting."""

    ids: list[str]
    index: dict[str, int]
    co_view: sparse.csr_matrix
    co_purchase: sparse.csr_matrix

    @classmethod
    def fit(cls, events: Iterable[BehaviourEvent], product_ids: Iterable[str]) -> ItemItem:
        ids = list(dict.fromkeys(product_ids))
        index = {product_id: i for i, product_id in enumerate(ids)}
        users: dict[str, int] = {}
        view_entries: dict[tuple[int, int], float] = {}
        basket_entries: set[tuple[int, int]] = set()
        for event in events:
            item = index.get(event.product_id or "")
            weight = EVENT_WEIGHTS[event.kind]
            if item is None or weight == 0.0:
                continue
            user = users.setdefault(event.shopper_id, len(users))
            view_entries[(user, item)] = view_entries.get((user, item), 0.0) + weight
            if event.kind in BASKET_KINDS:
                basket_entries.add((user, item))
        shape = (max(len(users), 1), len(ids))
        views = _matrix(view_entries.keys(), np.log1p(list(view_entries.values())), shape)
        baskets = _matrix(basket_entries, np.ones(len(basket_entries)), shape)
        return cls(ids=ids, index=index, co_view=_cosine_top_k(views), co_purchase=_cosine_top_k(baskets))

    def scores(self, seeds: dict[str, float], kind: str = "co_view") -> tuple[np.ndarray, np.ndarray, list[str]]:
        """Per product: weighted neighbour score, the index into `seed_ids` of the strongest seed, and seed_ids."""
        seed_ids = [product_id for product_id in seeds if product_id in self.index]
        n = len(self.ids)
        if not seed_ids:
            return np.zeros(n), np.zeros(n, dtype=np.int64), []
        matrix = self.co_view if kind == "co_view" else self.co_purchase
        rows = matrix[[self.index[p] for p in seed_ids]].toarray()
        weighted = rows * np.asarray([seeds[p] for p in seed_ids])[:, None]
        return weighted.sum(axis=0), weighted.argmax(axis=0), seed_ids

    def neighbours(self, product_id: str, kind: str = "co_view") -> list[tuple[str, float]]:
        if product_id not in self.index:
            return []
        matrix = self.co_view if kind == "co_view" else self.co_purchase
        row = matrix.getrow(self.index[product_id])
        order = np.argsort(-row.data)
        return [(self.ids[row.indices[i]], float(row.data[i])) for i in order]


def _matrix(entries: Iterable[tuple[int, int]], values: np.ndarray, shape: tuple[int, int]) -> sparse.csr_matrix:
    pairs = np.asarray(list(entries), dtype=np.int64).reshape(-1, 2)
    return sparse.csr_matrix((np.asarray(values, dtype=np.float64), (pairs[:, 0], pairs[:, 1])), shape=shape)


def _cosine_top_k(user_items: sparse.csr_matrix, k: int = NEIGHBOURS) -> sparse.csr_matrix:
    items = user_items.T.tocsr()
    norms = np.sqrt(np.asarray(items.multiply(items).sum(axis=1)).ravel())
    co = (items @ items.T).tocsr()
    co.setdiag(0)
    co.eliminate_zeros()
    coo = co.tocoo()
    # Shrinkage damps similarities supported by very few shoppers.
    coo.data = coo.data / (norms[coo.row] * norms[coo.col] + SHRINK)
    return _keep_top_k(coo.tocsr(), k)


def _keep_top_k(matrix: sparse.csr_matrix, k: int) -> sparse.csr_matrix:
    rows, cols, vals = [], [], []
    for row in range(matrix.shape[0]):
        start, end = matrix.indptr[row], matrix.indptr[row + 1]
        data, indices = matrix.data[start:end], matrix.indices[start:end]
        keep = np.argsort(-data)[:k] if len(data) > k else np.arange(len(data))
        rows.extend([row] * len(keep))
        cols.extend(indices[keep].tolist())
        vals.extend(data[keep].tolist())
    return sparse.csr_matrix((vals, (rows, cols)), shape=matrix.shape)
