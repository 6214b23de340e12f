"""Hybrid product retrieval: every dense space + BM25 under one filter mask, fused by language-weighted RRF."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from commerce.models import Product
from vectorstore.catalog import CatalogTable
from vectorstore.documents import ProductDoc, product_doc
from vectorstore.filters import build_mask, excluded
from vectorstore.fusion import BM25, PRF, USE, FusionConfig, fuse
from vectorstore.lexical import LexicalIndex, tokenize
from vectorstore.ltr import LearnedRanker, features
from vectorstore.multilingual import TermTranslator
from vectorstore.product_types import ProductTypes, TypeMatch, head_phrase
from vectorstore.query import SearchQuery
from vectorstore.relevance import RelevanceStage
from vectorstore.spaces import DenseSpace

Hits = list[tuple[int, float]]
# Called with a stage's name as each retrieval stage ends ('mask', 'translate', 'dense_minilm', 'bm25', …).
Lap = Callable[[str], None]


def _no_lap(_stage: str) -> None:
    return None
PRF_DOCS, PRF_TERMS = 3, 5  # chosen on the even ESCI half (Chinese), with 5/8 and 10/10 tried
# Under filters, a candidate is kept when some dense space scores it at least this share of the best cosine any product
# in the whole catalog gets for the query: filters that leave no related product ('backpack under $11') then show
# nothing rather than unrelated products that merely pass them.
RELEVANCE_FLOOR = 0.6


@dataclass
class Candidate:
    """A retrieved product with every retriever's (rank, score) for downstream rankers (ranking/, vectorstore.ltr)."""

    product_id: str
    score: float
    doc: ProductDoc
    signals: dict[str, tuple[int, float]] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)


