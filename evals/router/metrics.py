"""Scores of intent guesses: accuracy, per-intent precision/recall per language, and the coverage/accuracy curve."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel

THRESHOLDS = tuple(round(0.05 * step, 2) for step in range(20))


class Scored(BaseModel):
    text: str
    intent: str
    language: str
    predicted: str
    confidence: float
    runner_up: str

    @property
    def correct(self) -> bool:
        return self.predicted == self.intent


class ClassScore(BaseModel):
    precision: float | None  # None: the intent was never predicted
    recall: float | None  # None: no message of the intent
    support: int


class CoveragePoint(BaseModel):
    threshold: float
    coverage: float  # share of messages with confidence >= threshold
    accuracy: float | None  # among those; None when none is covered
    count: int


def accuracy(rows: Sequence[Scored]) -> float | None:
    return round(sum(row.correct for row in rows) / len(rows), 4) if rows else None


def by_language(rows: Sequence[Scored]) -> dict[str, list[Scored]]:
    groups: dict[str, list[Scored]] = {"all": list(rows)}
    for row in rows:
        groups.setdefault(row.language, []).append(row)
    return groups


def class_scores(rows: Sequence[Scored]) -> dict[str, ClassScore]:
    scores = {}
    for intent in sorted({row.intent for row in rows} | {row.predicted for row in rows}):
        predicted = [row for row in rows if row.predicted == intent]
        actual = [row for row in rows if row.intent == intent]
        hits = sum(row.correct for row in actual)
        scores[intent] = ClassScore(precision=round(hits / len(predicted), 4) if predicted else None,
                                    recall=round(hits / len(actual), 4) if actual else None, support=len(actual))
    return scores


def coverage_curve(rows: Sequence[Scored], thresholds: Sequence[float] = THRESHOLDS) -> list[CoveragePoint]:
    points = []
    for threshold in thresholds:
        covered = [row for row in rows if row.confidence >= threshold]
        points.append(CoveragePoint(threshold=threshold, coverage=round(len(covered) / len(rows), 4) if rows else 0.0,
                                    accuracy=accuracy(covered), count=len(covered)))
    return points


def recommend_threshold(curve: Sequence[CoveragePoint], target_accuracy: float) -> CoveragePoint | None:
    """The lowest threshold (most coverage) whose covered messages reach the target accuracy."""
    return next((point for point in sorted(curve, key=lambda p: p.threshold)
                 if point.accuracy is not None and point.accuracy >= target_accuracy), None)


class Summary(BaseModel):
    """Keys of `count`, `accuracy` and `per_intent`: "all" and each language."""

    count: dict[str, int]
    accuracy: dict[str, float | None]
    per_intent: dict[str, dict[str, ClassScore]]
    coverage: list[CoveragePoint]


def summary(rows: Sequence[Scored], thresholds: Sequence[float] = THRESHOLDS) -> Summary:
    groups = by_language(rows)
    return Summary(count={language: len(group) for language, group in groups.items()},
                   accuracy={language: accuracy(group) for language, group in groups.items()},
                   per_intent={language: class_scores(group) for language, group in groups.items()},
                   coverage=coverage_curve(rows, thresholds))
