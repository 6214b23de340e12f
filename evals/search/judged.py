"""Judged query sets: the ESCI subset, its Chinese rewrite (evals/datasets/esci_zh.jsonl) and any folder laid out
like it (products.jsonl + queries.jsonl with judgments inline)."""

from __future__ import annotations

import json
from pathlib import Path

from evals.search.esci import LabeledQuery, esci_docs, esci_queries
from vectorstore.documents import ProductDoc
from vectorstore.query import SearchQuery

ZH_SET = Path(__file__).resolve().parents[1] / "datasets" / "esci_zh.jsonl"


def chinese_queries(english: list[LabeledQuery], path: Path = ZH_SET) -> list[LabeledQuery]:
    """The same judged queries written in Chinese: each reuses its English query's judgments."""
    by_id = {query.id: query for query in english}
    out = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            raw = json.loads(line)
            source = by_id[raw["query_id"]]
            out.append(source.model_copy(update={"text": raw["query"], "language": "zh"}))
    return out


def load_judged(dataset: str) -> tuple[list[ProductDoc], list[LabeledQuery]]:
    """`esci` (English + Chinese queries) or a folder path; a folder's queries get their language from their text."""
    if dataset == "esci":
        english = esci_queries()
        return esci_docs(), english + chinese_queries(english)
    folder = Path(dataset)
    if not (folder / "products.jsonl").exists() or not (folder / "queries.jsonl").exists():
        raise FileNotFoundError(f"{folder} needs products.jsonl and queries.jsonl (judgments inline)")
    queries = esci_queries(folder)
    return esci_docs(folder), [q.model_copy(update={"language": SearchQuery(text=q.text).language}) for q in queries]
