"""`shopassist eval reco`: leave-last-out HR@10, NDCG@10, coverage, diversity and brand-exposure Gini for the
personal ranker against popularity, random and ALS baselines, plus personalized vs plain reranking of search results."""

from __future__ import annotations

import json
import random
import time
from pathlib import Path
from typing import Any

import numpy as np

from evals.reco.als import als_lists
from evals.reco.data import RecoData, Split, leave_last_out
from evals.reco.metrics import brand_exposure_gini, coverage, hit_rate, intra_list_diversity, ndcg
from evals.reco.search import SEARCH_CANDIDATES, search_lists
from ranking.collab import ItemItem
from ranking.popularity import Popularity
from ranking.profiles import build_profile
from ranking.recommend import for_you
from ranking.rerank import RerankOptions, Signals, passes_rules
from ranking.schemas import Profile

K = 10
# Stock is today's, not the stock at the time of the held-out purchase, so the eval does not filter on it.
EVAL_OPTIONS = RerankOptions(allow_out_of_stock=True)


def evaluate(data: RecoData, half_life_days: float, seed: int = 0) -> dict[str, Any]:
    split = leave_last_out(data)
    if not split.held_out:
        return {"dataset": data.name, "held_out": 0}
    now = max(event.at for event in split.train)
    started = time.perf_counter()
    collab = ItemItem.fit(split.train, data.catalog.items)
    item_item_fit_s = time.perf_counter() - started
    popularity = Popularity.fit(split.train, data.catalog, half_life_days, now)
    signals = Signals(catalog=data.catalog, popularity=popularity, collab=collab)
    profiles = {h.shopper_id: build_profile(h.shopper_id, split.history[h.shopper_id], data.catalog, half_life_days)
                for h in split.held_out}
    lists = _recommendation_lists(split, signals, profiles, seed)
    als, als_fit_s, als_items = als_lists(split, data.catalog, K)
    lists["ALS (implicit) alone"] = als
    als_signals = Signals(catalog=data.catalog, popularity=popularity, collab=als_items)  # type: ignore[arg-type]
    lists["ours with ALS factors, MMR 0.7"] = [
        _ids(for_you(als_signals, profiles[h.shopper_id], K, options=EVAL_OPTIONS)) for h in split.held_out]
    targets = [h.product_id for h in split.held_out]
    search, retrieval = search_lists(split.held_out, signals, profiles, EVAL_OPTIONS, K)
    return {
        "dataset": data.name, "products": len(data.catalog.items), "train_events": len(split.train),
        "held_out": len(targets), "k": K, "half_life_days": half_life_days,
        "fit_seconds": {"item_item": round(item_item_fit_s, 3), "als": round(als_fit_s, 3)},
        "recommend": {name: _metrics(ranked, targets, data) for name, ranked in lists.items()},
        "search": {
            "retrieval": retrieval,
            "queries_from_search_events": sum(1 for h in split.held_out if h.query),
            "target_in_candidates": round(float(np.mean([t in c for t, c in zip(targets, search["candidates"],
                                                                                 strict=True)])), 4),
            **{name: _metrics(search[name], targets, data) for name in ("plain rerank", "personal rerank")},
        },
    }


def _recommendation_lists(split: Split, signals: Signals, profiles: dict[str, Profile | None],
                          seed: int) -> dict[str, list[list[str]]]:
    assert signals.catalog is not None and signals.popularity is not None
    catalog, popularity, rng = signals.catalog, signals.popularity, random.Random(seed)
    no_collab = Signals(catalog=catalog, popularity=popularity)
    no_mmr = EVAL_OPTIONS.model_copy(update={"mmr_lambda": 1.0})
    collab = signals.collab
    assert collab is not None
    lists: dict[str, list[list[str]]] = {name: [] for name in (
        "random", "popularity", "item-item alone", "profile only (no collab)", "ours, no MMR", "ours (MMR 0.7)")}
    ids = list(catalog.items)
    for held in split.held_out:
        profile = profiles[held.shopper_id]

        def allowed(product_id: str, profile: Profile | None = profile) -> bool:
            return passes_rules(catalog.items[product_id], profile, EVAL_OPTIONS)

        lists["random"].append([p for p in rng.sample(ids, min(len(ids), 4 * K)) if allowed(p)][:K])
        lists["popularity"].append([p for p in popularity.top("", 4 * K + 50) if allowed(p)][:K])
        lists["item-item alone"].append([p for p in _item_item_order(collab, profile) if allowed(p)][:K])
        lists["profile only (no collab)"].append(_ids(for_you(no_collab, profile, K, options=EVAL_OPTIONS)))
        lists["ours, no MMR"].append(_ids(for_you(signals, profile, K, options=no_mmr)))
        lists["ours (MMR 0.7)"].append(_ids(for_you(signals, profile, K, options=EVAL_OPTIONS)))
    return lists


def _item_item_order(collab: ItemItem, profile: Profile | None) -> list[str]:
    scores, _, _ = collab.scores({p: seen.weight for p, seen in profile.products.items()} if profile else {})
    return [collab.ids[i] for i in np.argsort(-scores)[: 4 * K] if scores[i] > 0]


def _ids(ranked: list[Any]) -> list[str]:
    return [item.product_id for item in ranked]


def _metrics(lists: list[list[str]], targets: list[str], data: RecoData) -> dict[str, float]:
    return {"HR@10": round(hit_rate(lists, targets, K), 4), "NDCG@10": round(ndcg(lists, targets, K), 4),
            "coverage": round(coverage(lists, data.catalog, K), 4),
            "diversity": round(intra_list_diversity(lists, data.catalog, K), 4),
            "brand_gini": round(brand_exposure_gini(lists, data.catalog, K), 4)}


def table(report: dict[str, Any]) -> str:
    lines = [f"== {report['dataset']}: {report['held_out']} held-out purchases, {report.get('products', 0)} products,"
             f" {report.get('train_events', 0)} training events"]
    if not report["held_out"]:
        return lines[0]
    header = f"{'ranker':34} {'HR@10':>7} {'NDCG@10':>8} {'coverage':>9} {'ILD':>6} {'brandGini':>9}"
    rows = [(name, m) for name, m in report["recommend"].items()]
    rows += [(f"search: {name}", report["search"][name]) for name in ("plain rerank", "personal rerank")]
    lines += [header] + [f"{name:34} {m['HR@10']:7.4f} {m['NDCG@10']:8.4f} {m['coverage']:9.4f} "
                         f"{m['diversity']:6.3f} {m['brand_gini']:9.3f}" for name, m in rows]
    lines.append(f"fit seconds: {report['fit_seconds']}; search: {report['search']['retrieval']}, target among "
                 f"{SEARCH_CANDIDATES} candidates: {report['search']['target_in_candidates']}")
    return "\n".join(lines)


def write_report(reports: list[dict[str, Any]], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"reports": reports}, indent=2, ensure_ascii=False))
