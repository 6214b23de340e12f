"""A/B experiments on the assistant's per-turn settings: definitions, deterministic assignment with a holdout."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from commerce.tables import ExperimentRow
from shopassist.errors import describe_error
from shopassist.settings import Settings

HOLDOUT = "holdout"
# Settings a turn reads when it starts: a variant may change these and nothing else.
EXPERIMENT_SETTINGS = frozenset({"agent_answer", "agent_advice_sentences", "agent_max_steps", "agent_planner",
                                 "agent_plan_budget_s"})


class ExperimentError(ValueError):
    """An experiment that cannot be started, stopped or read as asked; the message says why."""


class Variant(BaseModel):
    name: str = Field(pattern=r"^[a-z0-9_-]{1,32}$", description="e.g. 'control', 'advice'")
    weight: float = Field(1.0, gt=0, description="Relative share of the assigned units")
    settings: dict[str, Any] = Field(default_factory=dict, description="e.g. {'agent_answer': 'advice'}")

    @field_validator("settings")
    @classmethod
    def _per_turn_only(cls, settings: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(settings) - EXPERIMENT_SETTINGS)
        if unknown:
            raise ValueError(f"not per-turn settings: {', '.join(unknown)} (allowed: "
                             f"{', '.join(sorted(EXPERIMENT_SETTINGS))})")
        try:
            checked = Settings(**settings)
        except ValidationError as error:
            raise ValueError(describe_error(error, "settings")) from None
        return {key: getattr(checked, key) for key in settings}  # '3' given on a command line is kept as 3


class Experiment(BaseModel):
    name: str = Field(pattern=r"^[a-z0-9_-]{1,64}$", description="e.g. 'answer-wording'")
    unit: Literal["shopper", "session"] = Field("session", description="What is randomized: a signed-in shopper "
                                                "(anonymous sessions fall back to the session) or each session")
    holdout: float = Field(0.0, ge=0, lt=1, description="Share kept on the default settings, e.g. 0.1")
    variants: list[Variant] = Field(min_length=2, description="The first is the control")
    status: Literal["running", "stopped"] = "running"
    started_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    stopped_at: datetime | None = None

    @model_validator(mode="after")
    def _distinct_names(self) -> Experiment:
        names = [variant.name for variant in self.variants]
        if len(set(names)) != len(names) or HOLDOUT in names:
            raise ValueError(f"variant names must be distinct and not {HOLDOUT!r}")
        return self

    def shares(self) -> dict[str, float]:
        """Expected share of units per bucket, the holdout included."""
        total = sum(variant.weight for variant in self.variants)
        shares = {variant.name: (1 - self.holdout) * variant.weight / total for variant in self.variants}
        return {**shares, HOLDOUT: self.holdout} if self.holdout else shares

    def assign(self, unit_id: str) -> str:
        """The unit's bucket: the same for the same unit every time, independent across experiments."""
        if _uniform(f"{self.name}:holdout:{unit_id}") < self.holdout:
            return HOLDOUT
        point = _uniform(f"{self.name}:variant:{unit_id}") * sum(variant.weight for variant in self.variants)
        for variant in self.variants:
            point -= variant.weight
            if point < 0:
                return variant.name
        return self.variants[-1].name

    def settings_for(self, bucket: str) -> dict[str, Any]:
        return next((variant.settings for variant in self.variants if variant.name == bucket), {})


def _uniform(key: str) -> float:
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big") / 2**64


def unit_of(experiment: Experiment, conversation_id: str, shopper_id: str | None) -> str:
    return shopper_id if experiment.unit == "shopper" and shopper_id else conversation_id


def _model(row: ExperimentRow) -> Experiment:
    return Experiment(name=row.name, unit=row.unit, holdout=row.holdout,  # type: ignore[arg-type]
                      variants=[Variant.model_validate(item) for item in row.variants],
                      status=row.status, started_at=row.started_at, stopped_at=row.stopped_at)  # type: ignore[arg-type]


def start_experiment(session: Session, experiment: Experiment) -> Experiment:
    if session.get(ExperimentRow, experiment.name) is not None:
        raise ExperimentError(f"an experiment named {experiment.name!r} exists; choose another name")
    session.add(ExperimentRow(name=experiment.name, status="running", unit=experiment.unit,
                              holdout=experiment.holdout, variants=[v.model_dump() for v in experiment.variants],
                              started_at=experiment.started_at))
    return experiment


def stop_experiment(session: Session, name: str, now: datetime | None = None) -> Experiment:
    row = session.get(ExperimentRow, name)
    if row is None:
        raise ExperimentError(f"no experiment named {name!r}")
    if row.status == "running":
        row.status, row.stopped_at = "stopped", now or datetime.now(UTC)
    return _model(row)


def get_experiment(session: Session, name: str) -> Experiment:
    row = session.get(ExperimentRow, name)
    if row is None:
        raise ExperimentError(f"no experiment named {name!r}")
    return _model(row)


def list_experiments(session: Session, running_only: bool = False) -> list[Experiment]:
    query = select(ExperimentRow).order_by(ExperimentRow.started_at)
    if running_only:
        query = query.where(ExperimentRow.status == "running")
    return [_model(row) for row in session.scalars(query)]
