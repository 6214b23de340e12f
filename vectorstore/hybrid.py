"""Hybrid product retrieval: dense + BM25 under one filter mask, fused by weighted reciprocal rank."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

import numpy as np

from commerce.models import Product
from vectorstore import chroma
from vectorstore.catalog import CatalogTable
from vectorstore.dense import DenseIndex
from vectorstore.documents import ProductDoc, product_doc
from vectorstore.embeddings import Embedder
from vectorstore.filters import build_mask, excluded
from vectorstore.lexical import LexicalIndex
from vectorstore.query import SearchQuery

Mode = Literal["dense", "bm25", "hybrid"]


@dataclass(frozen=True)
class FusionConfig:
    """Weighted RRF. k and dense_weight were chosen on half of the ESCI queries and checked on the other half
    (`shopassist eval retrieval --dataset esci`). MiniLM is English-only, so Chinese queries lean on BM25."""

    k: int = 10
    dense_weight: float = 2.0
    lexical_weight: float = 1.0
    zh_dense_weight: float = 0.5
    depth: int = 100

    def weights(self, query: SearchQuery) -> tuple[float, float]:
        return (self.zh_dense_weight if query.language == "zh" else self.dense_weight), self.lexical_weight


@dataclass
class Candidate:
    """A retrieved product with every score a downstream reranker (ranking/) may want."""

    product_id: str
    score: float
    doc: ProductDoc
    dense_score: float | None = None
    lexical_score: float | None = None
    dense_rank: int | None = None
    lexical_rank: int | None = None
    reasons: list[str] = field(default_factory=list)


def rrf(rankings: Sequence[tuple[float, list[int]]], k: int) -> dict[int, float]:
    fused: dict[int, float] = {}
    for weight, rows in rankings:
        for rank, row in enumerate(rows):
            fused[row] = fused.get(row, 0.0) + weight / (k + rank + 1)
    return fused


class ProductIndex:
    def __init__(self, embedder: Embedder, col: Any | None = None, fusion: FusionConfig | None = None) -> None:
        self.embedder = embedder
        self.col = col
        self.fusion = fusion or FusionConfig()
        self.table = CatalogTable()
        self.dense = DenseIndex(embedder.dim)
        self.lexical = LexicalIndex()
        self._lock = threading.RLock()
        self._query_vector = lru_cache(maxsize=1024)(self._embed_query)
        if col is not None:
            self.dense.ann = chroma.ann_rows(col, self.table.row_of)

    def __len__(self) -> int:
        return len(self.table)

    # --- writing -------------------------------------------------------------------------------------------
    def add_docs(self, docs: Sequence[ProductDoc], progress: Callable[[int], None] | None = None,
                 batch: int = 256) -> int:
        """Index docs; only docs whose embedded text changed are embedded. Returns how many were embedded."""
        embedded = 0
        for start in range(0, len(docs), batch):
            chunk = docs[start : start + batch]
            changed = [doc for doc in chunk if not self._same_text(doc)]
            vectors = self.embedder.embed([doc.embed_text for doc in changed])
            embedded += len(changed)
            with self._lock:
                rows = self.table.upsert_many(chunk)
                self.dense.set_vectors([self.table.row_of[doc.id] for doc in changed], vectors)
                self.lexical.set_texts(rows, [doc.lexical_text for doc in chunk])
                if self.col is not None:
                    if changed:
                        chroma.upsert(self.col, [d.id for d in changed], vectors, [d.embed_text for d in changed],
                                      [d.chroma_metadata() for d in changed])
                    changed_ids = {doc.id for doc in changed}
                    same = [doc for doc in chunk if doc.id not in changed_ids]
                    if same:
                        chroma.update_metadata(self.col, [d.id for d in same], [d.chroma_metadata() for d in same])
            if progress:
                progress(len(chunk))
        return embedded

    def _same_text(self, doc: ProductDoc) -> bool:
        row = self.table.row_of.get(doc.id)
        old = self.table.doc(row) if row is not None else None
        return old is not None and old.embed_text == doc.embed_text

    def upsert_product(self, product: Product) -> int:
        return self.add_docs([product_doc(product)])

    def delete_product(self, product_id: str) -> bool:
        with self._lock:
            row = self.table.row_of.get(product_id)
            if not self.table.delete(product_id):
                return False
            self.lexical.set_texts([row], [""])  # type: ignore[list-item]
            if self.col is not None:
                self.col.delete(ids=[product_id])
            return True

    def update_offer(self, product_id: str, price: float | None = None, in_stock: bool | None = None) -> None:
        """A price or stock change: metadata only, no re-embedding."""
        with self._lock:
            doc = self.table.update_offer(product_id, price, in_stock)
            if self.col is not None:
                chroma.update_metadata(self.col, [product_id], [doc.chroma_metadata()])

    def load_from_collection(self) -> int:
        """Rebuild the in-memory tables from Chroma (the store of record) without embedding anything."""
        assert self.col is not None
        docs, vectors = [], []
        for doc_id, document, meta, vector in chroma.iter_all(self.col):
            docs.append(ProductDoc.from_chroma(doc_id, document, meta))
            vectors.append(vector)
        with self._lock:
            rows = self.table.upsert_many(docs)
            if docs:
                self.dense.set_vectors(rows, np.stack(vectors))
            self.lexical.set_texts(rows, [doc.lexical_text for doc in docs])
        return len(docs)

    # --- reading -------------------------------------------------------------------------------------------
    def _embed_query(self, text: str) -> np.ndarray:
        return self.embedder.embed([text])[0]

    def ranked_lists(self, query: SearchQuery, depth: int, mode: Mode = "hybrid") -> tuple[list, list]:
        """(dense hits, lexical hits) as (row, score) lists under the query's filter mask."""
        mask = build_mask(self.table, query) if query.has_filters() else None
        dense_hits: list[tuple[int, float]] = []
        lexical_hits: list[tuple[int, float]] = []
        if not query.text:
            rows = np.flatnonzero(mask if mask is not None else self.table.alive)
            order = rows[np.argsort(-self.table.rating[rows], kind="stable")][:depth]
            return [(int(row), float(self.table.rating[row])) for row in order], []
        if mode in ("dense", "hybrid"):
            dense_hits = self.dense.search(self._query_vector(query.text), depth, mask)
        if mode in ("bm25", "hybrid"):
            lexical_hits = self.lexical.search(query.text, depth, mask)
        return dense_hits, lexical_hits

    def retrieve(self, query: SearchQuery, k: int = 20, mode: Mode = "hybrid") -> list[Candidate]:
        depth = max(k, self.fusion.depth) * (3 if query.exclude else 1)
        dense_hits, lexical_hits = self.ranked_lists(query, depth, mode)
        dense_weight, lexical_weight = self.fusion.weights(query)
        fused = rrf([(dense_weight, [r for r, _ in dense_hits]), (lexical_weight, [r for r, _ in lexical_hits])],
                    self.fusion.k)
        dense_info = {row: (rank, score) for rank, (row, score) in enumerate(dense_hits)}
        lexical_info = {row: (rank, score) for rank, (row, score) in enumerate(lexical_hits)}
        out: list[Candidate] = []
        for row, score in sorted(fused.items(), key=lambda item: -item[1]):
            doc = self.table.doc(row)
            if doc is None or excluded(doc, query):
                continue
            d_rank, d_score = dense_info.get(row, (None, None))
            l_rank, l_score = lexical_info.get(row, (None, None))
            out.append(Candidate(doc.id, score, doc, d_score, l_score, d_rank, l_rank))
            if len(out) == k:
                break
        return out

    def vector_of(self, product_id: str) -> np.ndarray | None:
        """The product's embedding (ranking/ uses it for similarity), or None when it is not indexed."""
        row = self.table.row_of.get(product_id)
        return None if row is None else self.dense.vectors[row]
