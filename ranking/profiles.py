"""Time-decayed shopper profiles built from behaviour events, one event at a time or in batch."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

import numpy as np

from commerce.models import BehaviourEvent, EventKind
from ranking.catalog import Catalog, category_prefixes
from ranking.schemas import Candidate, Profile, SeenProduct, as_utc

VectorLookup = Callable[[str], Sequence[float] | None]

EVENT_WEIGHTS: dict[EventKind, float] = {
    EventKind.VIEW: 1.0, EventKind.CLICK: 2.0, EventKind.ADD_TO_CART: 4.0, EventKind.PURCHASE: 8.0,
    EventKind.SEARCH: 0.0,
}
KIND_STRENGTH = {kind: rank for rank, kind in enumerate(["view", "click", "add_to_cart", "purchase"])}
MAX_KEYS = 200
MAX_PRODUCTS = 50
MIN_WEIGHT = 1e-4


def new_profile(shopper_id: str, at: datetime, half_life_days: float) -> Profile:
    return Profile(shopper_id=shopper_id, as_of=at, half_life_days=half_life_days)


def decay_factor(profile: Profile, later: datetime, earlier: datetime) -> float:
    days = (later - earlier).total_seconds() / 86400.0
    return float(0.5 ** (days / profile.half_life_days))


def apply_event(profile: Profile, event: BehaviourEvent, item: Candidate | None, catalog: Catalog,
                vectors: VectorLookup | None = None) -> Profile:
    """Fold one event into the profile in place: decay to the newer time, then add the event's weight."""
    profile.events += 1
    event = event.model_copy(update={"at": as_utc(event.at)})
    weight = EVENT_WEIGHTS[event.kind]
    if item is None or weight == 0.0:
        return profile
    if event.at > profile.as_of:
        _scale(profile, decay_factor(profile, event.at, profile.as_of))
        profile.as_of = event.at
    else:
        weight *= decay_factor(profile, profile.as_of, event.at)
    for prefix in category_prefixes(item.category_path):
        _add(profile.categories, prefix, weight)
    if item.brand:
        _add(profile.brands, item.brand, weight)
    _add(profile.price_bands, catalog.price_band(item), weight)
    for key, value in item.attributes.items():
        _add(profile.attributes, f"{key.lower()}={str(value).lower()}", weight)
    _remember_product(profile, event, item, weight)
    if vectors is not None:
        _add_vector(profile, vectors(item.product_id), weight)
    _prune(profile)
    return profile


def build_profile(shopper_id: str, events: Iterable[BehaviourEvent], catalog: Catalog, half_life_days: float,
                  vectors: VectorLookup | None = None) -> Profile | None:
    ordered = sorted(events, key=lambda event: as_utc(event.at))
    if not ordered:
        return None
    profile = new_profile(shopper_id, as_utc(ordered[0].at), half_life_days)
    for event in ordered:
        item = catalog.get(event.product_id) if event.product_id else None
        apply_event(profile, event, item, catalog, vectors)
    return profile


def _add(weights: dict[str, float], key: str, weight: float) -> None:
    weights[key] = weights.get(key, 0.0) + weight


def _scale(profile: Profile, factor: float) -> None:
    for weights in (profile.categories, profile.brands, profile.price_bands, profile.attributes):
        for key in weights:
            weights[key] *= factor
    for seen in profile.products.values():
        seen.weight *= factor
    profile.embedding_weight *= factor


def _remember_product(profile: Profile, event: BehaviourEvent, item: Candidate, weight: float) -> None:
    seen = profile.products.get(item.product_id)
    if seen is None:
        profile.products[item.product_id] = SeenProduct(weight=weight, kind=event.kind.value, at=event.at,
                                                        title=item.title)
    else:
        seen.weight += weight
        seen.at = max(seen.at, event.at)
        if KIND_STRENGTH[event.kind.value] > KIND_STRENGTH.get(seen.kind, -1):
            seen.kind = event.kind.value
    if event.kind == EventKind.PURCHASE:
        previous = profile.purchased.get(item.product_id)
        profile.purchased[item.product_id] = max(previous, event.at) if previous else event.at


def _add_vector(profile: Profile, vector: Sequence[float] | None, weight: float) -> None:
    if vector is None:
        return
    new = np.asarray(vector, dtype=np.float64)
    if profile.embedding is None or len(profile.embedding) != len(new) or profile.embedding_weight <= 0:
        profile.embedding, profile.embedding_weight = new.tolist(), weight
        return
    total = profile.embedding_weight + weight
    mean = (np.asarray(profile.embedding) * profile.embedding_weight + new * weight) / total
    profile.embedding, profile.embedding_weight = mean.tolist(), total


def _prune(profile: Profile) -> None:
    for name in ("categories", "brands", "price_bands", "attributes"):
        weights: dict[str, float] = getattr(profile, name)
        if len(weights) > MAX_KEYS or min(weights.values(), default=1.0) < MIN_WEIGHT:
            kept = sorted(weights.items(), key=lambda kv: -kv[1])[:MAX_KEYS]
            setattr(profile, name, {key: value for key, value in kept if value >= MIN_WEIGHT})
    if len(profile.products) > MAX_PRODUCTS:
        kept_products = sorted(profile.products.items(), key=lambda kv: -kv[1].weight)[:MAX_PRODUCTS]
        profile.products = dict(kept_products)
