"""The Amazon ESCI subset (<shared_dir>/data/esci_subset) as catalog docs and graded relevance judgements."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from commerce.models import Product
from shopassist.settings import get_settings
from vectorstore.documents import ProductDoc, product_doc

GAINS = {"E": 1.0, "S": 0.1, "C": 0.01, "I": 0.0}


class LabeledQuery(BaseModel):
    """A query with graded gains per product id and the ids counted as relevant for recall/MRR."""

    id: str
    text: str
    language: str = "en"
    gains: dict[str, float]
    relevant: list[str]
    kind: str = "plain"
    # For the demo set: the hard constraints the labels were derived with (price, stock, negation, ...).
    constraints: dict = {}


def esci_dir() -> Path:
    folder = get_settings().shared_data("esci_subset")
    if not (folder / "products.jsonl").exists():
        raise FileNotFoundError(f"ESCI subset not found at {folder} (set SHOPASSIST_SHARED_DIR)")
    return folder


def esci_docs(folder: Path | None = None) -> list[ProductDoc]:
    docs = []
    with open((folder or esci_dir()) / "products.jsonl", encoding="utf-8") as handle:
        for line in handle:
            raw = json.loads(line)
            product = Product(
                id=raw["product_id"], title=raw["title"] or raw["product_id"], brand=raw.get("brand") or "",
                category_path=raw.get("category") or [], price=raw.get("price") or 0.0,
                rating=min(raw.get("rating") or 0.0, 5.0),
                attributes={"color": raw["color"]} if raw.get("color") else {},
            )
            docs.append(product_doc(product))
    return docs


def esci_queries(folder: Path | None = None) -> list[LabeledQuery]:
    queries = []
    with open((folder or esci_dir()) / "queries.jsonl", encoding="utf-8") as handle:
        for line in handle:
            raw = json.loads(line)
            gains = {j["product_id"]: GAINS[j["esci_label"]] for j in raw["judgments"]}
            relevant = [j["product_id"] for j in raw["judgments"] if j["esci_label"] == "E"]
            queries.append(LabeledQuery(id=raw["query_id"], text=raw["query"], gains=gains, relevant=relevant,
                                        kind=raw.get("esci_query_source", "plain")))
    return queries
