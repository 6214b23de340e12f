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
PROFILES_KEPT = 10_000  # cached profiles past which the expired ones are dropped


class Ranker:
    """One per process (built by tools.deps.Deps); `forget` drops everything derived.

    A shopper's profile is read from the database at most every `profile_ttl_s` (so events stored by another process
    reach this one's ranking within it); the events this process records replace its cached profile at once.
    """

    def __init__(self, db: Database, half_life_days: float, vectors: VectorLookup | None = None,
                 max_age_s: float = 900.0, profile_ttl_s: float = 5.0) -> None:
        self.db = db
        self.half_life_days = half_life_days
        self.vectors = vectors
        self.max_age_s = max_age_s
        self.profile_ttl_s = profile_ttl_s
        self._signals: Signals | None = None
        self._fitted_at = 0.0
        self._profiles: dict[str, tuple[float, Profile | None]] = {}
        self.recorder = EventRecorder(db, half_life_days, lambda: self.catalog, stored=self._keep_profiles)

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
        """Drop fitted signals and cached profiles; the next call refits from what is left in the database."""
        self._signals = None
        self._profiles = {}

    def profile(self, shopper_id: str | None) -> Profile | None:
        if shopper_id is None:
            return None
        now = time.monotonic()
        cached = self._profiles.get(shopper_id)
        if cached is not None and now - cached[0] < self.profile_ttl_s:
            return cached[1]
        with self.db.session() as session:
            profile = load_or_build_profile(session, shopper_id, self.half_life_days, self.catalog, self.vectors)
        self._keep_profiles({shopper_id: profile}, now)
        return profile

    def _keep_profiles(self, profiles: dict[str, Profile | None], at: float | None = None) -> None:
        at = time.monotonic() if at is None else at
        if len(self._profiles) > PROFILES_KEPT:
            self._profiles = {key: kept for key, kept in self._profiles.items() if at - kept[0] < self.profile_ttl_s}
        self._profiles.update({shopper: (at, profile) for shopper, profile in profiles.items()})

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

