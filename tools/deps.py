"""What the tools run on, built once per process (agent runner, MCP endpoint, eval harness) and shared by its turns."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime

import numpy as np

from commerce.db import Database
from ranking.service import Ranker
from shopassist.settings import Settings
from vectorstore.service import SearchService, load_or_build, open_service


def utc_now() -> datetime:
    return datetime.now(UTC)


class Deps:
    """Database, settings and clock, plus the search service and ranker, each built on first use and kept.

    Pass `search` to share one already-open index (e.g. across the task suite's per-trial copies of a store).
    """

    def __init__(self, db: Database, settings: Settings, now: Callable[[], datetime] = utc_now,
                 search: SearchService | None = None) -> None:
        self.db = db
        self.settings = settings
        self.now = now
        self._search = search
        self._ranker: Ranker | None = None
        # Tools run in worker threads, concurrently: the first users must not each build an index or a ranker.
        self._lock = threading.Lock()

    @property
    def search(self) -> SearchService:
        with self._lock:
            if self._search is None:
                self._search = load_or_build(open_service(self.settings), self.db)
            return self._search

    @property
    def ranker(self) -> Ranker:
        with self._lock:
            if self._ranker is None:
                self._ranker = Ranker(self.db, self.settings.profile_half_life_days, self.product_vector)
            return self._ranker

    def close(self) -> None:
        """Store the behaviour events still queued (the process is about to end)."""
        if self._ranker is not None:
            self._ranker.recorder.flush()

    def product_vector(self, product_id: str) -> np.ndarray | None:
        """The product's embedding for profiles: read from the search index, loaded when a profile first needs it."""
        return self.search.products.vector_of(product_id)
