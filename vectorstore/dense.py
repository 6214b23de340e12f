"""Dense retrieval over row-aligned vectors: exact search on the filtered subset, or ANN over-fetch for wide filters."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

# (query vector, how many) -> rows, best first; backed by Chroma's HNSW index.
AnnSearch = Callable[[np.ndarray, int], list[int]]


class DenseIndex:
    def __init__(self, dim: int, exact_max: int = 20_000, max_overfetch: int = 2_000) -> None:
        self.dim = dim
        # Exact (brute-force) search is used while the rows allowed by the filter number at most `exact_max`.
        self.exact_max = exact_max
        self.max_overfetch = max_overfetch
        self._vectors = np.zeros((0, dim), dtype=np.float32)
        self.count = 0
        self.ann: AnnSearch | None = None

    @property
    def vectors(self) -> np.ndarray:
        return self._vectors[: self.count]

    def set_vectors(self, rows: Sequence[int], vectors: np.ndarray) -> None:
        if len(rows) == 0:
            return
        needed = max(rows) + 1
        if needed > len(self._vectors):
            grown = np.zeros((max(needed, 2 * len(self._vectors)), self.dim), dtype=np.float32)
            grown[: self.count] = self._vectors[: self.count]
            self._vectors = grown
        self._vectors[np.asarray(rows)] = vectors
        self.count = max(self.count, needed)

    def search(self, query: np.ndarray, k: int, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        allowed = self.count if mask is None else int(np.count_nonzero(mask[: self.count]))
        if allowed == 0:
            return []
        if self.ann is not None and allowed > self.exact_max:
            hits = self._ann_search(query, k, mask, allowed)
            if len(hits) >= min(k, allowed):
                return hits
        return self._exact(query, k, mask)

    def _exact(self, query: np.ndarray, k: int, mask: np.ndarray | None) -> list[tuple[int, float]]:
        if mask is None:
            rows = np.arange(self.count)
            scores = self.vectors @ query
        else:
            rows = np.flatnonzero(mask[: self.count])
            scores = self._vectors[rows] @ query
        k = min(k, len(rows))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(int(rows[i]), float(scores[i])) for i in top]

    def _ann_search(self, query: np.ndarray, k: int, mask: np.ndarray | None, allowed: int) -> list[tuple[int, float]]:
        assert self.ann is not None
        # Over-fetch in proportion to how much of the catalog the filter removes, then filter here.
        want = min(self.max_overfetch, max(k, math.ceil(k * 1.5 * self.count / allowed)))
        rows = np.asarray([row for row in self.ann(query, want) if 0 <= row < self.count], dtype=np.int64)
        if mask is not None and len(rows):
            rows = rows[mask[rows]]
        rows = rows[:k]
        scores = self._vectors[rows] @ query if len(rows) else np.zeros(0)
        order = np.argsort(-scores, kind="stable")
        return [(int(rows[i]), float(scores[i])) for i in order]
