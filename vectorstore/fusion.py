"""Reciprocal-rank fusion of the retrievers (one per embedding space, plus BM25), weighted per query language."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

MINILM, USE, BM25 = "minilm", "use", "bm25"

# `shopassist eval retrieval --dataset esci` chose these on the even-position ESCI queries of each language (English,
# and the same queries in Chinese: evals/datasets/esci_zh.jsonl) and scores them on the odd ones. MiniLM is
# English-only; USE puts both languages in one space; in Chinese, BM25 only finds brand tokens and did not help.
DEFAULT_K = 60
DEFAULT_WEIGHTS: dict[str, dict[str, float]] = {
    "en": {MINILM: 0.5, USE: 0.25, BM25: 1.0},
    "zh": {MINILM: 0.25, USE: 0.5, BM25: 0.0},
}


@dataclass(frozen=True)
class FusionConfig:
    """RRF constant k, candidate depth per retriever, and a weight per (query language, retriever)."""

    k: int = DEFAULT_K
    depth: int = 100
    weights: Mapping[str, Mapping[str, float]] = field(default_factory=lambda: DEFAULT_WEIGHTS)

    def weights_for(self, language: str) -> Mapping[str, float]:
        return self.weights.get(language) or self.weights["en"]

    def describe(self) -> dict:
        return {"k": self.k, "depth": self.depth, "weights": {lang: dict(w) for lang, w in self.weights.items()}}


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
