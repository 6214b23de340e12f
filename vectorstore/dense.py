"""Dense retrieval over row-aligned float16 vectors in faiss: exact search under a filter bitmap for small subsets,
an in-process IVF index (8-bit codes, the same bitmap as a pre-filter) above that, re-scored from the float16 rows."""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Sequence

import faiss
import numpy as np

IP = faiss.METRIC_INNER_PRODUCT
CHUNK = 65_536  # rows decoded at a time when (re)building the IVF index
PROBE_MARGIN = 4
TIES = 8  # extra rows fetched so that rows tied at the cut are chosen by row number, the same at any k


def bitmap_selector(mask: np.ndarray) -> faiss.IDSelectorBitmap:
    """The rows a filter allows, as the bit set faiss checks before scoring a row."""
    packed = np.packbits(mask, bitorder="little")
    selector = faiss.IDSelectorBitmap(len(mask), faiss.swig_ptr(packed))
    selector.referenced_objects = [packed]  # type: ignore[attr-defined] # faiss keeps only a pointer to the bits
    return selector


def best_first(rows: np.ndarray, scores: np.ndarray, k: int) -> list[tuple[int, float]]:
    """The k best (row, score), ties by row number."""
    order = np.lexsort((rows, -scores))[:k]
    return [(int(rows[i]), float(scores[i])) for i in order]


class DenseIndex:
    """Row i holds the vector of the owner's row i; rows never move (a deleted product's row is masked out)."""

    def __init__(self, dim: int, exact_max: int = 20_000, subset_max: int = 2_000, nprobe: int = 16) -> None:
        self.dim = dim
        # Search is exact in catalogs of at most `exact_max` rows, and in larger ones when the filter allows at most
        # `subset_max` rows: past that the filter bitmap costs less as the IVF index's pre-filter (at 1M rows, 1,000
        # allowed: exact 1.8 ms, IVF 3.9 ms; 5,000 allowed: exact 2.5 ms, IVF 0.9 ms).
        self.exact_max = exact_max
        self.subset_max = subset_max
        self.nprobe = nprobe
        self._rows = faiss.IndexScalarQuantizer(dim, faiss.ScalarQuantizer.QT_fp16, IP)
        self._ann: faiss.IndexIVFScalarQuantizer | None = None
        self._ann_trained_at = 0
        # faiss reads the codes without the GIL: a write that grows them must not run during a search.
        self._lock = threading.RLock()

    @property
    def count(self) -> int:
        return int(self._rows.ntotal)

    @property
    def has_ann(self) -> bool:
        return self._ann is not None

    def _codes(self) -> np.ndarray:
        size = self._rows.code_size
        if self.count == 0:
            return np.zeros((0, size), dtype=np.uint8)
        return faiss.rev_swig_ptr(self._rows.codes.data(), self.count * size).reshape(self.count, size)

    def vector(self, row: int) -> np.ndarray:
        return self._rows.sa_decode(self._codes()[row : row + 1])[0]

    def set_vectors(self, rows: Sequence[int], vectors: np.ndarray) -> None:
        if len(rows) == 0:
            return
        ids = np.asarray(rows, dtype=np.int64)
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        with self._lock:
            needed = int(ids.max()) + 1
            if needed > self.count:
                self._rows.codes.resize(needed * self._rows.code_size)
                self._rows.ntotal = needed
            self._codes()[ids] = self._rows.sa_encode(vectors)
            if self._ann is not None:
                self._ann.remove_ids(faiss.IDSelectorBatch(len(ids), faiss.swig_ptr(ids)))
                self._ann.add_with_ids(vectors, ids)

    def prepare(self) -> None:
        """Build the IVF index now if this catalog's searches will use it, instead of on the first such search
        (about 10 s per space at 1M products)."""
        if self.count > self.exact_max:
            self.build_ann()

    def build_ann(self) -> None:
        """Train and fill the IVF index from the rows; again once the catalog has doubled since (its lists are
        sized for the catalog it was trained on). Later vector changes update it in place."""
        with self._lock:
            count = self.count
            if self._ann is not None and count <= 2 * self._ann_trained_at:
                return
            faiss.omp_set_num_threads(os.cpu_count() or 1)  # back to one by the search that follows
            nlist = max(1, math.isqrt(count))
            ann = faiss.IndexIVFScalarQuantizer(faiss.IndexFlatIP(self.dim), self.dim, nlist,
                                                faiss.ScalarQuantizer.QT_8bit, IP)
            sample = np.linspace(0, count - 1, min(count, 64 * nlist)).astype(np.int64)
            ann.train(self._rows.sa_decode(self._codes()[sample]))
            for start in range(0, count, CHUNK):
                end = min(start + CHUNK, count)
                ann.add_with_ids(self._rows.sa_decode(self._codes()[start:end]), np.arange(start, end))
            self._ann, self._ann_trained_at = ann, count

    def search(self, query: np.ndarray, k: int, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        # One query gains nothing from OpenMP threads, and waking them costs milliseconds on a busy machine (the
        # setting is per calling thread).
        faiss.omp_set_num_threads(1)
        with self._lock:
            count = self.count
            allowed = count if mask is None else int(np.count_nonzero(mask[:count]))
            if allowed == 0 or k <= 0:
                return []
            vector = np.ascontiguousarray(query, dtype=np.float32).reshape(1, self.dim)
            selector = None if mask is None else bitmap_selector(mask[:count])
            if count > self.exact_max and allowed > self.subset_max:
                self.build_ann()  # a no-op once built (prepare() builds it when the catalog loads)
                hits = self._ann_search(vector, k, selector, allowed)
                if len(hits) >= min(k, allowed):
                    return hits
            params = None
            if selector is not None:
                params = faiss.SearchParameters()
                params.sel = selector
            scores, rows = self._rows.search(vector, min(k + TIES, allowed), params=params)
            found = rows[0] >= 0
            return best_first(rows[0][found], scores[0][found], k)

    def _ann_search(self, vector: np.ndarray, k: int, selector: faiss.IDSelector | None,
                    allowed: int) -> list[tuple[int, float]]:
        assert self._ann is not None
        # A filter leaves fewer allowed rows per list: probe enough lists to expect PROBE_MARGIN times the rows asked
        # for (filtered recall@10 on ESCI's MiniLM vectors 0.994-0.998, as with probing in proportion to the filter).
        nlist = self._ann.nlist
        nprobe = min(nlist, max(self.nprobe, math.ceil(PROBE_MARGIN * 2 * k * nlist / allowed)))
        params = faiss.SearchParametersIVF()
        params.nprobe = nprobe
        if selector is not None:
            params.sel = selector
        # Twice as many from the 8-bit codes, then the float16 rows decide the order and the cut.
        _, found = self._ann.search(vector, 2 * k, params=params)
        rows = found[0][found[0] >= 0]
        if len(rows) == 0:
            return []
        return best_first(rows, self._rows.sa_decode(self._codes()[rows]) @ vector[0], k)
