"""Profiles in the `profiles` table: incremental `record_event`, batch `rebuild_profiles`, reads."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from commerce.db import Database
from commerce.models import BehaviourEvent
from commerce.store import event_from_row, event_row, get_product
from commerce.tables import EventRow, ProfileRow, ShopperRow
from ranking.catalog import Catalog, candidate_from_product
from ranking.profiles import VectorLookup, apply_event, build_profile, new_profile
from ranking.schemas import Candidate, Profile


def personalization_allowed(session: Session, shopper_id: str) -> bool:
    """False only for a known shopper who opted out; unknown (guest) ids are pseudonymous and allowed."""
    allowed = session.scalar(select(ShopperRow.personalization).where(ShopperRow.id == shopper_id))
    return allowed is not False


def _stored(session: Session, shopper_id: str) -> Profile | None:
    row = session.get(ProfileRow, shopper_id)
    return Profile.model_validate(row.data) if row and row.data else None


def load_profile(session: Session, shopper_id: str) -> Profile | None:
    """The stored profile, or None when there is none or the shopper opted out of personalization."""
    return _stored(session, shopper_id) if personalization_allowed(session, shopper_id) else None


def save_profile(session: Session, profile: Profile) -> None:
    session.merge(ProfileRow(shopper_id=profile.shopper_id, data=profile.model_dump(mode="json")))


def load_or_build_profile(session: Session, shopper_id: str, half_life_days: float, catalog: Catalog | None = None,
                          vectors: VectorLookup | None = None) -> Profile | None:
    """The stored profile; when there is none yet (imported or generated history), built from the events and saved."""
    if not personalization_allowed(session, shopper_id):
        return None
    return _stored_or_built(session, shopper_id, half_life_days, catalog, vectors)


def _stored_or_built(session: Session, shopper_id: str, half_life_days: float, catalog: Catalog | None,
                     vectors: VectorLookup | None) -> Profile | None:
    """For a shopper already known to allow personalization."""
    stored = _stored(session, shopper_id)
    if stored is not None:
        return stored
    history = [event_from_row(row) for row in session.scalars(
        select(EventRow).where(EventRow.shopper_id == shopper_id).order_by(EventRow.at))]
    if not history:
        return None
    profile = build_profile(shopper_id, history, catalog or Catalog.load(session), half_life_days, vectors)
    if profile is not None:
        save_profile(session, profile)
    return profile


def record_event(db: Database, event: BehaviourEvent, half_life_days: float, catalog: Catalog | None = None,
                 vectors: VectorLookup | None = None) -> Profile | None:
    """Store the event and fold it into the shopper's stored profile; opted-out shoppers are not tracked at all."""
    return record_events(db, [event], half_life_days, catalog, vectors).get(event.shopper_id)


def record_events(db: Database, events: list[BehaviourEvent], half_life_days: float, catalog: Catalog | None = None,
                  vectors: VectorLookup | None = None) -> dict[str, Profile]:
    """`record_event` for a batch in one transaction, each touched profile read and written once."""
    shoppers = {event.shopper_id for event in events}
    with db.session() as session:
        opted_out = set(session.scalars(select(ShopperRow.id).where(
            ShopperRow.id.in_(shoppers), ShopperRow.personalization.is_(False))))
        profiles: dict[str, Profile] = {}
        for shopper in shoppers - opted_out:
            existing = _stored_or_built(session, shopper, half_life_days, catalog, vectors)
            if existing is not None:
                profiles[shopper] = existing
        kept = [event for event in events if event.shopper_id not in opted_out]
        for event in kept:
            item = _item(session, event.product_id, catalog) if event.product_id else None
            profile = profiles.get(event.shopper_id)
            if profile is None:
                profile = profiles[event.shopper_id] = new_profile(event.shopper_id, event.at, half_life_days)
            apply_event(profile, event, item, catalog or Catalog.from_candidates([item] if item else []), vectors)
        session.add_all([event_row(event) for event in kept])
        for profile in profiles.values():
            save_profile(session, profile)
    return profiles


def rebuild_profiles(db: Database, half_life_days: float, catalog: Catalog | None = None,
                     vectors: VectorLookup | None = None) -> int:
    """Recompute every profile from the events table (opted-out shoppers get none); returns profiles written."""
    with db.session() as session:
        catalog = catalog or Catalog.load(session)
        opted_out = set(session.scalars(select(ShopperRow.id).where(ShopperRow.personalization.is_(False))))
        by_shopper: dict[str, list[BehaviourEvent]] = defaultdict(list)
        for row in session.scalars(select(EventRow).order_by(EventRow.at)):
            if row.shopper_id not in opted_out:
                by_shopper[row.shopper_id].append(event_from_row(row))
        session.execute(delete(ProfileRow))
        written = 0
        for shopper_id, events in by_shopper.items():
            profile = build_profile(shopper_id, events, catalog, half_life_days, vectors)
            if profile is not None:
                save_profile(session, profile)
                written += 1
        return written


def _item(session: Session, product_id: str, catalog: Catalog | None) -> Candidate | None:
    if catalog is not None:
        return catalog.get(product_id)
    product = get_product(session, product_id)
    return candidate_from_product(product) if product else None
