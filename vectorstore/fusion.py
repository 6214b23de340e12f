"""Reciprocal-rank fusion of the retrievers (one per embedding space, plus BM25), weighted per query language."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

MINILM, USE, BM25 = "minilm", "use", "bm25"
# Pseudo-relevance feedback: BM25 over the words of the multilingual space's best titles, so a Chinese query gets
# the catalog's own (English) words.
PRF = "prf"

# `shopassist eval retrieval --dataset esci` tunes k and the weights per language on every judged ESCI query (English,
# and the same queries in Chinese: evals/datasets/esci_zh.jsonl), each understood as search_products understands it;
# its nested 5-fold CV scores the same procedure on queries it did not tune on. In Chinese the tuned weights alone lose
# to plain RRF under that CV, but tuned fusion followed by the relevance stage (vectorstore/relevance.py,
# cross-validated over each fold's tuned fusion) beats both, so Chinese ships the tuned weights with the stage. MiniLM
# and BM25 read a Chinese query in catalog words (multilingual.TermTranslator); USE puts both languages in one space.
DEFAULT_K = 60
DEFAULT_K_BY_LANGUAGE: dict[str, int] = {"en": 5, "zh": 60}
DEFAULT_WEIGHTS: dict[str, dict[str, float]] = {
    "en": {MINILM: 2.0, USE: 0.5, PRF: 0.5, BM25: 1.0},
    "zh": {MINILM: 2.0, USE: 1.0, PRF: 1.0, BM25: 1.0},
}


@dataclass(frozen=True)
class FusionConfig:
    """RRF constant k, candidate depth per retriever, and a weight per (query language, retriever)."""

    k: int = DEFAULT_K
    depth: int = 100
    weights: Mapping[str, Mapping[str, float]] = field(default_factory=lambda: DEFAULT_WEIGHTS)
    k_by_language: Mapping[str, int] = field(default_factory=lambda: DEFAULT_K_BY_LANGUAGE)

    def weights_for(self, language: str) -> Mapping[str, float]:
        return self.weights.get(language) or self.weights["en"]

    def k_for(self, language: str) -> int:
        return self.k_by_language.get(language, self.k)

    def describe(self) -> dict:
        return {"k": self.k, "k_by_language": dict(self.k_by_language), "depth": self.depth,
                "weights": {lang: dict(w) for lang, w in self.weights.items()}}


def rrf(rankings: Sequence[tuple[float, Sequence[int]]], k: int) -> dict[int, float]:
    fused: dict[int, float] = {}
    for weight, rows in rankings:
        if weight <= 0:
            continue
        for rank, row in enumerate(rows):
            fused[row] = fused.get(row, 0.0) + weight / (k + rank + 1)
    return fused


def fuse(lists: Mapping[str, Sequence[int]], weights: Mapping[str, float], k: int) -> list[tuple[int, float]]:
    """Rows best first by weighted RRF over the named ranked lists (a retriever without a weight is left out)."""
    fused = rrf([(weights.get(name, 0.0), rows) for name, rows in lists.items()], k)
    return sorted(fused.items(), key=lambda item: -item[1])
