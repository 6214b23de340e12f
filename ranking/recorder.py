"""Behaviour events stored behind the caller: queued, then written in batches by one thread, so that a search does not
wait for a transaction (a search event only shapes later profiles)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from commerce.db import Database
from commerce.models import BehaviourEvent
from ranking.catalog import Catalog
from ranking.profile_store import record_events
from ranking.schemas import Profile

log = logging.getLogger(__name__)
WAIT_S = 10.0  # longest a flush or discard waits for the batch being written


class EventRecorder:
    def __init__(self, db: Database, half_life_days: float, catalog: Callable[[], Catalog | None],
                 stored: Callable[[dict[str, Profile | None]], None] | None = None, max_batch: int = 256) -> None:
        self.db = db
        self.half_life_days = half_life_days
        self.catalog = catalog
        self.stored = stored  # hears the profiles each batch left
        self.max_batch = max_batch
        self._pending: list[BehaviourEvent] = []
        self._writing = False
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None

    def record(self, event: BehaviourEvent) -> None:
        with self._changed:
            self._pending.append(event)
            if self._thread is None:
                self._thread = threading.Thread(target=self._write_forever, name="event-recorder", daemon=True)
                self._thread.start()
            self._changed.notify_all()

    def flush(self) -> bool:
        """Wait until every event recorded so far is stored; False if that took longer than WAIT_S."""
        with self._changed:
            return self._changed.wait_for(lambda: not self._pending and not self._writing, WAIT_S)

    def discard(self, shopper_id: str) -> int:
        """Drop the shopper's queued events and wait out a batch being written, so that none of theirs lands after
        the caller erases them. Returns how many were dropped."""
        with self._changed:
            kept = [event for event in self._pending if event.shopper_id != shopper_id]
            dropped, self._pending = len(self._pending) - len(kept), kept
            self._changed.wait_for(lambda: not self._writing, WAIT_S)
            return dropped

    def _write_forever(self) -> None:
        while True:
            with self._changed:
                self._changed.wait_for(lambda: bool(self._pending))
                batch, self._pending = self._pending[: self.max_batch], self._pending[self.max_batch :]
                self._writing = True
            try:
                profiles = record_events(self.db, batch, self.half_life_days, self.catalog())
                if self.stored is not None:
                    self.stored(dict(profiles))
            except Exception:  # the recorder must outlive a failed write (database down): those events are lost
                log.exception("%d behaviour events not stored", len(batch))
            finally:
                with self._changed:
                    self._writing = False
                    self._changed.notify_all()
