"""The relevance stage's nested cross-validation by query: per language, the model, product text, depth and weight are
chosen on the training folds' fused pools only (the fusion itself tuned on those folds), and each held-out query is
ranked by its fold's choice, or left in fused order where no setting beat fusion on the training folds."""

from __future__ import annotations

import itertools
import time
from collections.abc import Sequence
from statistics import mean
from typing import Any

import numpy as np

from evals.search.metrics import ndcg_at
from evals.search.ranker import folds_by_query
from evals.search.retrieval import Ranked, Runs
from vectorstore.embeddings import EmbeddingCache, content_hash
from vectorstore.fusion import FusionConfig
from vectorstore.hybrid import Candidate
from vectorstore.relevance import FIELDS, LanguageStage, RelevanceConfig, RelevanceStage, combine
from vectorstore.relevance_models import COLBERT, CROSS, maxsim

DEPTHS = {COLBERT: (10, 20, 30, 50), CROSS: (10, 20, 30)}  # the cross-encoder costs ~50x more a candidate
WEIGHTS = (0.5, 1.0, 2.0, 4.0)


def grid(models: Sequence[str]) -> list[LanguageStage]:
    """Every setting cross-validation chooses among (per language)."""
    out = []
    for model, field in itertools.product(models, FIELDS):
        for depth in DEPTHS[model]:
            out += [LanguageStage(model=model, depth=depth, field=field, weight=w) for w in WEIGHTS]
            out.append(LanguageStage(model=model, depth=depth, field=field, replace=True))
    return out


class StageScores:
    """Every (query, product) score a model gives, computed once; cross-encoder scores are kept in the embedding
    cache (keyed by model, query and text) so a rerun of the eval scores nothing twice."""

    def __init__(self, runs: Runs, stage: RelevanceStage, cache: EmbeddingCache | None) -> None:
        self.runs = runs
        self.stage = stage
        self.cache = cache
        self.memo: dict[tuple[str, str, int, str], float] = {}
        self.seconds: dict[str, float] = {}

    def english(self, i: int) -> str:
        return self.runs.index.english_text(self.runs.search_queries[i])

    def prepare(self, model: str, field: str, pools: dict[int, list[Candidate]]) -> None:
        """Score every (query, candidate) pair of `pools` not scored yet."""
        started = time.perf_counter()
        todo = {i: [c for c in pool[: max(DEPTHS[model])] if (model, field, i, c.product_id) not in self.memo]
                for i, pool in pools.items()}
        if model == COLBERT:
            self._colbert(field, {i: pool for i, pool in todo.items() if pool})
        else:
            self._cross(field, {i: pool for i, pool in todo.items() if pool})
        self.seconds[f"{model}_{field}"] = self.seconds.get(f"{model}_{field}", 0.0) + time.perf_counter() - started

    def _colbert(self, field: str, todo: dict[int, list[Candidate]]) -> None:
        table = self.runs.index.table
        wanted = {c.product_id: c.doc for pool in todo.values() for c in pool}
        new = [pid for pid in wanted if not self.stage.tokens.has(field, table.row_of[pid])]
        if new:
            self.stage.tokens.set_docs(field, [table.row_of[pid] for pid in new], [wanted[pid] for pid in new])
        for i, pool in todo.items():
            scores = maxsim(self.stage.query_tokens(self.english(i)),
                            self.stage.tokens.get(field, [table.row_of[c.product_id] for c in pool]))
            for c, score in zip(pool, scores.tolist(), strict=True):
                self.memo[(COLBERT, field, i, c.product_id)] = score

    def _cross(self, field: str, todo: dict[int, list[Candidate]]) -> None:
        model = self.stage.cross
        for i, pool in todo.items():
            query = self.english(i)
            texts = [FIELDS[field](c.doc) for c in pool]
            keys = [content_hash(model.name, f"{query}\x00{text}") for text in texts]
            found = self.cache.get_many(keys) if self.cache is not None else {}
            missing = [j for j, key in enumerate(keys) if key not in found]
            if missing:
                scores = model.scores(query, [texts[j] for j in missing])
                fresh = {keys[j]: np.asarray([score], dtype=np.float32)
                         for j, score in zip(missing, scores, strict=True)}
                if self.cache is not None:
                    self.cache.put_many(fresh)
                found.update(fresh)
            for c, key in zip(pool, keys, strict=True):
                self.memo[(CROSS, field, i, c.product_id)] = float(found[key][0])

    def order(self, i: int, pool: list[Candidate], setting: LanguageStage) -> list[str]:
        top = min(setting.depth, len(pool))
        if top < 2 or any(c.doc.language != "en" for c in pool[:top]):  # as search: the models read English only
            return [c.product_id for c in pool]
        scores = np.asarray([self.memo[(setting.model, setting.field, i, c.product_id)] for c in pool[:top]])
        head = combine(top, scores, setting.weight, setting.replace)
        return [pool[j].product_id for j in head.tolist()] + [c.product_id for c in pool[top:]]


