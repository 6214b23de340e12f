"""Recommendations: for a shopper, for a product (similar, bought together), for a cart; cold start by intent."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from ranking.affinity import similarity
from ranking.catalog import Catalog
from ranking.popularity import Popularity
from ranking.rerank import RerankOptions, Signals, rerank
from ranking.schemas import Candidate, Explanation, Profile, RankedItem

POOL = 100


class Intent(BaseModel):
    """What the shopper said they want in this session (never stored)."""

    query: str | None = Field(None, description="e.g. 'trail running shoes'")
    category: str | None = Field(None, description="e.g. 'Trail Running'")


def for_you(signals: Signals, profile: Profile | None, limit: int = 10, intent: Intent | None = None,
            options: RerankOptions | None = None) -> list[RankedItem]:
    catalog, popularity = _require(signals)
    matches = intent_matches(catalog, intent) if intent else {}
    pool: dict[str, tuple[float, Explanation | None]] = {}
    if matches:
        pool = {product_id: (score, _intent_reason(catalog.items[product_id], intent)) for product_id, score in
                sorted(matches.items(), key=lambda kv: (-kv[1], -popularity.score(kv[0])))[: POOL * 2]}
    else:
        if profile is not None and not profile.empty:
            pool.update(dict.fromkeys(_profile_pool(signals, profile), (0.0, None)))
        pool.update({product_id: (0.0, None) for product_id in popularity.top("", POOL) if product_id not in pool})
    return _rank(catalog, pool, profile, signals, limit, options)


def similar(signals: Signals, product_id: str, profile: Profile | None = None, limit: int = 10,
            options: RerankOptions | None = None) -> list[RankedItem]:
    catalog, popularity = _require(signals)
    target = catalog.items[product_id]
    co_view = dict(signals.collab.neighbours(product_id, "co_view")) if signals.collab else {}
    peak = max(co_view.values(), default=0.0) or 1.0
    leaf = " > ".join(target.category_path)
    pool: dict[str, tuple[float, Explanation | None]] = {}
    for other in set(co_view) | set(popularity.top(leaf, POOL)):
        if other == product_id or other not in catalog.items:
            continue
        alike = similarity(target, catalog.items[other], catalog)
        viewed = co_view.get(other, 0.0) / peak
        reason = (Explanation(signal="co_view", product_id=product_id,
                              text=f"shoppers who viewed {target.title} also viewed this") if viewed > alike else
                  Explanation(signal="similar", product_id=product_id, text=f"similar to {target.title}"))
        pool[other] = (0.5 * viewed + 0.5 * alike, reason)
    return _rank(catalog, pool, profile, signals, limit, options or RerankOptions(personal_weight=0.2, mmr_lambda=0.9))


def bought_together(signals: Signals, product_id: str, profile: Profile | None = None, limit: int = 10,
                    options: RerankOptions | None = None) -> list[RankedItem]:
    return complete_cart(signals, [product_id], profile, limit, options, exclude_same_category=False)


def complete_cart(signals: Signals, product_ids: list[str], profile: Profile | None = None, limit: int = 10,
                  options: RerankOptions | None = None, exclude_same_category: bool = True) -> list[RankedItem]:
    catalog, popularity = _require(signals)
    cart = [catalog.items[p] for p in product_ids if p in catalog.items]
    leaves = {tuple(item.category_path) for item in cart} if exclude_same_category else set()
    pool: dict[str, tuple[float, Explanation | None]] = {}
    if signals.collab is not None:
        scores, best, seed_ids = signals.collab.scores(dict.fromkeys(product_ids, 1.0), "co_purchase")
        for position in scores.argsort()[::-1][:POOL]:
            if scores[position] <= 0:
                break
            seed = catalog.items[seed_ids[best[position]]]
            pool[signals.collab.ids[position]] = (
                float(scores[position]),
                Explanation(signal="co_purchase", product_id=seed.product_id, text=f"often bought with {seed.title}"))
    for item in cart:  # fall back on what sells in the same departments
        top = item.category_path[0] if item.category_path else ""
        for other in popularity.top(top, POOL):
            pool.setdefault(other, (0.0, None))
    pool = {p: v for p, v in pool.items() if p in catalog.items and p not in product_ids
            and tuple(catalog.items[p].category_path) not in leaves}
    return _rank(catalog, pool, profile, signals, limit, options)


def intent_matches(catalog: Catalog, intent: Intent | None) -> dict[str, float]:
    """Products matching the stated category (1.0) or the share of query words found in their text."""
    if intent is None:
        return {}
    matches: dict[str, float] = {}
    category = (intent.category or "").strip().lower()
    words = [w for w in re.findall(r"\w+", (intent.query or "").lower()) if len(w) > 1]
    for product_id, item in catalog.items.items():
        path = " > ".join(item.category_path).lower()
        score = 1.0 if category and category in path else 0.0
        if words:
            text = f"{item.title} {item.brand} {path}".lower()
            score = max(score, sum(word in text for word in words) / len(words))
        if score > 0:
            matches[product_id] = score
    return matches


def _intent_reason(item: Candidate, intent: Intent | None) -> Explanation:
    if intent is not None and intent.category:
        named = next((c for c in item.category_path if intent.category.lower() in c.lower()), intent.category)
        return Explanation(signal="popular", text=f"popular in {named}")
    return Explanation(signal="intent", text=f"matches '{intent.query if intent else ''}'")


def _profile_pool(signals: Signals, profile: Profile) -> list[str]:
    catalog, popularity = _require(signals)
    ids: list[str] = list(profile.products)
    if signals.collab is not None:
        scores, _, _ = signals.collab.scores({p: s.weight for p, s in profile.products.items()})
        ids += [signals.collab.ids[i] for i in scores.argsort()[::-1][:POOL] if scores[i] > 0]
    deepest = sorted((k for k in profile.categories), key=lambda k: -profile.categories[k] * (1 + k.count(" > ")))
    for category in deepest[:3]:
        ids += popularity.top(category, POOL // 4)
    return list(dict.fromkeys(p for p in ids if p in catalog.items))


def _rank(catalog: Catalog, pool: dict[str, tuple[float, Explanation | None]], profile: Profile | None,
          signals: Signals, limit: int, options: RerankOptions | None) -> list[RankedItem]:
    candidates = [catalog.items[p].model_copy(update={"relevance": relevance, "reason": reason})
                  for p, (relevance, reason) in pool.items()]
    options = (options or RerankOptions()).model_copy(update={"limit": limit})
    return rerank(candidates, profile, signals, options)


def _require(signals: Signals) -> tuple[Catalog, Popularity]:
    if signals.catalog is None or signals.popularity is None:
        raise ValueError("recommendations need Signals with a catalog and a popularity prior")
    return signals.catalog, signals.popularity
