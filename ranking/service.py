"""The ranker service over the database: shared signals fitted lazily, profiles read per call."""

from __future__ import annotations

import time
from typing import Literal

from sqlalchemy import select

from commerce.db import Database
from commerce.store import event_from_row
from commerce.tables import EventRow, ShopperRow
from ranking import recommend
from ranking.catalog import Catalog
from ranking.collab import ItemItem
from ranking.popularity import Popularity
from ranking.profile_store import load_or_build_profile
from ranking.profiles import VectorLookup
from ranking.recorder import EventRecorder
from ranking.rerank import RerankOptions, Signals, rerank
from ranking.schemas import Candidate, Profile, RankedItem

Mode = Literal["for_you", "similar", "bought_together", "complete_cart"]


class Ranker:
    """One per process (built by tools.deps.Deps); `forget` drops everything derived."""

    def __init__(self, db: Database, half_life_days: float, vectors: VectorLookup | None = None,
                 max_age_s: float = 900.0) -> None:
        self.db = db
        self.half_life_days = half_life_days
        self.vectors = vectors
        self.max_age_s = max_age_s
        self._signals: Signals | None = None
        self._fitted_at = 0.0
        self.recorder = EventRecorder(db, half_life_days, lambda: self.catalog)

    @property
    def signals(self) -> Signals:
        """Popularity and item-to-item are refitted from the events table when older than `max_age_s`."""
        if self._signals is None or time.monotonic() - self._fitted_at > self.max_age_s:
            self._signals, self._fitted_at = self._fit(), time.monotonic()
        return self._signals

    @property
    def catalog(self) -> Catalog:
        catalog = self.signals.catalog
        if catalog is None:
            raise RuntimeError("ranker signals were fitted without a catalog")
        return catalog

    def _fit(self) -> Signals:
        with self.db.session() as session:
            catalog = Catalog.load(session)
            opted_out = set(session.scalars(select(ShopperRow.id).where(ShopperRow.personalization.is_(False))))
            events = [event_from_row(row) for row in session.scalars(select(EventRow).order_by(EventRow.at))
                      if row.shopper_id not in opted_out]
        return Signals(catalog=catalog, popularity=Popularity.fit(events, catalog, self.half_life_days),
                       collab=ItemItem.fit(events, catalog.items))

    def forget(self) -> None:
        """Drop fitted signals; the next call refits from what is left in the database."""
        self._signals = None

    def profile(self, shopper_id: str | None) -> Profile | None:
        if shopper_id is None:
            return None
        with self.db.session() as session:
            return load_or_build_profile(session, shopper_id, self.half_life_days, self.catalog, self.vectors)

    def rerank(self, candidates: list[Candidate], shopper_id: str | None,
               options: RerankOptions | None = None) -> list[RankedItem]:
        return rerank(candidates, self.profile(shopper_id), self.signals, options)

    def recommend(self, mode: Mode, shopper_id: str | None, product_ids: list[str] | None = None, limit: int = 10,
                  intent: recommend.Intent | None = None) -> list[RankedItem]:
        """`product_ids`: the product for similar/bought_together, the cart for complete_cart."""
        signals, profile, ids = self.signals, self.profile(shopper_id), product_ids or []
        if mode == "for_you":
            return recommend.for_you(signals, profile, limit, intent)
        if not ids:
            raise ValueError(f"mode {mode} needs product ids")
        if mode == "similar":
            return recommend.similar(signals, ids[0], profile, limit)
        if mode == "bought_together":
            return recommend.bought_together(signals, ids[0], profile, limit)
        return recommend.complete_cart(signals, ids, profile, limit)

