"""FAQ and policy passage retrieval (dense + BM25, RRF) with an explicit relevance floor."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from commerce.models import Passage
from vectorstore import chroma
from vectorstore.dense import DenseIndex
from vectorstore.documents import passage_text
from vectorstore.embeddings import Embedder
from vectorstore.fusion import rrf
from vectorstore.lexical import LexicalIndex, tokenize
from vectorstore.query import expand_text, normalise


@dataclass(frozen=True)
class PassageHit:
    passage: Passage
    score: float
    cosine: float
    lexical_coverage: float


class PassageIndex:
    """A hit is relevant when its cosine clears `min_cosine`, or when it holds at least `min_coverage` of the
    query's words and its cosine clears `support_cosine` (one shared word like 'tell' is not enough)."""

    def __init__(self, embedder: Embedder, col: Any | None = None, min_cosine: float = 0.4,
                 min_coverage: float = 0.5, support_cosine: float = 0.25) -> None:
        self.embedder = embedder
        self.col = col
        self.min_cosine = min_cosine
        self.min_coverage = min_coverage
        self.support_cosine = support_cosine
        self.passages: list[Passage] = []
        self.dense = DenseIndex(embedder.dim)
        self.lexical = LexicalIndex()
        self._tokens: list[set[str]] = []

    def __len__(self) -> int:
        return len(self.passages)

    def index(self, passages: Sequence[Passage]) -> None:
        texts = [passage_text(p) for p in passages]
        vectors = self.embedder.embed(texts)
        self._set(passages, vectors)
        if self.col is not None and passages:
            metadatas = [{"title": p.title, "section": p.section, "source": p.source, "language": p.language,
                          "text": p.text} for p in passages]
            chroma.upsert(self.col, [p.id for p in passages], vectors, texts, metadatas)

    def load_from_collection(self) -> int:
        assert self.col is not None
        passages, vectors = [], []
        for doc_id, _document, meta, vector in chroma.iter_all(self.col):
            passages.append(Passage(id=doc_id, title=meta["title"], section=meta["section"], text=meta["text"],
                                    source=meta["source"], language=meta.get("language", "en")))
            vectors.append(vector)
        if passages:
            self._set(passages, np.stack(vectors))
        return len(passages)

    def _set(self, passages: Sequence[Passage], vectors: np.ndarray) -> None:
        self.passages = list(passages)
        rows = list(range(len(passages)))
        self.dense = DenseIndex(self.embedder.dim)
        self.dense.set_vectors(rows, vectors)
        texts = [passage_text(p) for p in passages]
        self.lexical.set_texts(rows, texts)
        self._tokens = [set(tokenize(text)) for text in texts]

    def search(self, question: str, k: int = 3) -> list[PassageHit]:
        """Relevant passages only, best first; empty means nothing relevant."""
        if not self.passages or not question.strip():
            return []
        text = expand_text(normalise(question))
        dense = self.dense.search(self.embedder.embed([text])[0], 20)
        lexical = self.lexical.search(text, 20)
        cosines = dict(dense)
        words = set(tokenize(text))
        hits = []
        for row, score in sorted(rrf([(1.0, [r for r, _ in dense]), (1.0, [r for r, _ in lexical])], 60).items(),
                                 key=lambda item: -item[1]):
            coverage = len(words & self._tokens[row]) / max(len(words), 1)
            cosine = cosines.get(row, 0.0)
            if cosine >= self.min_cosine or (coverage >= self.min_coverage and cosine >= self.support_cosine):
                hits.append(PassageHit(self.passages[row], score, cosine, coverage))
        return hits[:k]
