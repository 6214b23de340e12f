"""`shopassist eval retrieval`: NDCG@10, Recall@10/50 and MRR per retriever and pipeline, English and Chinese."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from statistics import mean
from typing import Any

from evals.search.esci import LabeledQuery
from evals.search.metrics import ndcg_at, recall_at, reciprocal_rank
from vectorstore.fusion import BM25, PRF, FusionConfig
from vectorstore.hybrid import Candidate, Hits, ProductIndex
from vectorstore.query import SearchQuery

DEPTH = 100
GRID_K = (5, 10, 20, 60)
GRID_WEIGHT = (0.0, 0.25, 0.5, 1.0, 2.0)
Table = dict[str, dict[str, dict[str, float]]]  # retriever or pipeline -> language -> metrics


def metrics(ranked: Sequence[str], query: LabeledQuery) -> dict[str, float]:
    return {
        "ndcg@10": ndcg_at(ranked, query.gains, 10),
        "recall@10": recall_at(ranked, query.relevant, 10),
        "recall@50": recall_at(ranked, query.relevant, 50),
        "mrr": reciprocal_rank(ranked, query.relevant),
    }


def average(rows: Sequence[dict[str, float]]) -> dict[str, float]:
    return {key: round(mean(row[key] for row in rows), 4) for key in rows[0]} if rows else {}


def plain_rrf(retrievers: Sequence[str]) -> FusionConfig:
    """Unweighted RRF with the customary k=60 (no feedback list): the baseline any tuned fusion must beat."""
    equal = dict.fromkeys(retrievers, 1.0)
    return FusionConfig(k=60, weights={"en": equal, "zh": equal}, k_by_language={})


class Runs:
    """Every retriever's ranked list per query, computed once; fusion variants are cheap re-combinations."""

    def __init__(self, index: ProductIndex, queries: Sequence[LabeledQuery], search_queries: Sequence[SearchQuery]):
        self.index = index
        self.queries = list(queries)
        self.search_queries = list(search_queries)
        started = time.perf_counter()
        self.lists: list[dict[str, Hits]] = [
            index.retriever_lists(query, DEPTH * (3 if query.exclude else 1), index.retrievers)
            for query in self.search_queries
        ]
        self.seconds_per_query = (time.perf_counter() - started) / max(len(queries), 1)

    def languages(self) -> list[str]:
        return sorted({query.language for query in self.queries})

    def positions(self, language: str | None = None, half: int | None = None) -> list[int]:
        """Query positions in one language; half 0 / 1 = even / odd position within that language."""
        picked = [i for i, q in enumerate(self.queries) if language is None or q.language == language]
        return picked if half is None else picked[half::2]

    def candidates(self, i: int, fusion: FusionConfig, only: str | None = None) -> list[Candidate]:
        query = self.search_queries[i]
        weights = {only: 1.0} if only else fusion.weights_for(query.language)
        return self.index.candidates(query, self.lists[i], weights, fusion.k_for(query.language), DEPTH)

    def ranked(self, i: int, fusion: FusionConfig, only: str | None = None) -> list[str]:
        return [c.product_id for c in self.candidates(i, fusion, only)]

    def ndcg(self, positions: Sequence[int], fusion: FusionConfig) -> float:
        return mean(ndcg_at(self.ranked(i, fusion), self.queries[i].gains, 10) for i in positions)


def tune(runs: Runs, positions_by_language: dict[str, list[int]]) -> FusionConfig:
    """Grid search per language of k and the weights (BM25 at 0 or 1: RRF is scale-free; the others, feedback
    included, over GRID_WEIGHT), on the given positions only."""
    dense = [name for name in runs.index.retrievers if name != BM25]
    weights, ks = {}, {}
    for language, positions in positions_by_language.items():
        scored = []
        for k in GRID_K:
            for values in itertools.product(*[GRID_WEIGHT] * len(dense), (0.0, 1.0)):
                if any(values):
                    candidate = dict(zip([*dense, BM25], values, strict=True))
                    config = FusionConfig(k=k, weights={"en": candidate}, k_by_language={})
                    scored.append((runs.ndcg(positions, config), k, candidate))
        _, ks[language], weights[language] = max(scored, key=lambda item: item[0])
    return FusionConfig(k_by_language=ks, weights=weights)


