"""Schema of the fresh shopper-message set (evals/datasets/fresh_messages.jsonl): dialogues with expectations per
message, written apart from the gold set so that tuning on one does not flatter the other."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field

from evals.gold.schema import ExpectedCall, GoldModel

FRESH_PATH = Path(__file__).parents[1] / "datasets" / "fresh_messages.jsonl"


class FreshExpect(GoldModel):
    calls: list[ExpectedCall] = Field(default_factory=list,
                                      description="Each: one of its tools called (successfully) with its key arguments")
    must_not_call: list[str] = Field(default_factory=list)
    confirmation: bool | None = Field(None, description="True: an action must be proposed for the shopper to "
                                                        "confirm; False: none may be; None: either")
    products: bool | None = Field(None, description="True: product cards must be shown; False: none may be")
    max_price: float | None = Field(None, description="Every product card shown costs at most this (card currency)")
    answer_contains_any: list[str] = Field(default_factory=list, description="The answer holds one of these, e.g. "
                                           "\"don't carry\" where the shop lacks what was asked")


class FreshTurn(GoldModel):
    text: str = Field(min_length=1, description="What the shopper types")
    expect: FreshExpect = Field(default_factory=FreshExpect)


class FreshDialogue(GoldModel):
    id: str
    language: Literal["en", "zh", "mixed"]
    shopper: str | None = Field(None, description="Demo-shop shopper id, signed in with a token; None: anonymous")
    topic: str = Field(description="e.g. 'refinement', 'return', 'injection'")
    turns: list[FreshTurn] = Field(min_length=1)


def load_fresh(path: Path = FRESH_PATH) -> list[FreshDialogue]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [FreshDialogue.model_validate_json(line) for line in lines if line.strip()]
