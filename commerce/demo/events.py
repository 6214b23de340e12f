"""Behaviour events over ~90 days, drawn from each shopper's latent tastes (with noise) in search→view→buy sessions."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from commerce.demo.products import DemoProduct
from commerce.demo.shoppers import TIERS, DemoShopper
from commerce.demo.vocab import ROOTS, TIER_PRICE, Sub
from commerce.models import BehaviourEvent, EventKind, Variant

END = datetime(2026, 11, 20, tzinfo=UTC)
DAYS = 90
SESSIONS_PER_SHOPPER = 15
TASTE_SHARE = 0.85
ROOT_OF = {sub.name: root for root in ROOTS for sub in root.subs}


@dataclass
class Basket:
    """What one session bought: becomes one order."""

    shopper: DemoShopper
    at: datetime
    items: list[tuple[DemoProduct, Variant]]


class _Catalog:
    """Products grouped by subcategory, with per-shopper sampling weights."""

    def __init__(self, products: list[DemoProduct]) -> None:
        self.by_sub: dict[str, list[DemoProduct]] = {}
        for item in products:
            self.by_sub.setdefault(item.sub.name, []).append(item)
        self.subs = [sub for root in ROOTS for sub in root.subs]
        self.sub_popularity = [sum(p.popularity for p in self.by_sub[sub.name]) for sub in self.subs]

    def weights(self, shopper: DemoShopper, sub: Sub) -> list[float]:
        taste = shopper.taste
        preferred = TIERS.index(taste.tier)
        return [
            item.popularity
            * (4.0 if item.product.brand in taste.brands else 1.0)
            * (3.0, 1.0, 0.3)[abs(TIERS.index(item.tier) - preferred)]
            * (1.5 if taste.reads_chinese == (item.product.language == "zh") else 1.0)
            for item in self.by_sub[sub.name]
        ]


def generate_events(
    seed: int, shoppers: list[DemoShopper], products: list[DemoProduct]
) -> tuple[list[BehaviourEvent], list[Basket]]:
    rng = random.Random(f"{seed}:events")
    catalog = _Catalog(products)
    events: list[BehaviourEvent] = []
    baskets: list[Basket] = []
    for shopper in shoppers:
        cache: dict[str, list[float]] = {}
        sessions = max(5, round(SESSIONS_PER_SHOPPER * shopper.activity))
        starts = sorted(END - timedelta(seconds=rng.uniform(0, DAYS * 86400)) for _ in range(sessions))
        for start in starts:
            basket = _session(rng, catalog, shopper, start, cache, events)
            if basket.items:
                baskets.append(basket)
    return events, baskets


def _session(
    rng: random.Random, catalog: _Catalog, shopper: DemoShopper, start: datetime, cache: dict[str, list[float]],
    events: list[BehaviourEvent],
) -> Basket:
    taste = shopper.taste
    if rng.random() < TASTE_SHARE:
        sub = rng.choices(taste.subs, weights=taste.weights)[0]
    else:
        sub = rng.choices(catalog.subs, weights=catalog.sub_popularity)[0]
    clock = [start]

    def emit(kind: EventKind, product_id: str | None = None, query: str | None = None) -> None:
        events.append(BehaviourEvent(shopper_id=shopper.shopper.id, kind=kind, product_id=product_id, query=query,
                                     at=clock[0]))
        clock[0] += timedelta(seconds=rng.randint(5, 120))

    if rng.random() < 0.5:
        emit(EventKind.SEARCH, query=_query(rng, shopper, sub))
    candidates = catalog.by_sub[sub.name]
    weights = cache.setdefault(sub.name, catalog.weights(shopper, sub))
    viewed = {id(item): item for item in rng.choices(candidates, weights=weights, k=rng.randint(2, 6))}
    basket = Basket(shopper, start, [])
    for item in viewed.values():
        emit(EventKind.VIEW, item.product.id)
        if rng.random() > 0.45:
            continue
        emit(EventKind.CLICK, item.product.id)
        if rng.random() > 0.4:
            continue
        emit(EventKind.ADD_TO_CART, item.product.id)
        if rng.random() < 0.6:
            basket.items.append((item, _pick_variant(rng, item)))
    for item, _variant in basket.items:
        emit(EventKind.PURCHASE, item.product.id)
        basket.at = clock[0]
    return basket


def _pick_variant(rng: random.Random, item: DemoProduct) -> Variant:
    in_stock = [variant for variant in item.product.variants if variant.stock > 0]
    return rng.choice(in_stock or item.product.variants)


def _query(rng: random.Random, shopper: DemoShopper, sub: Sub) -> str:
    adjective = rng.choice([adj for adj in ROOT_OF[sub.name].adjectives if not adj.only or sub.name in adj.only])
    if shopper.taste.reads_chinese and rng.random() < 0.7:
        return f"{adjective.zh}{sub.zh}"
    query = f"{adjective.en.lower()} {sub.noun.lower()}"
    brands = sorted(shopper.taste.brands & set(ROOT_OF[sub.name].brands))
    extra = rng.random()
    if extra < 0.2:
        ceiling = (sub.low + sub.high) / 2 * TIER_PRICE[shopper.taste.tier] * 1.2
        return f"{query} under ${max(10, round(ceiling, -1)):.0f}"
    if extra < 0.35 and brands:
        return f"{rng.choice(brands)} {sub.noun.lower()}"
    return query