def _ndcg(runs: Runs, ranked: list[str], i: int) -> float:
    return ndcg_at(ranked, runs.queries[i].gains, 10)


def choose(runs: Runs, scores: StageScores, pools: dict[int, list[Candidate]], positions: Sequence[int],
           settings: Sequence[LanguageStage]) -> tuple[LanguageStage | None, float, float]:
    """The setting with the best mean NDCG@10 over `positions`, or None when none beats the fused order; with the
    fused and the chosen mean."""
    for model, field in sorted({(setting.model, setting.field) for setting in settings}):
        scores.prepare(model, field, {i: pools[i] for i in positions})
    fused = mean(_ndcg(runs, [c.product_id for c in pools[i]], i) for i in positions)
    best, best_score = None, fused
    for setting in settings:
        score = mean(_ndcg(runs, scores.order(i, pools[i], setting), i) for i in positions)
        if score > best_score + 1e-9:
            best, best_score = setting, score
    return best, fused, best_score


def cross_validated(runs: Runs, stage: RelevanceStage, cache: EmbeddingCache | None,
                    models: Sequence[str] = (COLBERT, CROSS)) -> tuple[dict[str, Ranked], dict[str, Any]]:
    """`<model>_cv` per model and `relevance_cv` (the model chosen too), each held-out query ranked by what its
    training folds chose; plus a report of the choices per fold and the scoring time."""
    scores = StageScores(runs, stage, cache)
    variants = {f"{model}_cv": [model] for model in models}
    if len(models) > 1:
        variants["relevance_cv"] = list(models)
    ranked: dict[str, list[list[str]]] = {name: [[] for _ in runs.queries] for name in variants}
    choices: dict[str, list[dict[str, Any]]] = {name: [] for name in variants}
    everyone = range(len(runs.queries))
    for held in folds_by_query(runs.queries):
        train = sorted(set(everyone) - set(held))
        fusion = runs.fold_fusion(train)
        pools = {i: runs.candidates(i, fusion) for i in everyone}
        for model, field in itertools.product(models, FIELDS):
            scores.prepare(model, field, pools)
        for name, allowed in variants.items():
            for language in runs.languages():
                fit = [i for i in train if runs.queries[i].language == language]
                setting, fused, chosen = choose(runs, scores, pools, fit, grid(allowed)) if fit else (None, 0, 0)
                choices[name].append({"language": language, "setting": setting.model_dump() if setting else None,
                                      "train_fused": round(fused, 4), "train_chosen": round(chosen, 4)})
                for i in held:
                    if runs.queries[i].language == language:
                        pool = pools[i]
                        ranked[name][i] = (scores.order(i, pool, setting) if setting
                                           else [c.product_id for c in pool])
    report = {"folds": choices, "scoring_seconds": {k: round(v, 1) for k, v in scores.seconds.items()},
              "grid": {"models": list(models), "fields": list(FIELDS), "depths": {m: list(DEPTHS[m]) for m in models},
                       "weights": list(WEIGHTS), "replace": True}}
    runs.relevance_scores = scores  # type: ignore[attr-defined]  # reused by fit_config
    return {name: (lambda i, rows=rows: rows[i]) for name, rows in ranked.items()}, report


def fit_config(runs: Runs, fusion: FusionConfig, languages: Sequence[str], models: Sequence[str],
               report: dict[str, Any]) -> RelevanceConfig:
    """The stage to ship: per language in `languages`, the best setting over every judged query with the shipped
    fusion (a language where none beats fusion is left out)."""
    scores: StageScores = runs.relevance_scores  # type: ignore[attr-defined]
    pools = {i: runs.candidates(i, fusion) for i in range(len(runs.queries))}
    chosen = {}
    for language in languages:
        positions = runs.positions(language)
        setting, _, _ = choose(runs, scores, pools, positions, grid(models))
        if setting is not None:
            chosen[language] = setting
    return RelevanceConfig(languages=chosen, report=report)
