"""The demo-shop labeled query set: each query carries an explicit rule, and a product is relevant iff it meets it.

Labels are derived from product data only, never from a retriever:
- `category`: the product's category path contains this node (leaf or root);
- `attributes`: every attribute key equals the value (e.g. waterproof = yes);
- `price_min`/`price_max` (in `currency`, converted at vectorstore.filters.USD_PER_UNIT): the product's price is inside;
- `in_stock`: some variant has stock; `colour`/`size`: some variant (or attribute) has one of them;
- `brand`: the product's brand is one of them;
- `exclude`: the product's title, attributes and colours do not mention any of these words.
Gain is 1 for a product meeting the rule and 0 otherwise; recall and MRR count gain-1 products.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from commerce.db import Database
from commerce.store import iter_products
from evals.search.esci import LabeledQuery
from vectorstore.catalog import affirms, exclusion_text
from vectorstore.documents import ProductDoc, product_doc
from vectorstore.filters import USD_PER_UNIT

DATASET = Path(__file__).parents[1] / "datasets" / "demo_queries.jsonl"
# Queries written the way shoppers write when search is hard: vague needs, long sentences, several attributes,
# misspellings and mixed Chinese/English (`eval retrieval --dataset demo-hard`; never used for tuning).
HARD_SET = DATASET.with_name("demo_hard.jsonl")


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    category: str | None = None
    attributes: dict[str, str] = Field(default_factory=dict)
    price_min: float | None = None
    price_max: float | None = None
    currency: str = "USD"
    in_stock: bool | None = None
    colour: list[str] = Field(default_factory=list)
    size: list[str] = Field(default_factory=list)
    brand: list[str] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)

    @property
    def hard(self) -> bool:
        return self.price_min is not None or self.price_max is not None or bool(self.in_stock) or bool(self.exclude)


class QuerySpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    text: str
    language: str
    kind: str = Field(description="plain | price | attribute | colour | size | brand | negation | stock | "
                      "misspelling | vague | long | mixed")
    rule: Rule


def load_specs(path: Path = DATASET) -> list[QuerySpec]:
    with open(path, encoding="utf-8") as handle:
        return [QuerySpec.model_validate_json(line) for line in handle if line.strip()]


def demo_docs(database: Database) -> list[ProductDoc]:
    with database.session() as session:
        return [product_doc(product) for product in iter_products(session)]


def meets(doc: ProductDoc, rule: Rule) -> bool:
    rate = USD_PER_UNIT[rule.currency]
    checks = (
        rule.category is None or rule.category.lower() in {node.lower() for node in doc.category_path},
        all(doc.attributes.get(key.lower()) == value.lower() for key, value in rule.attributes.items()),
        rule.price_min is None or doc.price >= rule.price_min * rate - 1e-9,
        rule.price_max is None or doc.price <= rule.price_max * rate + 1e-9,
        not rule.in_stock or doc.in_stock,
        not rule.colour or bool({c.lower() for c in rule.colour} & doc.colours),
        not rule.size or bool({s.lower() for s in rule.size} & {s.lower() for s in doc.sizes}),
        not rule.brand or doc.brand.lower() in {b.lower() for b in rule.brand},
        not any(affirms(exclusion_text(doc), term) for term in rule.exclude),
    )
    return all(checks)


def label_demo_queries(specs: list[QuerySpec], docs: list[ProductDoc]) -> tuple[list[LabeledQuery], list[QuerySpec]]:
    """Labeled queries with at least one relevant product (and the specs kept, in the same order)."""
    labeled, kept = [], []
    for spec in specs:
        relevant = [doc.id for doc in docs if meets(doc, spec.rule)]
        if relevant:
            labeled.append(LabeledQuery(id=spec.id, text=spec.text, language=spec.language, kind=spec.kind,
                                        gains={pid: 1.0 for pid in relevant}, relevant=relevant,
                                        constraints=spec.rule.model_dump(exclude_defaults=True)))
            kept.append(spec)
    return labeled, kept
