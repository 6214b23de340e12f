"""`shopassist eval retrieval`: NDCG@10, Recall@10/50 and MRR per retriever and language, on ESCI or the demo shop."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from pathlib import Path
from statistics import mean
from typing import Any

from evals.search.esci import LabeledQuery
from evals.search.metrics import ndcg_at, recall_at, reciprocal_rank
from vectorstore.filters import excluded
from vectorstore.hybrid import FusionConfig, ProductIndex, rrf
from vectorstore.query import SearchQuery

RETRIEVERS = ("dense", "bm25", "hybrid")
GRID_K = (2, 5, 10, 20, 60)
GRID_DENSE_WEIGHT = (0.75, 1.0, 1.25, 1.5, 2.0, 2.5)
DEPTH = 100


def metrics(ranked: list[str], query: LabeledQuery) -> dict[str, float]:
    return {
        "ndcg@10": ndcg_at(ranked, query.gains, 10),
        "recall@10": recall_at(ranked, query.relevant, 10),
        "recall@50": recall_at(ranked, query.relevant, 50),
        "mrr": reciprocal_rank(ranked, query.relevant),
    }


def average(rows: Sequence[dict[str, float]]) -> dict[str, float]:
    return {key: round(mean(row[key] for row in rows), 4) for key in rows[0]} if rows else {}


class Runs:
    """Dense and BM25 rankings per query, computed once; fusion variants are cheap re-combinations."""

    def __init__(self, index: ProductIndex, queries: Sequence[LabeledQuery], search_queries: Sequence[SearchQuery]):
        self.index = index
        self.queries = list(queries)
        self.lists: dict[str, tuple[list[int], list[int]]] = {}
        started = time.perf_counter()
        for labeled, query in zip(queries, search_queries, strict=True):
            dense, lexical = index.ranked_lists(query, DEPTH * (3 if query.exclude else 1))
            self.lists[labeled.id] = ([r for r, _ in dense], [r for r, _ in lexical])
        self.seconds_per_query = (time.perf_counter() - started) / max(len(queries), 1)
        self.search_queries = {labeled.id: query for labeled, query in zip(queries, search_queries, strict=True)}

    def ranked(self, query_id: str, retriever: str, fusion: FusionConfig) -> list[str]:
        dense, lexical = self.lists[query_id]
        query = self.search_queries[query_id]
        if retriever == "dense":
            rows = dense
        elif retriever == "bm25":
            rows = lexical
        else:
            dense_weight, lexical_weight = fusion.weights(query)
            fused = rrf([(dense_weight, dense), (lexical_weight, lexical)], fusion.k)
            rows = [row for row, _ in sorted(fused.items(), key=lambda item: -item[1])]
        docs = (self.index.table.doc(row) for row in rows)
        return [doc.id for doc in docs if doc is not None and not excluded(doc, query)][:DEPTH]

    def score(self, retriever: str, fusion: FusionConfig, ids: set[str] | None = None) -> list[dict[str, float]]:
        return [metrics(self.ranked(q.id, retriever, fusion), q) for q in self.queries if ids is None or q.id in ids]


def tune(runs: Runs, ids: set[str]) -> FusionConfig:
    """Grid search over RRF k and the dense weight on `ids` only (the other half stays held out)."""
    best, best_score = FusionConfig(), -1.0
    for k in GRID_K:
        for weight in GRID_DENSE_WEIGHT:
            config = FusionConfig(k=k, dense_weight=weight, zh_dense_weight=weight)
            score = mean(row["ndcg@10"] for row in runs.score("hybrid", config, ids))
            if score > best_score + 1e-9:
                best, best_score = config, score
    return best


def report(runs: Runs, fusion: FusionConfig) -> dict[str, Any]:
    out: dict[str, Any] = {"overall": {}, "by_language": {}, "by_kind": {}}
    for retriever in RETRIEVERS:
        rows = runs.score(retriever, fusion)
        out["overall"][retriever] = average(rows)
        for field, bucket in (("language", "by_language"), ("kind", "by_kind")):
            groups: dict[str, list[dict[str, float]]] = {}
            for query, row in zip(runs.queries, rows, strict=True):
                groups.setdefault(getattr(query, field), []).append(row)
            for name, group in groups.items():
                out[bucket].setdefault(name, {"queries": len(group)})[retriever] = average(group)
    return out


def evaluate(index: ProductIndex, queries: Sequence[LabeledQuery], search_queries: Sequence[SearchQuery],
             tune_fusion: bool) -> dict[str, Any]:
    runs = Runs(index, queries, search_queries)
    result: dict[str, Any] = {"queries": len(queries), "products": len(index),
                              "ms_per_query": round(runs.seconds_per_query * 1000, 1)}
    shipped, plain = FusionConfig(), FusionConfig(k=60, dense_weight=1.0, zh_dense_weight=1.0)
    result["plain_rrf"] = {"config": plain.__dict__, **report(runs, plain)}
    result["shipped"] = {"config": shipped.__dict__, **report(runs, shipped)}
    if tune_fusion:
        ids = [q.id for q in queries]
        tune_ids, held_ids = set(ids[0::2]), set(ids[1::2])
        chosen = tune(runs, tune_ids)
        result["tuned"] = {
            "config": chosen.__dict__,
            "tuned_on": "even-position queries", "held_out": "odd-position queries",
            "held_out_ndcg@10": {r: average(runs.score(r, chosen, held_ids))["ndcg@10"] for r in RETRIEVERS},
            "held_out_plain_rrf_ndcg@10": average(runs.score("hybrid", plain, held_ids))["ndcg@10"],
            **report(runs, chosen),
        }
    return result


def print_table(result: dict[str, Any], echo: Any) -> None:
    for name in ("plain_rrf", "shipped", "tuned"):
        if name not in result:
            continue
        block = result[name]
        echo(f"\n== {name} {block['config']}")
        echo(f"{'retriever':10} {'ndcg@10':>8} {'recall@10':>10} {'recall@50':>10} {'mrr':>7}")
        for retriever, row in block["overall"].items():
            echo(f"{retriever:10} {row['ndcg@10']:8.4f} {row['recall@10']:10.4f} {row['recall@50']:10.4f} "
                 f"{row['mrr']:7.4f}")
        for language, groups in block["by_language"].items():
            cells = "  ".join(f"{r} {groups[r]['ndcg@10']:.4f}" for r in RETRIEVERS)
            echo(f"  language {language} ({groups['queries']} queries) ndcg@10: {cells}")
        if "held_out_ndcg@10" in block:
            echo(f"  held-out half ndcg@10: {block['held_out_ndcg@10']} (plain RRF "
                 f"{block['held_out_plain_rrf_ndcg@10']})")


def write(result: dict[str, Any], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
