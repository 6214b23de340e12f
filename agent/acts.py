"""The routing decisions' order as data: prompts/acts.toml's rows map a message's features to its dialogue act."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

ACTS_PATH = Path(__file__).resolve().parent.parent / "prompts" / "acts.toml"

Act = Literal["search", "shown_question", "compare", "superlative", "refine", "order", "policy", "cart", "checkout",
              "preference", "watch", "handoff", "greeting", "confirm", "off_topic", "unclear", "other"]

# The act of a plan's intent, for turns the rules left to the classifier or the LLM planner.
INTENT_ACTS: dict[str, Act] = {
    "product_search": "search", "recommendation": "search", "refinement": "refine", "product_question":
    "shown_question", "comparison": "compare", "order_status": "order", "order_change": "order",
    "policy_question": "policy", "cart": "cart", "human_agent": "handoff", "greeting": "greeting",
    "off_topic": "off_topic", "preferences": "preference", "watch": "watch", "confirmation": "confirm",
}


class DecisionRow(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    act: Act
    when: list[str]

    def fits(self, features: frozenset[str]) -> bool:
        return all((name[1:] not in features) if name.startswith("!") else (name in features) for name in self.when)


class DecisionCase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    features: list[str]
    act: Act


class DecisionTable(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    rows: list[DecisionRow]
    cases: list[DecisionCase] = []

    def decide(self, features: frozenset[str]) -> Act:
        """The act of the first row whose features all hold; 'other' when none fits."""
        return next((row.act for row in self.rows if row.fits(features)), "other")

    def features_named(self) -> set[str]:
        return {name.lstrip("!") for row in self.rows for name in row.when}


@cache
def decision_table(path: Path = ACTS_PATH) -> DecisionTable:
    return DecisionTable.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
