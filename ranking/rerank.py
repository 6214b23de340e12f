"""Rerank candidates: relevance fused with personal affinity and popularity, business rules, then MMR diversity."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from pydantic import BaseModel, Field

from ranking.affinity import PERSONAL_WEIGHTS, Affinity, ProfileView, similarity_matrix
from ranking.catalog import Catalog, is_consumable
from ranking.collab import ItemItem
from ranking.explain import explain
from ranking.popularity import Popularity
from ranking.schemas import Candidate, Profile, RankedItem, as_utc


class RerankOptions(BaseModel):
    limit: int | None = Field(None, ge=1, description="How many items to return; None keeps every candidate")
    relevance_weight: float = Field(0.5, ge=0)
    personal_weight: float = Field(0.4, ge=0)
    popularity_weight: float = Field(0.1, ge=0)
    mmr_lambda: float = Field(0.7, ge=0, le=1, description="1.0 = pure score order, lower = more diverse")
    mmr_depth: int = Field(20, ge=0, description="How many leading positions MMR arranges")
    allow_out_of_stock: bool = False
    allow_repurchase: bool = Field(False, description="The shopper asked to buy something again")
    consumable_repurchase_days: float = Field(30.0, ge=0)
    now: datetime | None = None


@dataclass
class Signals:
    """Shared, non-personal signals: catalog facts (price bands), popularity prior and item-to-item model."""

    catalog: Catalog | None = None
    popularity: Popularity | None = None
    collab: ItemItem | None = None


def rerank(candidates: list[Candidate], profile: Profile | None, signals: Signals | None = None,
           options: RerankOptions | None = None) -> list[RankedItem]:
    """Order candidates for this shopper; `profile=None` gives the non-personalized order."""
    signals, options = signals or Signals(), options or RerankOptions()
    catalog = signals.catalog or Catalog.from_candidates(candidates)
    profile = profile if profile is not None and not profile.empty else None
    kept = [item for item in candidates if passes_rules(item, profile, options)]
    if not kept:
        return []
    relevance = _normalise(np.asarray([item.relevance for item in kept], dtype=np.float64))
    collab, collab_seeds = _collab(kept, profile, signals.collab)
    view = ProfileView(profile) if profile is not None else None
    scored: list[tuple[float, dict[str, float], Affinity, str | None]] = []
    for i, item in enumerate(kept):
        affinity = view.affinity(item, catalog) if view is not None else Affinity()
        if collab[i] > 0:
            affinity.features["collab"] = float(collab[i])
        contributions = {"relevance": options.relevance_weight * float(relevance[i])}
        if signals.popularity is not None:
            contributions["popularity"] = options.popularity_weight * signals.popularity.score(item.product_id)
        for name, value in affinity.features.items():
            contributions[name] = options.personal_weight * PERSONAL_WEIGHTS[name] * value
        scored.append((sum(contributions.values()), contributions, affinity, collab_seeds[i]))
    order = mmr([s[0] for s in scored], kept, catalog, options.mmr_lambda, options.mmr_depth)
    ranked = []
    for rank, i in enumerate(order[: options.limit]):
        score, contributions, affinity, seed = scored[i]
        ranked.append(RankedItem(product_id=kept[i].product_id, score=round(score, 6), rank=rank + 1,
                                 explanation=explain(kept[i], contributions, affinity, profile, seed),
                                 contributions={k: round(v, 6) for k, v in contributions.items()}))
    return ranked


def passes_rules(item: Candidate, profile: Profile | None, options: RerankOptions) -> bool:
    """Hard business rules: in stock, and not something the shopper recently bought unless they ask again."""
    if not item.in_stock and not options.allow_out_of_stock:
        return False
    if profile is None or options.allow_repurchase or item.product_id not in profile.purchased:
        return True
    if not is_consumable(item):
        return False
    now = as_utc(options.now) if options.now else profile.as_of
    return now - profile.purchased[item.product_id] > timedelta(days=options.consumable_repurchase_days)


def mmr(scores: list[float], items: list[Candidate], catalog: Catalog, lam: float, depth: int) -> list[int]:
    """Maximal marginal relevance over the leading `depth` positions; the rest follow in score order."""
    by_score = sorted(range(len(items)), key=lambda i: -scores[i])
    if lam >= 1.0 or depth <= 1:
        return by_score
    pool = by_score[: depth * 3]
    sims = similarity_matrix([items[i] for i in pool], catalog)
    # Scores on [0, 1] so lambda means the same for every caller.
    value = np.asarray([scores[i] for i in pool]) / max(scores[pool[0]], 1e-12)
    max_sim, open_ = np.zeros(len(pool)), np.ones(len(pool), dtype=bool)
    chosen: list[int] = []
    while len(chosen) < min(depth, len(pool)):
        best = int(np.argmax(np.where(open_, lam * value - (1 - lam) * max_sim, -np.inf)))
        chosen.append(pool[best])
        open_[best] = False
        max_sim = np.maximum(max_sim, sims[best])
    picked = set(chosen)
    return chosen + [i for i in by_score if i not in picked]


def _collab(items: list[Candidate], profile: Profile | None,
            model: ItemItem | None) -> tuple[np.ndarray, list[str | None]]:
    if profile is None or model is None:
        return np.zeros(len(items)), [None] * len(items)
    seeds = {product_id: seen.weight for product_id, seen in profile.products.items()}
    scores, best, seed_ids = model.scores(seeds)
    positions = [model.index.get(item.product_id) for item in items]
    values = np.asarray([scores[p] if p is not None else 0.0 for p in positions])
    peak = float(values.max()) if len(values) else 0.0
    seeds_for = [seed_ids[best[p]] if p is not None and seed_ids and scores[p] > 0 else None for p in positions]
    return (values / peak if peak > 0 else values), seeds_for


def _normalise(values: np.ndarray) -> np.ndarray:
    """Scale to [0, 1]: by the maximum when scores are non-negative (keeps their ratios), else min-max."""
    low, high = float(values.min()), float(values.max())
    if low >= 0:
        return values / high if high > 0 else np.zeros_like(values)
    return (values - low) / (high - low)
