"""Reranking: personal affinity moves the shopper's taste up, business rules hold, MMR diversifies."""

from __future__ import annotations

from datetime import timedelta
from itertools import combinations

from ranking.affinity import similarity
from ranking.catalog import Catalog
from ranking.profiles import build_profile
from ranking.rerank import RerankOptions, Signals, rerank
from ranking.schemas import Candidate
from tests.ranking.conftest import HALF_LIFE
from tests.ranking.factories import SyntheticShop


def shoe_candidates(catalog: Catalog) -> list[Candidate]:
    """Road shoes look a little more relevant to the search than trail shoes."""
    road = [c.model_copy(update={"relevance": 1.0}) for p, c in catalog.items.items() if p.startswith("road")]
    trail = [c.model_copy(update={"relevance": 0.9}) for p, c in catalog.items.items() if p.startswith("trail")]
    return road + trail


def test_profile_lifts_the_shoppers_category(shop: SyntheticShop, catalog: Catalog) -> None:
    profile = build_profile("trail_fan_1", shop.events_of("trail_fan_1"), catalog, HALF_LIFE)
    options = RerankOptions(mmr_lambda=1.0)
    plain = rerank(shoe_candidates(catalog), None, Signals(catalog=catalog), options)
    personal = rerank(shoe_candidates(catalog), profile, Signals(catalog=catalog), options)
    def first_trail(ranked: list) -> int:
        return next(i for i, item in enumerate(ranked) if item.product_id.startswith("trail"))

    assert first_trail(plain) == 6  # all six road shoes first
    assert first_trail(personal) <= 4
    assert personal[first_trail(personal)].explanation.signal in {"category", "brand", "viewed", "price"}


def test_out_of_stock_and_recent_durable_purchases_are_dropped(shop: SyntheticShop, catalog: Catalog) -> None:
    profile = build_profile("trail_fan_1", shop.events_of("trail_fan_1"), catalog, HALF_LIFE)
    ranked = {item.product_id for item in rerank(shoe_candidates(catalog), profile, Signals(catalog=catalog))}
    assert "trail-5" not in ranked  # out of stock
    assert "trail-0" not in ranked  # bought on day 6
    asked = rerank(shoe_candidates(catalog), profile, Signals(catalog=catalog),
                   RerankOptions(allow_repurchase=True, allow_out_of_stock=True))
    assert {"trail-0", "trail-5"} <= {item.product_id for item in asked}


def test_consumables_come_back_after_the_repurchase_window(shop: SyntheticShop, catalog: Catalog) -> None:
    events = shop.events_of("coffee_3")
    profile = build_profile("coffee_3", events, catalog, HALF_LIFE)
    assert profile is not None
    coffee = [catalog.items["coffee-2"]]
    last = max(e.at for e in events)
    soon = RerankOptions(now=last + timedelta(days=5))
    later = RerankOptions(now=last + timedelta(days=45))
    assert rerank(coffee, profile, Signals(catalog=catalog), soon) == []
    assert [i.product_id for i in rerank(coffee, profile, Signals(catalog=catalog), later)] == ["coffee-2"]


def intra_list_diversity(ids: list[str], catalog: Catalog) -> float:
    pairs = list(combinations(ids, 2))
    return sum(1 - similarity(catalog.items[a], catalog.items[b], catalog) for a, b in pairs) / len(pairs)


def test_mmr_increases_diversity(catalog: Catalog) -> None:
    candidates = [c.model_copy(update={"relevance": 1.0 if c.category_path[0] == "Shoes" else 0.7})
                  for c in catalog.items.values()]
    plain = rerank(candidates, None, Signals(catalog=catalog), RerankOptions(mmr_lambda=1.0, limit=6))
    diverse = rerank(candidates, None, Signals(catalog=catalog), RerankOptions(mmr_lambda=0.5, limit=6))
    assert intra_list_diversity([i.product_id for i in diverse], catalog) > intra_list_diversity(
        [i.product_id for i in plain], catalog)
    assert {catalog.items[i.product_id].category_path[0] for i in diverse} > {"Shoes"}


def test_mmr_uses_embeddings_when_candidates_have_them(catalog: Catalog) -> None:
    base = [catalog.items[p] for p in ("road-0", "road-1", "tents-0")]
    vectors = {"road-0": [1.0, 0.0], "road-1": [1.0, 0.01], "tents-0": [0.0, 1.0]}
    candidates = [c.model_copy(update={"embedding": vectors[c.product_id], "relevance": r})
                  for c, r in zip(base, [1.0, 0.95, 0.6], strict=True)]
    ranked = rerank(candidates, None, Signals(catalog=catalog), RerankOptions(mmr_lambda=0.5))
    assert [i.product_id for i in ranked] == ["road-0", "tents-0", "road-1"]
