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
from vectorstore.filters import excluded
from vectorstore.fusion import BM25, PRF, FusionConfig, fuse
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
        self._rows = [{name: [row for row, _ in hits] for name, hits in lists.items()} for lists in self.lists]
        self._ids = [{row: doc.id for rows in lists.values() for row in rows if (doc := index.table.doc(row))}
                     for lists in self._rows]
        self._fold_fusions: dict[tuple[int, ...], FusionConfig] = {}
        # The relevance floor depends on the query and the dense spaces only: computed once, not per fusion tried.
        self._floors = [index.relevance_floor(query, lists) for query, lists in zip(self.search_queries, self.lists,
                                                                                     strict=True)]
        # Rows search leaves out of a query with exclusions whatever the fusion (excluded, or under the floor).
        self._dropped = [self._left_out(i) if query.exclude else set() for i, query in enumerate(self.search_queries)]

    def _left_out(self, i: int) -> set[int]:
        query, floor = self.search_queries[i], self._floors[i]
        scores: dict[int, dict[str, float]] = {}
        for name, hits in self.lists[i].items():
            for row, score in hits:
                scores.setdefault(row, {})[name] = score
        out = set()
        for row, found in scores.items():
            doc = self.index.table.doc(row)
            below = floor and not any(found[name] >= least for name, least in floor.items() if name in found)
            if doc is None or below or excluded(doc, query):
                out.add(row)
        return out

    def languages(self) -> list[str]:
        return sorted({query.language for query in self.queries})

    def positions(self, language: str | None = None, half: int | None = None) -> list[int]:
        """Query positions in one language; half 0 / 1 = even / odd position within that language."""
        picked = [i for i, q in enumerate(self.queries) if language is None or q.language == language]
        return picked if half is None else picked[half::2]

    def candidates(self, i: int, fusion: FusionConfig, only: str | None = None) -> list[Candidate]:
        query = self.search_queries[i]
        weights = {only: 1.0} if only else fusion.weights_for(query.language)
        # Search runs feedback only where the language weights it: so must the features the ranker learns from.
        lists = {name: hits for name, hits in self.lists[i].items() if name != PRF or weights.get(PRF, 0) > 0}
        return self.index.candidates(query, lists, weights, fusion.k_for(query.language), DEPTH, self._floors[i])

    def ranked(self, i: int, fusion: FusionConfig, only: str | None = None) -> list[str]:
        return [c.product_id for c in self.candidates(i, fusion, only)]

    def fold_fusion(self, train: Sequence[int]) -> FusionConfig:
        """Fusion tuned per language on the `train` positions only, tuned once per fold and shared by every
        cross-validated stage (learned ranker, relevance stage)."""
        key = tuple(sorted(train))
        if key not in self._fold_fusions:
            self._fold_fusions[key] = tune(self, {lang: [i for i in key if self.queries[i].language == lang]
                                                  for lang in self.languages()})
        return self._fold_fusions[key]

    def ndcg(self, positions: Sequence[int], fusion: FusionConfig) -> float:
        """Mean NDCG@10 of the fused order: the fast path for tuning (row ids only, no candidate objects)."""
        return mean(ndcg_at(self._top10(i, fusion), self.queries[i].gains, 10) for i in positions)

    def _top10(self, i: int, fusion: FusionConfig) -> list[str]:
        query, ids, dropped = self.search_queries[i], self._ids[i], self._dropped[i]
        fused = fuse(self._rows[i], fusion.weights_for(query.language), fusion.k_for(query.language))
        return [ids[row] for row, _ in fused if row in ids and row not in dropped][:10]


def tune(runs: Runs, positions_by_language: dict[str, list[int]]) -> FusionConfig:
    """Grid search per language of k and the weights (BM25 at 0 or 1: RRF is scale-free; the others, feedback
    included, over GRID_WEIGHT), on the given positions only."""
    dense = [name for name in runs.index.retrievers if name != BM25]
    weights, ks = {}, {}
    for language, positions in positions_by_language.items():
        if not positions:
            continue  # a fold holding out a language's only queries: that language falls back to English weights
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


Ranked = Callable[[int], list[str]]
SHIPPABLE = ("ranker_cv", "fusion_cv", "plain_rrf")


def evaluate(runs: Runs, tune_fusion: bool, learned: Callable[[Runs], dict[str, Ranked]],
             also_shippable: Sequence[str] = ()) -> tuple[dict[str, Any], FusionConfig]:
    """Every retriever alone, plain RRF, the fusion and the pipelines that `learned` gives. With `tune_fusion`
    (a judged set to learn from), `learned` gives query-level cross-validated `fusion_cv` and `ranker_cv`, the
    shipped pipeline is per language the best of those and plain RRF, and the fusion that ships is tuned on every
    query (or plain RRF where that won); without, the index's fusion and its shipped ranker are scored as they are.
    `also_shippable` names more cross-validated pipelines (the relevance stage's) the shipped choice may pick.
    Returns the report and the fusion to ship."""
    index, queries = runs.index, runs.queries
    plain = plain_rrf([name for name in index.retrievers if name != PRF])
    fusion = index.fusion
    result: dict[str, Any] = {"queries": len(queries), "products": len(index),
                              "ms_per_query_all_retrievers": round(runs.seconds_per_query * 1000, 1)}
    rankers: dict[str, Ranked] = {name: (lambda i, n=name: runs.ranked(i, plain, n)) for name in index.retrievers}
    rankers["plain_rrf"] = lambda i: runs.ranked(i, plain)
    if tune_fusion:
        fusion = tune(runs, {language: runs.positions(language) for language in runs.languages()})
    else:
        rankers["fusion"] = lambda i: runs.ranked(i, fusion)
    result["fusion"] = fusion.describe()
    rankers.update(learned(runs))
    if "ranker_cv" in rankers:
        # Per language, the best of the ranker, the tuned fusion (both cross-validated) and untuned plain RRF: a
        # 1-of-3 choice made on these queries, the only one that is.
        scored = table(runs, rankers)
        shippable = [*SHIPPABLE, *(name for name in also_shippable if name in rankers)]
        best = {lang: max(shippable, key=lambda name, lang=lang: scored[name][lang]["ndcg@10"])
                for lang in runs.languages()}
        result["shipped_by_language"] = best
        result["ranker_applies_to"] = [lang for lang, name in best.items() if name == "ranker_cv"]
        result["relevance_applies_to"] = [lang for lang, name in best.items() if name in also_shippable]
        rankers["shipped"] = lambda i: rankers[best[runs.search_queries[i].language]](i)
        untuned = [lang for lang, name in best.items() if name == "plain_rrf"]
        fusion = FusionConfig(
            k_by_language={lang: plain.k if lang in untuned else fusion.k_for(lang) for lang in best},
            weights={lang: plain.weights_for(lang) if lang in untuned else fusion.weights_for(lang) for lang in best})
        result["fusion"] = fusion.describe()
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
