"""`shopassist eval types`: does search hold its results to the kind of product asked for?

- other_kind@5: the share of top-5 hits of another kind than asked. Demo shop: the query's rule names its category,
  and a hit outside it is of another kind. ESCI (no categories): a judged hit labelled Irrelevant, which is mostly a
  product of another type; unjudged hits are left out.
- before: the fused ranking as retrieved; after: the ranking search presents (vectorstore.kinds.select_kind): the
  products of the asked kind first, then the others (which search labels with their own kind).
- false_missing: the share of carried queries that search says the shop does not carry.
- absent (demo): queries for kinds the demo shop does not carry (evals/datasets/demo_absent.jsonl, written for this
  check): how many search says are missing, and how many it presents as matches.
The type thresholds (vectorstore/product_types.py) were chosen on the demo sets; ESCI is held out.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from evals.search.esci import LabeledQuery
from evals.search.metrics import ndcg_at
from vectorstore.hybrid import Candidate, ProductIndex
from vectorstore.kinds import select_kind
from vectorstore.query import SearchQuery, parse_query
from vectorstore.service import catalog_vocabulary

ABSENT_SET = Path(__file__).parents[1] / "datasets" / "demo_absent.jsonl"
POOL = 20
TOP = 5


def presented(index: ProductIndex, query: SearchQuery) -> tuple[list[Candidate], list[Candidate], str]:
    """The retrieved pool, the ranking search presents and the kind status ('none' when no kind is understood)."""
    retrieved = index.retrieve(query, POOL)
    selection = select_kind(index, query, retrieved, POOL)
    if selection is None:
        return retrieved, retrieved, "none"
    return retrieved, selection.candidates + selection.others, selection.status


def _other_kind(ids: list[str], is_other: Callable[[str], bool | None]) -> tuple[int, int]:
    judged = [verdict for verdict in (is_other(pid) for pid in ids[:TOP]) if verdict is not None]
    return sum(judged), len(judged)


def evaluate_types(index: ProductIndex, labeled: list[LabeledQuery], queries: list[SearchQuery],
                   dataset: str) -> dict[str, Any]:
    by_language: dict[str, dict[str, float]] = {}
    for language in sorted({q.language for q in labeled}):
        totals = {"queries": 0, "other_before": 0, "other_after": 0, "judged_before": 0, "judged_after": 0,
                  "ndcg_before": 0.0, "ndcg_after": 0.0, "missing": 0, "understood": 0}
        for labels, query in zip(labeled, queries, strict=True):
            if labels.language != language:
                continue
            retrieved, shown, status = presented(index, query)
            if dataset == "demo":
                category = labels.constraints.get("category")
                docs = {c.product_id: c.doc for c in retrieved + shown}

                def is_other(pid: str, category: str | None = category, docs: dict = docs) -> bool | None:
                    return None if category is None else category not in docs[pid].category_path
            else:
                def is_other(pid: str, gains: dict[str, float] = labels.gains) -> bool | None:
                    return None if pid not in gains else gains[pid] == 0.0
            before = [c.product_id for c in retrieved]
            after = [c.product_id for c in shown]
            for name, ids in (("before", before), ("after", after)):
                other, judged = _other_kind(ids, is_other)
                totals[f"other_{name}"] += other
                totals[f"judged_{name}"] += judged
                totals[f"ndcg_{name}"] += ndcg_at(ids, labels.gains, 10)
            totals["queries"] += 1
            totals["missing"] += status == "missing"
            totals["understood"] += status != "none"
        n = max(totals["queries"], 1)
        by_language[language] = {
            "queries": totals["queries"],
            "other_kind_at5_before": round(totals["other_before"] / max(totals["judged_before"], 1), 4),
            "other_kind_at5_after": round(totals["other_after"] / max(totals["judged_after"], 1), 4),
            "ndcg10_before": round(totals["ndcg_before"] / n, 4),
            "ndcg10_after": round(totals["ndcg_after"] / n, 4),
            "false_missing": round(totals["missing"] / n, 4),
            "kind_understood": round(totals["understood"] / n, 4),
        }
    return {"dataset": dataset, "pool": POOL, "top": TOP, "by_language": by_language}


def absent_queries(index: ProductIndex, path: Path) -> dict[str, Any]:
    """Per language: the share of not-carried queries called missing, and the share presented as matches."""
    vocabulary = catalog_vocabulary(index.table)
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    out: dict[str, Any] = {}
    for language in sorted({row["language"] for row in rows}):
        statuses = [presented(index, parse_query(row["text"], vocabulary))[2]
                    for row in rows if row["language"] == language]
        out[language] = {"queries": len(statuses),
                         "said_missing": round(statuses.count("missing") / len(statuses), 4),
                         "presented_as_match": round(statuses.count("matched") / len(statuses), 4)}
    return out


def print_report(report: dict[str, Any], echo: Callable[[str], Any]) -> None:
    echo(f"{report['dataset']}: top-{report['top']} of a pool of {report['pool']}")
    echo(f"{'lang':5}{'n':>5}{'other@5 before':>16}{'after':>8}{'NDCG@10 before':>16}{'after':>8}"
         f"{'false missing':>15}{'understood':>12}")
    for language, row in report["by_language"].items():
        echo(f"{language:5}{row['queries']:>5}{row['other_kind_at5_before']:>16.4f}{row['other_kind_at5_after']:>8.4f}"
             f"{row['ndcg10_before']:>16.4f}{row['ndcg10_after']:>8.4f}{row['false_missing']:>15.4f}"
             f"{row['kind_understood']:>12.4f}")
    for language, row in report.get("absent", {}).items():
        echo(f"not carried ({language}, n={row['queries']}): said missing {row['said_missing']:.2%}, "
             f"presented as a match {row['presented_as_match']:.2%}")