def table(runs: Runs, rankers: dict[str, Callable[[int], list[str]]], positions: Sequence[int] | None = None
          ) -> Table:
    allowed = set(range(len(runs.queries)) if positions is None else positions)
    out: Table = {}
    for name, ranked in rankers.items():
        for language in runs.languages():
            picked = [i for i in runs.positions(language) if i in allowed]
            rows = [metrics(ranked(i), runs.queries[i]) for i in picked]
            out.setdefault(name, {})[language] = {"queries": len(rows), **average(rows)}
    return out


def evaluate(runs: Runs, tune_fusion: bool,
             learned: Callable[[Runs, FusionConfig], Callable[[int], list[str]] | None]
             ) -> tuple[dict[str, Any], FusionConfig]:
    """Every retriever alone, plain RRF, the fusion (tuned on the even half of each language when `tune_fusion`,
    else the shipped weights) and the shipped pipeline (fusion + the learned ranker that `learned` gives).
    Returns the report and the fusion it used."""
    index, queries = runs.index, runs.queries
    plain = plain_rrf([name for name in index.retrievers if name != PRF])
    fusion = index.fusion
    result: dict[str, Any] = {"queries": len(queries), "products": len(index),
                              "ms_per_query_all_retrievers": round(runs.seconds_per_query * 1000, 1)}
    if tune_fusion:
        fusion = tune(runs, {language: runs.positions(language, 0) for language in runs.languages()})
        result["tuned_on"] = "even-position queries of each language; 'held_out' scores only the odd ones"
    result["fusion"] = fusion.describe()
    rankers = {name: (lambda i, n=name: runs.ranked(i, plain, n)) for name in index.retrievers}
    rankers["plain_rrf"] = lambda i: runs.ranked(i, plain)
    rankers["fusion"] = lambda i: runs.ranked(i, fusion)
    ranker = learned(runs, fusion)
    if ranker is not None and tune_fusion:
        # Cross-validated on these queries: it ships for the languages where it beat the fusion it reorders.
        rankers["ranker_cv"] = ranker
        scored = table(runs, rankers)
        applies = [lang for lang in runs.languages()
                   if scored["ranker_cv"][lang]["ndcg@10"] > scored["fusion"][lang]["ndcg@10"]]
        result["ranker_applies_to"] = applies
        rankers["shipped"] = lambda i: (ranker(i) if runs.search_queries[i].language in applies
                                        else runs.ranked(i, fusion))
    elif ranker is not None:
        rankers["shipped"] = ranker
    result["all"] = table(runs, rankers)
    if tune_fusion:
        odd = [i for language in runs.languages() for i in runs.positions(language, 1)]
        result["held_out"] = table(runs, rankers, odd)
    return result, fusion


def print_table(title: str, block: Table, echo: Callable[[str], Any]) -> None:
    languages = sorted({language for row in block.values() for language in row})
    echo(f"\n== {title}")
    echo(f"{'':10}" + "".join(f" | {lang:3} ndcg@10 recall@10 recall@50    mrr" for lang in languages))
    for name, row in block.items():
        cells = "".join(f" |  {row[lang]['ndcg@10']:10.4f} {row[lang]['recall@10']:9.4f} "
                        f"{row[lang]['recall@50']:9.4f} {row[lang]['mrr']:6.4f}" for lang in languages)
        echo(f"{name:10}{cells}")
    echo("  queries: " + ", ".join(f"{lang} {next(iter(block.values()))[lang]['queries']}" for lang in languages))


def write(result: dict[str, Any], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
