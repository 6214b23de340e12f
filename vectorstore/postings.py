"""Top-k BM25 from a bm25s index's posting lists: only the rows the query's terms occur in are summed, filtered and
ranked, so a search costs what its postings hold rather than a pass over the whole catalog."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np


def top_k(index: Mapping[str, Any], term_ids: Sequence[int], k: int,
          mask: np.ndarray | None = None) -> list[tuple[int, float]]:
    """(row, score) best first, ties by row, among rows allowed by `mask`. `index` is bm25s' `BM25.scores`: CSC
    columns per term of precomputed, positive per-row scores (a repeated term counts again, as in bm25s)."""
    data, indices, indptr = index["data"], index["indices"], index["indptr"]
    if not term_ids or k <= 0:
        return []
    scores = np.zeros(index["num_docs"], dtype=data.dtype)
    touched = []
    for term in term_ids:
        rows = indices[indptr[term] : indptr[term + 1]]
        touched.append(rows[scores[rows] == 0])  # rows no earlier term reached: every row is listed once
        scores[rows] += data[indptr[term] : indptr[term + 1]]
    rows = np.concatenate(touched)
    if mask is not None:
        rows = rows[rows < len(mask)]
        rows = rows[mask[rows]]
    values = scores[rows]
    k = min(k, len(rows))
    if k == 0:
        return []
    cut = values[np.argpartition(-values, k - 1)[k - 1]]
    top = np.flatnonzero(values >= cut)  # every row tied at the cut, so the tie-break by row decides which stay
    top = top[np.lexsort((rows[top], -values[top]))][:k]
    return [(int(rows[i]), float(values[i])) for i in top]
