"""One embedding space of the product index: its embedder, its own Chroma collection and row-aligned vectors."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

from vectorstore import chroma
from vectorstore.dense import DenseIndex
from vectorstore.documents import ProductDoc
from vectorstore.embeddings import Embedder


class DenseSpace:
    """`key` names the retriever in fusion weights and reports (e.g. 'minilm', 'use')."""

    def __init__(self, key: str, embedder: Embedder, col: Any | None = None) -> None:
        self.key = key
        self.embedder = embedder
        self.col = col
        self.index = DenseIndex(embedder.dim)
        self.query_vector = lru_cache(maxsize=1024)(self._embed_query)

    def _embed_query(self, text: str) -> np.ndarray:
        return self.embedder.embed([text])[0]

    def store(self, rows: list[int], changed: list[ProductDoc], vectors: np.ndarray | None,
              same: list[ProductDoc]) -> None:
        """New vectors for the changed docs (rows align with them); only fresh metadata for the others."""
        if changed:
            assert vectors is not None
            self.index.set_vectors(rows, vectors)
            if self.col is not None:
                chroma.upsert(self.col, [d.id for d in changed], vectors, [d.embed_text for d in changed],
                              [d.chroma_metadata() for d in changed])
        if same and self.col is not None:
            chroma.update_metadata(self.col, [d.id for d in same], [d.chroma_metadata() for d in same])

    def load_all(self) -> tuple[list[ProductDoc], list[np.ndarray]]:
        """Every document and vector the collection holds."""
        assert self.col is not None
        docs, vectors = [], []
        for doc_id, document, meta, vector in chroma.iter_all(self.col):
            docs.append(ProductDoc.from_chroma(doc_id, document, meta))
            vectors.append(vector)
        return docs, vectors

    def load_or_embed(self, docs: list[ProductDoc], rows: list[int]) -> int:
        """Vectors for `docs` from this space's collection; the ones it lacks (or holds for older text) are embedded
        and written back. Returns how many were embedded."""
        stored = self._stored_vectors(docs)
        missing = [i for i, doc in enumerate(docs) if doc.id not in stored]
        if stored:
            have = [i for i, doc in enumerate(docs) if doc.id in stored]
            self.index.set_vectors([rows[i] for i in have], np.stack([stored[docs[i].id] for i in have]))
        if missing:
            fresh = [docs[i] for i in missing]
            self.store([rows[i] for i in missing], fresh, self.embedder.embed([d.embed_text for d in fresh]), [])
        return len(missing)

    def _stored_vectors(self, docs: list[ProductDoc]) -> dict[str, np.ndarray]:
        if self.col is None or not docs:
            return {}
        found: dict[str, np.ndarray] = {}
        wanted = {doc.id: doc.content_hash for doc in docs}
        for start in range(0, len(docs), chroma.BATCH):
            ids = [doc.id for doc in docs[start : start + chroma.BATCH]]
            page = self.col.get(ids=ids, include=["embeddings", "metadatas"])
            for i, doc_id in enumerate(page["ids"]):
                if (page["metadatas"][i] or {}).get("content_hash") == wanted.get(doc_id):
                    found[doc_id] = np.asarray(page["embeddings"][i], dtype=np.float32)
        return found
