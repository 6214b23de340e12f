"""Experiment buckets for a turn: the running experiments (re-read every few seconds, never per turn), the settings
the unit's variants change, and an exposure event the first time this replica sees the unit in an experiment."""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from commerce.db import Database
from commerce.events import AttributionEvent
from commerce.experiments import Experiment, list_experiments, unit_of
from serving import conversations as store

REMEMBERED = 100_000  # (experiment, unit) pairs whose exposure this replica logged; older ones may be logged again


@dataclass
class Assignment:
    variant: str = ""
    settings: dict[str, Any] = field(default_factory=dict)
    exposures: list[AttributionEvent] = field(default_factory=list)


class Assignments:
    def __init__(self, db: Database, refresh_s: float) -> None:
        self.db, self.refresh_s = db, refresh_s
        self._running: list[Experiment] = []
        self._read_at = float("-inf")
        self._exposed: OrderedDict[tuple[str, str], None] = OrderedDict()
        self._refreshing: asyncio.Task[None] | None = None

    async def running(self) -> list[Experiment]:
        """The running experiments: read once in the first turn, then re-read behind the turns when stale."""
        if self._read_at == float("-inf"):
            await self.refresh()
        elif time.monotonic() - self._read_at >= self.refresh_s and self._refreshing is None:
            self._refreshing = asyncio.create_task(self.refresh())
        return self._running

    async def refresh(self) -> None:
        try:
            self._running = await store.in_db_thread(self.db, _read_running)
            self._read_at = time.monotonic()
        finally:
            self._refreshing = None

    async def for_turn(self, conversation_id: str, shopper_id: str | None, language: str) -> Assignment:
        assignment = Assignment()
        names = []
        for experiment in await self.running():
            unit = unit_of(experiment, conversation_id, shopper_id)
            bucket = experiment.assign(unit)
            names.append(f"{experiment.name}={bucket}")
            assignment.settings.update(experiment.settings_for(bucket))
            if (experiment.name, unit) not in self._exposed:
                self._remember((experiment.name, unit))
                assignment.exposures.append(AttributionEvent(
                    kind="exposure", conversation_id=conversation_id, shopper_id=shopper_id, language=language,
                    term=experiment.name, detail=bucket))
        assignment.variant = ";".join(names)
        return assignment

    def _remember(self, key: tuple[str, str]) -> None:
        self._exposed[key] = None
        if len(self._exposed) > REMEMBERED:
            self._exposed.popitem(last=False)


def _read_running(db: Database) -> list[Experiment]:
    with db.session() as session:
        return list_experiments(session, running_only=True)