class ProductIndex:
    """The first space is the store of record: its Chroma collection holds the documents and metadata."""

    def __init__(self, spaces: Sequence[DenseSpace], fusion: FusionConfig | None = None,
                 ranker: LearnedRanker | None = None, relevance: RelevanceStage | None = None) -> None:
        assert spaces, "at least one dense space"
        self.spaces = list(spaces)
        self.fusion = fusion or FusionConfig()
        self.ranker = ranker
        self.relevance = relevance
        self.table = CatalogTable()
        self.lexical = LexicalIndex()
        multilingual = next((space.embedder for space in self.spaces if space.key == USE), None)
        self.translator = TermTranslator(multilingual, self.lexical) if multilingual is not None else None
        self.types = ProductTypes(multilingual)
        self._lock = threading.RLock()

    def __len__(self) -> int:
        return len(self.table)

    @property
    def col(self):  # noqa: ANN201 - a chromadb Collection, or None in memory
        return self.spaces[0].col

    @property
    def retrievers(self) -> list[str]:
        keys = [space.key for space in self.spaces]
        return [*keys, BM25, *([PRF] if USE in keys else [])]

    # --- writing -------------------------------------------------------------------------------------------
    def add_docs(self, docs: Sequence[ProductDoc], progress: Callable[[int], None] | None = None,
                 batch: int = 256) -> int:
        """Index docs in every space; only docs whose embedded text changed are embedded. Returns how many."""
        embedded = 0
        for start in range(0, len(docs), batch):
            chunk = docs[start : start + batch]
            changed = [doc for doc in chunk if not self._same_text(doc)]
            changed_ids = {doc.id for doc in changed}
            same = [doc for doc in chunk if doc.id not in changed_ids]
            vectors = [space.embedder.embed([doc.embed_text for doc in changed]) for space in self.spaces]
            embedded += len(changed)
            with self._lock:
                rows = self.table.upsert_many(chunk)
                self.lexical.set_texts(rows, [doc.lexical_text for doc in chunk])
                changed_rows = [self.table.row_of[doc.id] for doc in changed]
                for space, space_vectors in zip(self.spaces, vectors, strict=True):
                    space.store(changed_rows, changed, space_vectors, same)
            if self.relevance is not None:
                self.relevance.index_docs(changed_rows, changed)
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
            if self.relevance is not None:
                self.relevance.tokens.drop(row)  # type: ignore[arg-type]
            for space in self.spaces:
                if space.col is not None:
                    space.col.delete(ids=[product_id])
            return True

    def update_offer(self, product_id: str, price: float | None = None, in_stock: bool | None = None) -> None:
        """A price or stock change: metadata only, in every collection, no re-embedding."""
        with self._lock:
            doc = self.table.update_offer(product_id, price, in_stock)
            for space in self.spaces:
                space.store([], [], None, [doc])

    def load_from_collection(self) -> int:
        """Rebuild the in-memory tables from Chroma without embedding what the collections already hold; a space
        whose collection lacks products (an embedder added to an existing index) embeds just those."""
        first = self.spaces[0]
        docs, vectors = first.load_all()
        with self._lock:
            rows = self.table.upsert_many(docs)
            if docs:
                first.index.set_vectors(rows, np.stack(vectors))
            self.lexical.set_texts(rows, [doc.lexical_text for doc in docs])
        for space in self.spaces[1:]:
            space.load_or_embed(docs, rows)
        if self.relevance is not None:
            self.relevance.index_docs(rows, docs)
        for space in self.spaces:
            space.index.prepare()
        return len(docs)

    # --- reading -------------------------------------------------------------------------------------------
    def retriever_lists(self, query: SearchQuery, depth: int, only: Sequence[str] | None = None,
                        lap: Lap = _no_lap) -> dict[str, Hits]:
        """Each retriever's (row, score) hits, best first, under the query's filter mask; `lap` hears each stage
        end (bench search times them)."""
        if not query.text:
            return {}
        mask = build_mask(self.table, query) if query.has_filters() else None
        lap("mask")
        feedback = PRF in only if only is not None else self.fusion.weights_for(query.language).get(PRF, 0) > 0
        english = self.english_text(query)
        lap("translate")
        lists: dict[str, Hits] = {}
        for space in self.spaces:
            if only is None or space.key in only or (feedback and space.key == USE):
                text = query.text if space.key == USE else english
                lists[space.key] = space.index.search(space.query_vector(text), depth, mask)
                lap(f"dense_{space.key}")
        if only is None or BM25 in only:
            lexical_text = query.text if english == query.text else f"{query.text} {english}"
            lists[BM25] = self.lexical.search(lexical_text, depth, mask)
            lap("bm25")
        if feedback and USE in lists:
            lists[PRF] = self.lexical.search(self.feedback_text(lists[USE]), depth, mask)
            lap("feedback_bm25")
        return lists

    def english_text(self, query: SearchQuery) -> str:
        """What the English-only retrievers read: a Chinese query in the catalog's words, any other as it is."""
        if query.language != "zh" or self.translator is None:
            return query.text
        return self.translator.english(query.text)

    def kind_names(self) -> list[str]:
        """The catalog's product types (leaf categories)."""
        with self._lock:
            self.types.refresh(self.table.generation, [doc for doc in self.table.docs if doc is not None])
        return self.types.names()

    def named_kind(self, text: str) -> TypeMatch | None:
        """The catalog type a message names in so many words (vectorstore.product_types.ProductTypes.named)."""
        with self._lock:
            self.types.refresh(self.table.generation, [doc for doc in self.table.docs if doc is not None])
        return self.types.named(text)

    def asked_kind(self, query: SearchQuery) -> TypeMatch | None:
        """The kind of product the query names, against this catalog's product types (None: no claim)."""
        head = head_phrase(query.wording or query.text)
        if head is None:
            return None
        with self._lock:
            self.types.refresh(self.table.generation, [doc for doc in self.table.docs if doc is not None])
        english = self.translator.english(head) if self.translator is not None and not head.isascii() else None
        return self.types.match(head, english)

    def near_kind(self, match: TypeMatch, leaf: str) -> bool:
        return self.types.near(match.asked, leaf)

    def feedback_text(self, hits: Hits) -> str:
        """The words most shared by the top titles of a ranked list (each title counted once per word)."""
        counts: Counter[str] = Counter()
        for row, _ in hits[:PRF_DOCS]:
            doc = self.table.doc(row)
            if doc is not None:
                counts.update(sorted(set(tokenize(doc.title))))  # sorted: ties break the same way every run
        return " ".join(term for term, _ in counts.most_common(PRF_TERMS))

    def browse(self, query: SearchQuery, k: int) -> list[Candidate]:
        """No words, only constraints: the best-rated products that pass them."""
        mask = build_mask(self.table, query) if query.has_filters() else self.table.alive
        rows = np.flatnonzero(mask)
        order = rows[np.argsort(-self.table.rating[rows], kind="stable")]
        out = []
        for row in order:
            doc = self.table.doc(int(row))
            if doc is not None and not excluded(doc, query):
                out.append(Candidate(doc.id, float(doc.rating), doc))
                if len(out) == k:
                    break
        return out

    def fused(self, query: SearchQuery, depth: int, only: Sequence[str] | None = None) -> list[Candidate]:
        """Fused candidates (or one retriever's, with `only=[name]`), exclusions applied, best first."""
        weights = self.fusion.weights_for(query.language) if only is None else dict.fromkeys(only, 1.0)
        lists = self.retriever_lists(query, depth, only)
        return self.candidates(query, lists, weights, self.fusion.k_for(query.language), depth)

    def candidates(self, query: SearchQuery, lists: dict[str, Hits], weights: Mapping[str, float], k: int,
                   depth: int, floor: dict[str, float] | None = None) -> list[Candidate]:
        """Weighted RRF of ranked lists into at most `depth` candidates carrying every list's (rank, score); `floor`
        (relevance_floor's answer for these lists) may be passed by a caller that fuses the same lists many ways."""
        fused = fuse({name: [row for row, _ in hits] for name, hits in lists.items()}, weights, k)
        info = {name: {row: (rank, score) for rank, (row, score) in enumerate(hits)} for name, hits in lists.items()}
        floor = self.relevance_floor(query, lists) if floor is None else floor
        out: list[Candidate] = []
        for row, score in fused:
            doc = self.table.doc(row)
            if doc is None or excluded(doc, query):
                continue
            signals = {name: found[row] for name, found in info.items() if row in found}
            if floor and not any(signals[name][1] >= least for name, least in floor.items() if name in signals):
                continue
            out.append(Candidate(doc.id, score, doc, signals))
            if len(out) == depth:
                break
        return out

    def relevance_floor(self, query: SearchQuery, lists: dict[str, Hits]) -> dict[str, float]:
        """Per dense space in `lists`, the least cosine a candidate needs (none for a query without filters)."""
        if not query.has_filters():
            return {}
        english = self.english_text(query)
        floor = {}
        for space in self.spaces:
            if space.key in lists:
                best = space.index.search(space.query_vector(query.text if space.key == USE else english), 1)
                if best and best[0][1] > 0:
                    floor[space.key] = RELEVANCE_FLOOR * best[0][1]
        return floor

    def rerank(self, query: SearchQuery, candidates: list[Candidate]) -> list[Candidate]:
        """The relevance stage's order where it applies to the query's language, else the learned ranker's (its score
        becomes the candidate's), else the fused order."""
        if self.relevance is not None and candidates and self.relevance.for_language(query.language) is not None:
            return self.relevant(query, candidates)
        if self.ranker is None or not candidates or not self.ranker.applies_to(query.language):
            return candidates
        rows = features(query, [c.doc for c in candidates], [c.signals for c in candidates],
                        [c.score for c in candidates], self.lexical, self.english_text(query))
        scores = self.ranker.score(rows, query.language)
        if scores is None:
            return candidates
        order = np.argsort(-scores, kind="stable")
        return [replace(candidates[i], score=float(scores[i])) for i in order]

    def relevant(self, query: SearchQuery, candidates: list[Candidate]) -> list[Candidate]:
        """The fused candidates reordered by the relevance stage (it reads a Chinese query in catalog words)."""
        assert self.relevance is not None
        rows = [self.table.row_of.get(c.product_id, -1) for c in candidates]
        order = self.relevance.order(query.language, self.english_text(query), rows, [c.doc for c in candidates])
        if order is None:
            return candidates
        # Each position keeps the fused score it had, so personal reranking sees the scale it was tuned on.
        return [replace(candidates[i], score=candidates[n].score) for n, i in enumerate(order.tolist())]

    def retrieve(self, query: SearchQuery, k: int = 20, only: Sequence[str] | None = None) -> list[Candidate]:
        """The top k: fused (re-ranked by the learned ranker when it is shipped), or one retriever's with `only`."""
        if not query.text:
            return self.browse(query, k)
        depth = max(k, self.fusion.depth)
        candidates = self.fused(query, depth * (3 if query.exclude else 1), only)[:depth]
        return (candidates if only is not None else self.rerank(query, candidates))[:k]

    def vector_of(self, product_id: str) -> np.ndarray | None:
        """The product's embedding in the first space (ranking/ uses it for similarity), None when not indexed."""
        row = self.table.row_of.get(product_id)
        return None if row is None else self.spaces[0].index.vector(row)
