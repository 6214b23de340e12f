"""Dense retrieval in faiss: row-aligned float16 vectors searched exactly while the catalog is small; past that an IVF
index of 8-bit codes holds the vectors alone (1 byte per dimension: the float16 rows would double the memory), with the
filter bitmap as its pre-filter and exact search over the decoded rows a selective filter allows."""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Sequence

import faiss
import numpy as np

IP = faiss.METRIC_INNER_PRODUCT
CHUNK = 65_536  # rows moved at a time when (re)building the IVF index
PROBE_MARGIN = 4
# Each dimension's 8-bit range is the training sample's, widened by this share on both sides, so that vectors added
# later (new products) are not clipped at the sample's extremes.
RANGE_MARGIN = 0.1
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


def _ids(rows: Sequence[int] | np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(rows, dtype=np.int64)


class DenseIndex:
    """Row i holds the vector of the owner's row i; rows never move (a deleted product's row is masked out)."""

    def __init__(self, dim: int, exact_max: int = 20_000, scan_per_decode: float = 0.004, nprobe: int = 16) -> None:
        self.dim = dim
        # Search is exact in catalogs of at most `exact_max` rows. In larger ones a filter's allowed rows are decoded
        # and scored (~1 us a row) when that costs less than the IVF lists the filter makes it probe, scanned under
        # the filter bitmap (~4 ns a row checked: `scan_per_decode` of a decoded row).
        self.exact_max = exact_max
        self.scan_per_decode = scan_per_decode
        self.nprobe = nprobe
        self._rows = faiss.IndexScalarQuantizer(dim, faiss.ScalarQuantizer.QT_fp16, IP)  # until the IVF index is built
        self._ann: faiss.IndexIVFScalarQuantizer | None = None
        self._ann_trained_at = 0
        self._count = 0
        # faiss reads the codes without the GIL: a write that changes them must not run during a search.
        self._lock = threading.RLock()

    @property
    def count(self) -> int:
        return self._count

    @property
    def has_ann(self) -> bool:
        return self._ann is not None

    def _codes(self) -> np.ndarray:
        size = self._rows.code_size
        total = int(self._rows.ntotal)
        return faiss.rev_swig_ptr(self._rows.codes.data(), total * size).reshape(total, size) if total else \
            np.zeros((0, size), dtype=np.uint8)

    def vectors(self, rows: Sequence[int] | np.ndarray) -> np.ndarray:
        """The stored vectors of `rows` (decoded from the IVF index's 8-bit codes once it holds them)."""
        ids = _ids(rows)
        if not len(ids):
            return np.zeros((0, self.dim), dtype=np.float32)
        if self._ann is not None:
            return self._ann.reconstruct_batch(ids)
        return self._rows.sa_decode(self._codes()[ids])

    def vector(self, row: int) -> np.ndarray:
        return self.vectors([row])[0]

    def set_vectors(self, rows: Sequence[int], vectors: np.ndarray) -> None:
        if len(rows) == 0:
            return
        ids = _ids(rows)
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        with self._lock:
            self._count = max(self._count, int(ids.max()) + 1)
            if self._ann is not None:
                self._ann.remove_ids(faiss.IDSelectorArray(len(ids), faiss.swig_ptr(ids)))
                self._ann.add_with_ids(vectors, ids)
                return
            if self._count > self._rows.ntotal:
                self._rows.codes.resize(self._count * self._rows.code_size)
                self._rows.ntotal = self._count
            self._codes()[ids] = self._rows.sa_encode(vectors)

    def prepare(self) -> None:
        """Build the IVF index now if this catalog's searches will use it, instead of on the first such search
        (about 10 s per space at 1M products)."""
        if self.count > self.exact_max:
            self.build_ann()

    def build_ann(self) -> None:
        """Train and fill the IVF index from the stored vectors, then drop the float16 rows; again once the catalog
        has doubled since (its lists are sized for the catalog it was trained on). Later changes update it in place."""
        with self._lock:
            count = self.count
            if self._ann is not None and count <= 2 * self._ann_trained_at:
                return
            faiss.omp_set_num_threads(os.cpu_count() or 1)  # back to one by the search that follows
            nlist = max(1, math.isqrt(count))
            ann = faiss.IndexIVFScalarQuantizer(faiss.IndexFlatIP(self.dim), self.dim, nlist,
                                                faiss.ScalarQuantizer.QT_8bit, IP)
            ann.set_direct_map_type(faiss.DirectMap.Hashtable)  # rows looked up by number, and removable
            ann.sq.rangestat_arg = RANGE_MARGIN
            ann.train(self.vectors(np.linspace(0, count - 1, min(count, 64 * nlist)).astype(np.int64)))
            for start in range(0, count, CHUNK):
                rows = np.arange(start, min(start + CHUNK, count))
                ann.add_with_ids(self.vectors(rows), rows)
            self._ann, self._ann_trained_at = ann, count
            self._rows = faiss.IndexScalarQuantizer(self.dim, faiss.ScalarQuantizer.QT_fp16, IP)  # frees the rows

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
            if count > self.exact_max:
                self.build_ann()  # a no-op once built (prepare() builds it when the catalog loads)
                if mask is not None and allowed < self.scan_per_decode * self._probed_rows(k, allowed, count):
                    rows = np.flatnonzero(mask[:count])
                    return best_first(rows, self.vectors(rows) @ vector[0], k)
                hits = self._ann_search(vector, k, mask, allowed, count)
                if len(hits) >= min(k, allowed):
                    return hits
                return self._ann_search(vector, k, mask, allowed, count, every_list=True)
            params = None
            if mask is not None:
                params = faiss.SearchParameters()
                params.sel = bitmap_selector(mask[:count])
            scores, rows = self._rows.search(vector, min(k + TIES, allowed), params=params)
            found = rows[0] >= 0
            return best_first(rows[0][found], scores[0][found], k)

    def _probed_rows(self, k: int, allowed: int, count: int) -> int:
        """Rows in the lists a search for k rows probes when `allowed` of `count` pass the filter."""
        assert self._ann is not None
        return self._nprobe(k, allowed) * count // self._ann.nlist

    def _nprobe(self, k: int, allowed: int) -> int:
        # A filter leaves fewer allowed rows per list: probe enough lists to expect PROBE_MARGIN times the rows asked
        # for (filtered recall@10 on ESCI's MiniLM vectors 0.994-0.998, as with probing in proportion to the filter).
        assert self._ann is not None
        nlist = self._ann.nlist
        return min(nlist, max(self.nprobe, math.ceil(PROBE_MARGIN * 2 * k * nlist / allowed)))

    def _ann_search(self, vector: np.ndarray, k: int, mask: np.ndarray | None, allowed: int, count: int,
                    every_list: bool = False) -> list[tuple[int, float]]:
        assert self._ann is not None
        params = faiss.SearchParametersIVF()
        params.nprobe = self._ann.nlist if every_list else self._nprobe(k, allowed)
        if mask is not None:
            params.sel = bitmap_selector(mask[:count])
        scores, found = self._ann.search(vector, k + TIES, params=params)
        kept = found[0] >= 0
        return best_first(found[0][kept], scores[0][kept], k)
