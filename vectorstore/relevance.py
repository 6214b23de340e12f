"""The learned relevance stage after fusion: the top `depth` fused candidates scored by ColBERT late interaction
(product token vectors stored at indexing) or the cross-encoder, the two orders combined by weighted reciprocal rank.
Which model, depth, product text and weight per query language come from `models/relevance.json`, which
`shopassist eval retrieval --dataset esci` writes from nested cross-validation by query; a language it leaves out
keeps the fused order."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field

from vectorstore.documents import ProductDoc
from vectorstore.embeddings import EmbeddingCache, content_hash
from vectorstore.relevance_models import COLBERT, CROSS, CrossEncoder, LateInteraction, maxsim

log = logging.getLogger(__name__)

CONFIG_PATH = Path(__file__).with_name("models") / "relevance.json"
RANK_K = 10  # the reciprocal-rank constant that combines the fused and the stage's orders

# What a product is scored on: its title, or title | brand | category (the dense spaces' text).
FIELDS: dict[str, Callable[[ProductDoc], str]] = {
    "title": lambda doc: doc.title,
    "embed": lambda doc: doc.embed_text,
}


class LanguageStage(BaseModel):
    """One query language's stage: `weight` is the stage order's share against the fused order's 1 (0 would be no
    stage; `replace` orders the top `depth` by the model alone)."""

    model: str = Field(description="colbert or cross")
    depth: int = Field(ge=2, le=200)
    field: str = "title"
    weight: float = 1.0
    replace: bool = False


class RelevanceConfig(BaseModel):
    languages: dict[str, LanguageStage] = {}
    report: dict = {}

    @classmethod
    def load(cls, path: Path = CONFIG_PATH) -> RelevanceConfig:
        if not path.exists():
            return cls()
        try:
            return cls.model_validate_json(path.read_text(encoding="utf-8"))
        except ValueError as error:  # search must go on with the fused order
            log.warning("relevance stage not loaded from %s (%s): using fusion", path, error)
            return cls()

    def save(self, path: Path = CONFIG_PATH) -> None:
        path.write_text(json.dumps(self.model_dump(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    def needs(self, model: str) -> set[str]:
        """The product text fields a model is configured to read, over every language."""
        return {stage.field for stage in self.languages.values() if stage.model == model}


def combine(count: int, scores: np.ndarray, weight: float, replace: bool) -> np.ndarray:
    """The new order (positions into the top `count` fused candidates): by the stage's scores alone, or by
    1/(K + fused rank) + weight/(K + stage rank)."""
    stage_rank = np.empty(count, dtype=np.int64)
    stage_rank[np.argsort(-scores, kind="stable")] = np.arange(count)
    if replace:
        return np.argsort(stage_rank, kind="stable")
    combined = 1.0 / (RANK_K + np.arange(count)) + weight / (RANK_K + stage_rank)
    return np.argsort(-combined, kind="stable")


class _Tokens:
    """One text field's token vectors for every row in one growing int8 array (a scale per token, offsets and
    lengths per row): 1 byte a value, and no array object per product, so a million products fit."""

    def __init__(self, dim: int) -> None:
        self.data = np.zeros((1024, dim), dtype=np.int8)
        self.scale = np.zeros(1024, dtype=np.float32)
        self.used = 0
        self.start = np.zeros(0, dtype=np.int64)
        self.length = np.zeros(0, dtype=np.int32)

    def put(self, rows: Sequence[int], matrices: Sequence[np.ndarray]) -> None:
        need = self.used + sum(len(m) for m in matrices)
        if need > len(self.data):
            size = max(need, len(self.data) * 5 // 4)  # np.zeros maps pages lazily: spare room costs no memory
            data, scale = np.zeros((size, self.data.shape[1]), dtype=np.int8), np.zeros(size, dtype=np.float32)
            data[: self.used], scale[: self.used] = self.data[: self.used], self.scale[: self.used]
            self.data, self.scale = data, scale
        top = max(rows, default=-1) + 1
        if top > len(self.start):
            self.start = np.concatenate([self.start, np.zeros(top - len(self.start), dtype=np.int64)])
            self.length = np.concatenate([self.length, np.zeros(top - len(self.length), dtype=np.int32)])
        if not matrices:
            return
        # A re-encoded product's old vectors stay unused in the array until the index is rebuilt.
        lengths = np.fromiter((len(m) for m in matrices), dtype=np.int64, count=len(matrices))
        flat = np.concatenate(matrices).astype(np.float32, copy=False)
        end = self.used + len(flat)
        scale = np.maximum(np.abs(flat).max(axis=1), 1e-9) / 127.0 if len(flat) else np.zeros(0, np.float32)
        self.scale[self.used : end] = scale
        self.data[self.used : end] = np.rint(flat / scale[:, None]).astype(np.int8)
        rows_array = np.asarray(rows, dtype=np.int64)
        self.start[rows_array] = self.used + np.concatenate([[0], np.cumsum(lengths)[:-1]])
        self.length[rows_array] = lengths
        self.used = end

    def get(self, row: int) -> np.ndarray:
        if not 0 <= row < len(self.start):
            return np.zeros((0, self.data.shape[1]), dtype=np.float32)
        span = slice(self.start[row], self.start[row] + self.length[row])
        return self.data[span].astype(np.float32) * self.scale[span, None]

    def has(self, row: int) -> bool:
        return 0 <= row < len(self.length) and self.length[row] > 0

    def nbytes(self) -> int:
        return self.data.nbytes + self.scale.nbytes + self.start.nbytes + self.length.nbytes


class TokenStore:
    """ColBERT token vectors per product row and text field, cached on disk by content hash so an unchanged product
    is never encoded twice."""

    def __init__(self, model: LateInteraction, cache: EmbeddingCache | None = None) -> None:
        self.model = model
        self.cache = cache
        self.fields: dict[str, _Tokens] = {}
        self.encoded = 0  # products actually run through the model (tests and stats)
        self._lock = threading.Lock()

    def set_docs(self, field: str, rows: Sequence[int], docs: Sequence[ProductDoc]) -> None:
        matrices = self._cached([FIELDS[field](doc) for doc in docs])
        self.put(field, rows, matrices)

    def put(self, field: str, rows: Sequence[int], matrices: Sequence[np.ndarray]) -> None:
        with self._lock:
            self.fields.setdefault(field, _Tokens(self.model.dim)).put(rows, matrices)

    def _cached(self, texts: Sequence[str]) -> list[np.ndarray]:
        if self.cache is None:
            self.encoded += len(texts)
            return self.model.documents(texts)
        # The cache holds float32 blobs: a float16 matrix (an even number of values) is stored as their bytes, half
        # the size of float32 values.
        name = f"{self.model.name}-f16"
        keys = [content_hash(name, text) for text in texts]
        found = {key: blob.view(np.float16) for key, blob in self.cache.get_many(list(dict.fromkeys(keys))).items()}
        missing = list(dict.fromkeys(t for t, k in zip(texts, keys, strict=True) if k not in found))
        if missing:
            fresh = dict(zip((content_hash(name, t) for t in missing), self.model.documents(missing), strict=True))
            self.cache.put_many({key: matrix.astype(np.float16).view(np.float32) for key, matrix in fresh.items()})
            found.update(fresh)
            self.encoded += len(missing)
        return [found[key].reshape(-1, self.model.dim) for key in keys]

    def has(self, field: str, row: int) -> bool:
        tokens = self.fields.get(field)
        return tokens is not None and tokens.has(row)

    def get(self, field: str, rows: Sequence[int]) -> list[np.ndarray]:
        tokens = self.fields.get(field)
        if tokens is None:
            return [np.zeros((0, self.model.dim), dtype=np.float32) for _ in rows]
        return [tokens.get(row) for row in rows]

    def nbytes(self) -> int:
        return sum(tokens.nbytes() for tokens in self.fields.values())

    def drop(self, row: int) -> None:
        with self._lock:
            for tokens in self.fields.values():
                if 0 <= row < len(tokens.length):
                    tokens.length[row] = 0


class RelevanceStage:
    """Scores the top fused candidates of the languages its config names; the ColBERT query vectors and the
    cross-encoder's (query, product) scores are cached, since shoppers repeat queries."""

    def __init__(self, config: RelevanceConfig | None = None, cache: EmbeddingCache | None = None,
                 late: LateInteraction | None = None, cross: CrossEncoder | None = None) -> None:
        self.config = config if config is not None else RelevanceConfig.load()
        self.late = late or LateInteraction()
        self.cross = cross or CrossEncoder()
        self.tokens = TokenStore(self.late, cache)
        self.query_tokens = lru_cache(maxsize=1024)(self.late.query)
        self._pair_scores: dict[tuple[str, str], float] = {}

    def for_language(self, language: str) -> LanguageStage | None:
        return self.config.languages.get(language)

    def index_docs(self, rows: Sequence[int], docs: Sequence[ProductDoc]) -> None:
        """Store token vectors for every field a ColBERT stage reads (nothing when none is configured)."""
        for field in sorted(self.config.needs(COLBERT)):
            self.tokens.set_docs(field, rows, docs)

    def scores(self, stage: LanguageStage, query: str, rows: Sequence[int], docs: Sequence[ProductDoc]
               ) -> np.ndarray:
        if stage.model == COLBERT:
            return maxsim(self.query_tokens(query), self.tokens.get(stage.field, rows))
        if stage.model == CROSS:
            texts = [FIELDS[stage.field](doc) for doc in docs]
            missing = [t for t in dict.fromkeys(texts) if (query, t) not in self._pair_scores]
            if missing:
                if len(self._pair_scores) > 200_000:
                    self._pair_scores.clear()
                self._pair_scores.update(zip(((query, t) for t in missing),
                                             self.cross.scores(query, missing).tolist(), strict=True))
            return np.asarray([self._pair_scores[(query, t)] for t in texts], dtype=np.float32)
        raise ValueError(f"unknown relevance model {stage.model!r}")

    def order(self, language: str, query: str, rows: Sequence[int], docs: Sequence[ProductDoc]) -> np.ndarray | None:
        """Positions of the fused candidates in their new order (the rest after the top `depth` keep theirs), or
        None when the language has no stage, or when a product in the top `depth` is written in another language than
        English: both models read English only (on the demo shop, scoring its Chinese titles cut Chinese NDCG@10)."""
        stage = self.for_language(language)
        if stage is None or not rows:
            return None
        top = min(stage.depth, len(rows))
        if any(doc.language != "en" for doc in docs[:top]):
            return None
        head = combine(top, self.scores(stage, query, rows[:top], docs[:top]), stage.weight, stage.replace)
        return np.concatenate([head, np.arange(top, len(rows))])
