"""Dialogues with what each turn must be understood as (evals/datasets/understanding/*.jsonl): the act, the catalog
kind or the kind the shop lacks, the budget and size, the shown products it points at, and what the answer must
and must not say. The held-out file was written from the catalog alone, apart from the code."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from agent.acts import Act

DATASETS = Path(__file__).parents[1] / "datasets" / "understanding"
TUNE_PATH = DATASETS / "tune.jsonl"
HELDOUT_PATH = DATASETS / "heldout.jsonl"


class ExpectedTurn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1)
    act: Act
    kind: str | None = Field(None, description="The catalog kind asked about, e.g. 'Office Chair'")
    absent_kind: str | None = Field(None, description="A kind the shop does not sell, e.g. 'humidifier'")
    max_price: float | None = None
    min_price: float | None = None
    currency: str | None = None
    size: str | None = None
    colour: str | None = None
    shown_ref: list[int] | None = None
    must_say_any: list[str] = Field(default_factory=list)
    must_not_say: list[str] = Field(default_factory=list)


class UnderstandingDialogue(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    language: Literal["en", "zh", "mixed"]
    signed_in: bool = False
    topic: str = ""
    turns: list[ExpectedTurn] = Field(min_length=1)


def load_dialogues(path: Path) -> list[UnderstandingDialogue]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [UnderstandingDialogue.model_validate_json(line) for line in lines if line.strip()]
