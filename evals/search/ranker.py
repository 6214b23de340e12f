"""The learned ranker's training: LightGBM lambdarank over fusion features on judged queries, with query-level
cross-validation, so every reported figure scores a query with a model that never saw it (in any language)."""

from __future__ import annotations

import json
import random
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from evals.search.retrieval import Ranked, Runs
from vectorstore.fusion import FusionConfig
from vectorstore.hybrid import Candidate
from vectorstore.ltr import FEATURES, features

# ESCI gains E=1, S=0.1, C=0.01 become labels 3/2/1 whose lambdarank gains keep those ratios (NDCG is scale-free).
LABEL_OF_GAIN = {1.0: 3, 0.1: 2, 0.01: 1}
PARAMS: dict[str, Any] = {
    "objective": "lambdarank", "label_gain": [0.0, 1.0, 10.0, 100.0], "lambdarank_truncation_level": 20,
    "learning_rate": 0.05, "num_leaves": 7, "min_data_in_leaf": 50, "feature_fraction": 0.8,
    "bagging_fraction": 0.8, "bagging_freq": 1, "lambda_l2": 1.0, "num_threads": 2, "verbose": -1, "seed": 7,
}
ROUNDS = 150
FOLDS = 5
FUSED_RANK = FEATURES.index("fused_rank")


class Variant(NamedTuple):
    """LightGBM settings; `start` weighs -log(1 + fused rank) as each candidate's initial score, so the trees learn
    corrections to the fused order rather than an order of their own."""

    params: dict[str, Any]
    rounds: int
    start: float = 0.0


SHIPPED = Variant(PARAMS, ROUNDS)
# `eval retrieval --ranker-variants` cross-validates these beside the shipped settings: on ESCI none beat tuned fusion.
VARIANTS = {
    "shallow": Variant({**PARAMS, "num_leaves": 3, "min_data_in_leaf": 200}, 100),
    "slow": Variant({**PARAMS, "num_leaves": 3, "learning_rate": 0.02}, 300),
    "xendcg": Variant({**PARAMS, "objective": "rank_xendcg"}, ROUNDS),
    "from_fusion": Variant({**PARAMS, "num_leaves": 3, "min_data_in_leaf": 200}, 100, start=3.0),
}


def label(gain: float) -> int:
    return next((value for threshold, value in LABEL_OF_GAIN.items() if abs(gain - threshold) < 1e-9), 0)


class Pools:
    """Per query: the fused candidate pool (what the ranker reorders in search), its features and graded labels."""

    def __init__(self, runs: Runs, fusion: FusionConfig) -> None:
        self.runs = runs
        self.pools: list[list[Candidate]] = [runs.candidates(i, fusion) for i in range(len(runs.queries))]
        self.x = [features(query, [c.doc for c in pool], [c.signals for c in pool], [c.score for c in pool],
                           runs.index.lexical, runs.index.english_text(query))
                  for query, pool in zip(runs.search_queries, self.pools, strict=True)]
        self.y = [np.asarray([label(runs.queries[i].gains.get(c.product_id, 0.0)) for c in pool], dtype=np.int32)
                  for i, pool in enumerate(self.pools)]

    def fit(self, positions: Sequence[int], variant: Variant = SHIPPED) -> Any:
        import lightgbm

        kept = [i for i in positions if self.pools[i]]
        data = lightgbm.Dataset(np.vstack([self.x[i] for i in kept]), np.concatenate([self.y[i] for i in kept]),
                                group=[len(self.pools[i]) for i in kept], feature_name=list(FEATURES),
                                init_score=np.concatenate([self._start(i, variant) for i in kept])
                                if variant.start else None)
        return lightgbm.train(variant.params, data, num_boost_round=variant.rounds)

    def _start(self, i: int, variant: Variant) -> np.ndarray:
        return -variant.start * np.log1p(self.x[i][:, FUSED_RANK].astype(np.float64))

    def order(self, model: Any, i: int, variant: Variant = SHIPPED) -> list[str]:
        if not self.pools[i]:
            return []
        scores = model.predict(self.x[i], num_threads=2) + self._start(i, variant)
        return [self.pools[i][j].product_id for j in np.argsort(-scores, kind="stable")]


def folds_by_query(queries: Sequence[Any], folds: int = FOLDS, seed: int = 7) -> list[list[int]]:
    """Folds of query positions by query id: a query and its translation share an id, so they share a fold."""
    ids = sorted({query.id for query in queries})
    random.Random(seed).shuffle(ids)
    fold_of = {query_id: n % folds for n, query_id in enumerate(ids)}
    return [[i for i, q in enumerate(queries) if fold_of[q.id] == fold] for fold in range(folds)]


def cross_validated(runs: Runs, variants: Mapping[str, Variant] | None = None) -> dict[str, Ranked]:
    """`fusion_cv` and `ranker_cv` (and `ranker_<name>` per variant): each query ranked by a fusion tuned, and a
    ranker trained, on the other folds only (nested: the held-out queries choose neither the fusion weights nor the
    ranker)."""
    settings = {"ranker_cv": SHIPPED, **{f"ranker_{name}": variant for name, variant in (variants or {}).items()}}
    fused: list[list[str]] = [[] for _ in runs.queries]
    ranked: dict[str, list[list[str]]] = {name: [[] for _ in runs.queries] for name in settings}
    for held in folds_by_query(runs.queries):
        train = sorted(set(range(len(runs.queries))) - set(held))
        fusion = runs.fold_fusion(train)
        pools = Pools(runs, fusion)
        for name, variant in settings.items():
            model = pools.fit(train, variant)
            for i in held:
                ranked[name][i] = pools.order(model, i, variant)
        for i in held:
            fused[i] = [c.product_id for c in pools.pools[i]]
    return {"fusion_cv": lambda i: fused[i], **{name: (lambda i, rows=rows: rows[i]) for name, rows in ranked.items()}}


def shipped_ranker(runs: Runs) -> dict[str, Ranked]:
    """The shipped model on queries it was not trained on (demo or a shop's own set); nothing without a model."""
    if runs.index.ranker is None or not runs.index.ranker.available:
        return {}
    fusion = runs.index.fusion
    return {"shipped": lambda i: [c.product_id for c in runs.index.rerank(runs.search_queries[i],
                                                                          runs.candidates(i, fusion))]}


def train_and_save(runs: Runs, fusion: FusionConfig, path: Path, apply_to: Sequence[str],
                   report: dict[str, Any]) -> dict[str, Any]:
    """Fit on every judged query and write the model with its cross-validated report beside it; search applies it
    to the query languages in `apply_to` only."""
    model = Pools(runs, fusion).fit(range(len(runs.queries)))
    path.parent.mkdir(parents=True, exist_ok=True)
    model.save_model(str(path))
    gain = model.feature_importance("gain")
    ranked_gain = sorted(zip(FEATURES, gain, strict=True), key=lambda item: -item[1])
    report = {**report, "apply_to": list(apply_to), "params": PARAMS, "rounds": ROUNDS, "folds": FOLDS,
              "model_bytes": path.stat().st_size,
              "feature_gain": {name: round(float(value), 1) for name, value in ranked_gain}}
    path.with_suffix(".json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return report
