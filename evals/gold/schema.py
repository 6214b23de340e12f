"""Schema of the gold dialogue set (evals/datasets/gold_dialogues.jsonl): annotated turns with expected tools,
arguments, products (as constraints on the catalog) and citations."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from commerce.models import Product

GOLD_PATH = Path(__file__).parents[1] / "datasets" / "gold_dialogues.jsonl"
GoldIntent = Literal[
    "search", "refinement", "comparison", "recommendation", "faq", "order_status", "cancel", "return", "exchange",
    "cart", "handoff", "off_topic", "injection_message", "injection_product",
]


class GoldModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ArgCheck(GoldModel):
    """One expected argument. `names` are alternative argument names, matched against leaf keys anywhere in the
    call's arguments (so `max_price` also finds `filters.max_price`)."""

    names: list[str]
    equals: Any = None
    approx: float | None = Field(None, description="Numeric value, ±1%")
    contains_any: list[str] = Field(default_factory=list, description="Case-insensitive substrings, any one")
    shown_positions: list[int] = Field(
        default_factory=list, description="0-based positions of products shown earlier whose ids the value must hold"
    )

    def matches(self, value: Any, shown_ids: list[str] | None = None) -> bool:
        if self.shown_positions:
            wanted = [shown_ids[i] for i in self.shown_positions if shown_ids and i < len(shown_ids)]
            text = str(value)
            return bool(wanted) and all(product_id in text for product_id in wanted)
        if self.approx is not None:
            try:
                return abs(float(value) - self.approx) <= max(0.01 * abs(self.approx), 0.011)
            except (TypeError, ValueError):
                return False
        if self.contains_any:
            text = str(value).lower()
            return any(part.lower() in text for part in self.contains_any)
        if self.equals is not None:
            return str(value).lower() == str(self.equals).lower()
        return True


class ExpectedCall(GoldModel):
    tools: list[str] = Field(description="Acceptable tool names (any one)")
    arguments: list[ArgCheck] = Field(default_factory=list)


class ProductConstraint(GoldModel):
    """A predicate over catalog products: shown products must satisfy it (the demo catalog is generated)."""

    text_any: list[str] = Field(default_factory=list, description="Title/category/description contains any")
    text_none: list[str] = Field(default_factory=list, description="Negation: contains none of these")
    max_price: float | None = None
    min_price: float | None = None
    in_stock: bool | None = None
    ids: list[str] = Field(default_factory=list)

    def satisfied_by(self, product: Product) -> bool:
        haystack = " ".join([product.title, product.category, product.brand, *product.attributes.values()]).lower()
        if self.ids and product.id not in self.ids:
            return False
        if self.text_any and not any(word.lower() in haystack for word in self.text_any):
            return False
        if any(word.lower() in haystack for word in self.text_none):
            return False
        if self.max_price is not None and product.price > self.max_price + 0.005:
            return False
        if self.min_price is not None and product.price < self.min_price - 0.005:
            return False
        return self.in_stock is None or product.in_stock == self.in_stock


class ExpectedCitation(GoldModel):
    """A cited passage whose id/title/section/text contains any of these (case-insensitive)."""

    any_of: list[str]


class HistoryTurn(GoldModel):
    user: str
    assistant: str
    shown: ProductConstraint | None = Field(None, description="Products shown in that turn, resolved at run time")
    shown_count: int = Field(0, ge=0, le=10)


class Expectation(GoldModel):
    calls: list[ExpectedCall] = Field(default_factory=list, description="Each must be matched by some call")
    no_tools: bool = Field(False, description="The right behaviour calls no tool at all")
    forbidden_tools: list[str] = Field(default_factory=list)
    products: ProductConstraint | None = None
    citations: list[ExpectedCitation] = Field(default_factory=list)
    must_not_match: list[str] = Field(default_factory=list, description="Regexes the answer must not match")
    handoff: bool | None = None


class Setup(GoldModel):
    shopper: Literal["none", "any", "with_pending_order", "with_delivered_order"] = "none"
    inject_into_product: str = Field("", description="Appended to the description of the first shown product")


class GoldDialogue(GoldModel):
    id: str
    intent: GoldIntent
    language: Literal["en", "zh"]
    setup: Setup = Field(default_factory=Setup)
    history: list[HistoryTurn] = Field(default_factory=list)
    user_text: str = Field(description="The evaluated message; '{order_id}' is filled from the setup's shopper")
    expect: Expectation
    notes: str = ""


def load_gold(path: Path = GOLD_PATH) -> list[GoldDialogue]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [GoldDialogue.model_validate_json(line) for line in lines if line.strip()]
