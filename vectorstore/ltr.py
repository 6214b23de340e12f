"""A learned ranker over fusion: per-candidate features (every retriever's score and rank, field matches, brand and
phrase flags, price fit, rating, stock) scored by a LightGBM lambdarank model; without a model file, fusion stands."""

from __future__ import annotations

import json
import logging
import math
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from vectorstore.documents import ProductDoc
from vectorstore.filters import price_bounds
from vectorstore.fusion import BM25, MINILM, PRF, USE
from vectorstore.lexical import LexicalIndex, tokenize
from vectorstore.query import SearchQuery

log = logging.getLogger(__name__)

RETRIEVERS = (MINILM, USE, BM25, PRF)
FEATURES = (
    *(f"{name}_{part}" for name in RETRIEVERS for part in ("score", "rank")),
    *(f"{name}_gap" for name in RETRIEVERS),
    "fused_score", "fused_rank",
    "title_match", "brand_match", "category_match", "colour_match", "attribute_match",
    "exact_phrase", "brand_in_query", "price_fit", "rating", "in_stock", "query_zh", "query_terms", "retrievers_found",
)
# Shipped with the code: `shopassist eval ranker` writes it (and its cross-validated report beside it).
MODEL_PATH = Path(__file__).with_name("models") / "ranker.txt"
MISSING_RANK = 1_000


@lru_cache(maxsize=65_536)
def _terms(text: str) -> frozenset[str]:
    return frozenset(tokenize(text))


def _coverage(weighted: Sequence[tuple[str, float]], total: float, field: frozenset[str]) -> float:
    """Share of the query's IDF mass found in a field: an IDF-weighted, length-free BM25 at tf=1."""
    return sum(weight for term, weight in weighted if term in field) / total if total > 0 else 0.0


def features(query: SearchQuery, docs: Sequence[ProductDoc], signals: Sequence[dict[str, tuple[int, float]]],
             fused: Sequence[float], lexical: LexicalIndex, english: str) -> np.ndarray:
    """One row per candidate, columns in FEATURES order; a retriever that did not return the candidate is NaN
    (score) and MISSING_RANK (rank). Field matches read `english`, the query in catalog words (ProductIndex.
    english_text), so they mean the same for a Chinese query."""
    rows = np.full((len(docs), len(FEATURES)), np.nan, dtype=np.float32)
    terms = list(dict.fromkeys(tokenize(english)))
    weighted = list(zip(terms, lexical.idf(terms).tolist(), strict=True))
    total = sum(weight for _, weight in weighted)
    low, high = price_bounds(query)
    text = english.lower()
    for i, (doc, found, score) in enumerate(zip(docs, signals, fused, strict=True)):
        row = rows[i]
        for j, name in enumerate(RETRIEVERS):
            rank, value = found.get(name, (MISSING_RANK, math.nan))
            row[2 * j], row[2 * j + 1] = value, rank
        col = 3 * len(RETRIEVERS)
        row[col], row[col + 1] = score, i
        brand = doc.brand.lower()
        row[col + 2] = _coverage(weighted, total, _terms(doc.title))
        row[col + 3] = _coverage(weighted, total, _terms(doc.brand))
        row[col + 4] = _coverage(weighted, total, _terms(" ".join(doc.category_path)))
        row[col + 5] = _coverage(weighted, total, _terms(" ".join(doc.colours)))
        row[col + 6] = _coverage(weighted, total, _terms(" ".join(doc.attributes.values())))
        row[col + 7] = float(len(text) > 2 and text in doc.title.lower())
        row[col + 8] = float(bool(brand) and brand in text)
        if low is not None or high is not None:
            fits = (low is None or doc.price >= low) and (high is None or doc.price <= high)
            row[col + 9] = float(fits)
        row[col + 10] = doc.rating
        row[col + 11] = float(doc.in_stock)
        row[col + 12] = float(query.language == "zh")
        row[col + 13] = len(terms)
        row[col + 14] = len(found)
    # Scores relative to the query's best: raw cosine and BM25 levels differ a lot from one query to the next.
    for j in range(len(RETRIEVERS)):
        column = rows[:, 2 * j]
        if len(rows) and not np.all(np.isnan(column)):
            rows[:, 2 * len(RETRIEVERS) + j] = column - np.nanmax(column)
    return rows


class LearnedRanker:
    """Loads the model file once; `score` returns None when there is no model, or for a query language its report
    (ranker.json, `apply_to`) leaves out because cross-validation found fusion better there: callers keep fusion."""

    def __init__(self, path: Path = MODEL_PATH) -> None:
        self.path = path
        self.languages: set[str] | None = None  # None: every language
        self._booster: Any = None
        self._loaded = False
        self._lock = threading.Lock()

    def _load(self) -> Any:
        with self._lock:
            if not self._loaded:
                self._loaded = True
                if self.path.exists():
                    import lightgbm

                    try:
                        booster = lightgbm.Booster(model_file=str(self.path))
                        if booster.num_feature() != len(FEATURES):
                            raise ValueError(f"{booster.num_feature()} features, search computes {len(FEATURES)}")
                        self._booster = booster
                        report = self.path.with_suffix(".json")
                        if report.exists():
                            self.languages = set(json.loads(report.read_text(encoding="utf-8"))["apply_to"])
                    except (OSError, ValueError, KeyError, lightgbm.basic.LightGBMError) as error:  # search must go on
                        log.warning("learned ranker not loaded from %s (%s): using fusion", self.path, error)
        return self._booster

    @property
    def available(self) -> bool:
        return self._load() is not None

    def applies_to(self, language: str) -> bool:
        return self._load() is not None and (self.languages is None or language in self.languages)

    def score(self, rows: np.ndarray, language: str = "en") -> np.ndarray | None:
        booster = self._load()
        if booster is None or not len(rows) or not self.applies_to(language):
            return None
        # float64 input and one thread: LightGBM's float32 path and its thread start-up cost more than 100 rows do.
        return np.asarray(booster.predict(rows.astype(np.float64), num_threads=1), dtype=np.float64)
