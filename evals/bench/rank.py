"""`shopassist bench rank`: rerank latency for N candidates with a real profile, and profile-update throughput."""

from __future__ import annotations

import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from commerce.db import Database
from commerce.models import BehaviourEvent, EventKind
from ranking.catalog import Catalog
from ranking.collab import ItemItem
from ranking.popularity import Popularity
from ranking.profile_store import record_events
from ranking.profiles import build_profile
from ranking.rerank import RerankOptions, Signals, rerank
from ranking.schemas import Candidate
from shopassist.settings import Settings

KINDS = [EventKind.VIEW] * 6 + [EventKind.CLICK] * 3 + [EventKind.ADD_TO_CART, EventKind.PURCHASE]
START = datetime(2026, 1, 1, tzinfo=UTC)


def synthetic_catalog(size: int, rng: random.Random, dims: int = 0) -> Catalog:
    """Products over 8 departments x 6 leaves, 30 brands; optional random unit embeddings of `dims`."""
    items = []
    for i in range(size):
        top, leaf = rng.randrange(8), rng.randrange(6)
        vector = np.asarray([rng.gauss(0, 1) for _ in range(dims)]) if dims else None
        items.append(Candidate(
            product_id=f"p{i}", title=f"Product {i}", brand=f"brand{rng.randrange(30)}",
            category_path=[f"dept{top}", f"leaf{top}-{leaf}"], price=round(rng.uniform(5, 500), 2),
            attributes={"color": rng.choice(["red", "blue", "black"]), "size": rng.choice(["S", "M", "L"])},
            embedding=(vector / np.linalg.norm(vector)).tolist() if vector is not None else None))
    return Catalog.from_candidates(items)


def synthetic_events(catalog: Catalog, shoppers: int, per_shopper: int, rng: random.Random) -> list[BehaviourEvent]:
    ids = list(catalog.items)
    return [BehaviourEvent(shopper_id=f"s{s}", kind=rng.choice(KINDS), product_id=rng.choice(ids),
                           at=START + timedelta(minutes=s * per_shopper + n))
            for s in range(shoppers) for n in range(per_shopper)]


def rerank_latency(catalog: Catalog, events: list[BehaviourEvent], candidates: int, calls: int,
                   rng: random.Random, half_life: float) -> dict[str, float]:
    signals = Signals(catalog=catalog, popularity=Popularity.fit(events, catalog, half_life),
                      collab=ItemItem.fit(events, catalog.items))
    profile = build_profile("s0", [e for e in events if e.shopper_id == "s0"], catalog, half_life)
    ids, timings = list(catalog.items), []
    options = RerankOptions(limit=20)
    for _ in range(calls):
        batch = [catalog.items[p].model_copy(update={"relevance": rng.random()}) for p in rng.sample(ids, candidates)]
        started = time.perf_counter()
        rerank(batch, profile, signals, options)
        timings.append((time.perf_counter() - started) * 1000)
    return {name: round(float(np.percentile(timings, q)), 2) for name, q in (("p50_ms", 50), ("p95_ms", 95))}


def update_throughput(catalog: Catalog, count: int, rng: random.Random, half_life: float,
                      batch: int) -> float:
    """Events/s through record_events into a fresh SQLite file, `batch` events per transaction."""
    with tempfile.TemporaryDirectory() as folder:
        db = Database(f"sqlite:///{Path(folder) / 'bench.db'}")
        db.migrate()
        events = synthetic_events(catalog, 50, max(count // 50, 1), rng)
        rng.shuffle(events)
        started = time.perf_counter()
        for start in range(0, len(events), batch):
            record_events(db, events[start : start + batch], half_life, catalog)
        return round(len(events) / (time.perf_counter() - started), 1)


def run(settings: Settings, candidates: int, calls: int, events: int, products: int = 5000) -> dict[str, Any]:
    rng, half_life = random.Random(0), settings.profile_half_life_days
    catalog = synthetic_catalog(products, rng)
    history = synthetic_events(catalog, 1000, 30, rng)
    with_embeddings = synthetic_catalog(products, random.Random(1), dims=384)
    return {
        "products": products, "training_events": len(history), "candidates": candidates, "calls": calls,
        "rerank_ms": rerank_latency(catalog, history, candidates, calls, rng, half_life),
        "rerank_384d_embeddings_ms": rerank_latency(with_embeddings, synthetic_events(with_embeddings, 1000, 30, rng),
                                                    candidates, calls, rng, half_life),
        "record_event_per_s": update_throughput(catalog, events, rng, half_life, batch=1),
        "record_events_batch_100_per_s": update_throughput(catalog, events, rng, half_life, batch=100),
    }
