"""Aggregate figures for replay, gold and task runs: rates, latency percentiles, pass^k, CI thresholds."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from math import comb
from statistics import mean
from typing import Any

import numpy as np

from evals.replay.compare import GoldScore, ReplayTurnScore


def percentiles(values: Sequence[float]) -> dict[str, float | None]:
    if not values:
        return {"p50": None, "p90": None, "p95": None, "max": None}
    array = np.asarray(values, dtype=float)
    return {"p50": round(float(np.percentile(array, 50)), 1), "p90": round(float(np.percentile(array, 90)), 1),
            "p95": round(float(np.percentile(array, 95)), 1), "max": round(float(array.max()), 1)}


def _rate(flags: Sequence[bool]) -> float | None:
    return round(sum(flags) / len(flags), 4) if flags else None


def _mean(values: Sequence[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return round(mean(present), 4) if present else None


def summarize_replay(scores: Sequence[ReplayTurnScore]) -> dict[str, Any]:
    ranks = [rank for s in scores for rank in s.feedback_ranks]
    return {
        "turns": len(scores),
        "conversations": len({s.conversation_id for s in scores}),
        "tool_match": _rate([s.tool_match for s in scores]),
        "args_agreement": _mean([s.args_agreement for s in scores]),
        "product_overlap": _mean([s.product_overlap for s in scores]),
        "feedback_hit_rate": _rate([r is not None for r in ranks]),
        "feedback_mrr": _mean([1 / r if r else 0.0 for r in ranks]) if ranks else None,
        "citation_overlap": _mean([s.citation_overlap for s in scores]),
        "grounded": _rate([s.grounding_errors == 0 for s in scores]),
        "grounding_violations": sum(s.grounding_errors for s in scores),
        "logged_grounding_violations": sum(s.logged_grounding_errors for s in scores),
        "answer_similarity": _mean([s.answer_similarity for s in scores]),
        "errors": sum(bool(s.error) for s in scores),
        "latency_ms": percentiles([s.latency_ms for s in scores]),
    }


def _gold_rates(scores: Sequence[GoldScore]) -> dict[str, Any]:
    checks = sum(s.arg_checks for s in scores)
    shown = sum(s.products_shown for s in scores)
    return {
        "dialogues": len(scores),
        "passed": _rate([s.passed for s in scores]),
        "tool_accuracy": _rate([s.tool_ok for s in scores]),
        "argument_accuracy": round(sum(s.arg_passed for s in scores) / checks, 4) if checks else None,
        "product_precision": round(sum(s.products_ok for s in scores) / shown, 4) if shown else None,
        "citation_accuracy": _rate([s.citations_ok for s in scores if s.citations_ok is not None]),
        "safety": _rate([s.safety_ok for s in scores]),
        "answer_substance": _rate([s.answer_ok for s in scores if s.answer_ok is not None]),
        "grounded": _rate([s.grounding_errors == 0 for s in scores]),
        "grounding_violations": sum(s.grounding_errors for s in scores),
        "leaks": sum(bool(s.leaks) for s in scores),
        "premature_done": sum(s.premature_done for s in scores),
        "errors": sum(bool(s.error) for s in scores),
    }


def summarize_gold(scores: Sequence[GoldScore]) -> dict[str, Any]:
    groups: dict[str, list[GoldScore]] = defaultdict(list)
    for score in scores:
        groups[score.intent].append(score)
    return {
        **_gold_rates(scores),
        "latency_ms": percentiles([s.latency_ms for s in scores if not s.error.startswith("unbound")]),
        "per_intent": {intent: _gold_rates(group) for intent, group in sorted(groups.items())},
        "per_language": {lang: _gold_rates([s for s in scores if s.language == lang]) for lang in ("en", "zh")},
    }


def pass_hat_k(successes_per_task: Sequence[Sequence[bool]], k: int) -> float | None:
    """τ-bench pass^k: the chance that k trials drawn from a task's n all succeed, c/n successes -> comb(c,k)/comb(n,k),
    averaged over tasks that have at least k trials."""
    eligible = [trials for trials in successes_per_task if len(trials) >= k]
    if not eligible:
        return None
    return sum(comb(sum(trials), k) / comb(len(trials), k) for trials in eligible) / len(eligible)


class ThresholdError(ValueError):
    """A --fail-under spec is malformed or names a metric the summary lacks."""


def parse_thresholds(specs: Sequence[str]) -> dict[str, float]:
    """'tool_accuracy=0.8' -> {'tool_accuracy': 0.8}."""
    thresholds = {}
    for spec in specs:
        name, sep, value = spec.partition("=")
        try:
            thresholds[name.strip()] = float(value)
        except ValueError:
            raise ThresholdError(f"--fail-under wants METRIC=NUMBER, got {spec!r}") from None
        if not sep:
            raise ThresholdError(f"--fail-under wants METRIC=NUMBER, got {spec!r}")
    return thresholds


def failed_thresholds(summary: dict[str, Any], thresholds: dict[str, float]) -> list[str]:
    """Human-readable failures; a metric that is missing or None fails (a gate must not pass on no data)."""
    failures = []
    for name, minimum in thresholds.items():
        if name not in summary:
            raise ThresholdError(f"unknown metric {name!r}; known: {', '.join(sorted(summary))}")
        value = summary[name]
        if not isinstance(value, int | float) or value < minimum:
            failures.append(f"{name} = {value} < {minimum}")
    return failures
