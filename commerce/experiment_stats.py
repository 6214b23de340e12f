"""Reading an experiment: per-unit metrics from the events, per-variant rates with confidence intervals, fixed-horizon
tests against the control (statsmodels/scipy), a sample-ratio-mismatch check and guardrails."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import statsmodels.api as sm
from pydantic import BaseModel, Field
from scipy import stats
from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint, proportions_ztest
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

from commerce.experiments import HOLDOUT, Experiment
from commerce.tables import AttributionEventRow as E

ALPHA = 0.05
SRM_ALPHA = 0.001  # a sample ratio this unlikely means broken assignment or logging: do not trust the read
COUNTED = ("card_shown", "click", "add_to_cart", "checkout_completed", "turn", "handoff", "thumbs_down")


@dataclass
class Units:
    """Per assigned unit of one bucket: counts of what happened after its exposure, and the orders' revenue."""

    cards: np.ndarray
    clicks: np.ndarray
    carts: np.ndarray
    orders: np.ndarray
    revenue: np.ndarray
    turns: np.ndarray
    latency_ms: np.ndarray  # summed over the unit's turns
    handoffs: np.ndarray
    thumbs_down: np.ndarray

    @classmethod
    def of(cls, rows: list[tuple[float, ...]]) -> Units:
        columns = np.array(rows, dtype=float).reshape(len(rows), 9).T
        return cls(*columns)

    @property
    def n(self) -> int:
        return len(self.cards)


class Estimate(BaseModel):
    value: float
    low: float
    high: float


class Comparison(BaseModel):
    metric: str
    variant: str
    relative_lift: float | None = Field(description="variant / control - 1")
    p_value: float
    p_adjusted: float = Field(description="Holm-adjusted over the variants compared with the control")
    significant: bool


class VariantRead(BaseModel):
    name: str
    units: int
    ctr: Estimate
    add_to_cart_rate: Estimate = Field(description="Share of units that added something to the cart")
    conversion_rate: Estimate = Field(description="Share of units that completed a checkout")
    revenue_per_unit: Estimate
    latency_ms: float = Field(description="Mean turn latency (guardrail)")
    handoffs_per_unit: float
    thumbs_down_per_unit: float


class ExperimentRead(BaseModel):
    name: str
    status: str
    test: str = "fixed-horizon, two-sided, alpha 0.05; CTR by robust binomial GLM over units, rates by z-test, " \
                "revenue by Welch t-test; Holm across variants"
    variants: list[VariantRead]
    holdout_units: int = 0
    comparisons: list[Comparison]
    srm_p_value: float
    sample_ratio_mismatch: bool
    guardrails_breached: list[str] = Field(description="e.g. ['latency_ms:fast'] where a variant is worse")


def ctr_estimate(units: Units) -> Estimate:
    shown = units.cards > 0
    if not shown.any() or units.clicks[shown].sum() in (0, units.cards[shown].sum()):
        rate = float(units.clicks.sum() / max(units.cards.sum(), 1))
        return Estimate(value=rate, low=rate, high=rate)
    fit = _glm(units.clicks[shown] / units.cards[shown], np.ones((int(shown.sum()), 1)), units.cards[shown])
    low, high = fit.conf_int(ALPHA)[0]
    return Estimate(value=float(_expit(fit.params[0])), low=float(_expit(low)), high=float(_expit(high)))


def ctr_p_value(control: Units, variant: Units) -> float:
    """Units are randomized, cards are not: a binomial GLM over units weighted by cards shown, with
    heteroskedasticity-robust errors, tests the click-through ratio without treating cards as independent."""
    a, b = control.cards > 0, variant.cards > 0
    rates = np.concatenate([control.clicks[a] / control.cards[a], variant.clicks[b] / variant.cards[b]])
    treated = np.concatenate([np.zeros(int(a.sum())), np.ones(int(b.sum()))])
    if rates.size < 3 or rates.min() == rates.max():
        return 1.0
    fit = _glm(rates, sm.add_constant(treated), np.concatenate([control.cards[a], variant.cards[b]]))
    return float(fit.pvalues[1])


def _glm(rates: np.ndarray, design: np.ndarray, weights: np.ndarray) -> sm.GLM:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return sm.GLM(rates, design, family=sm.families.Binomial(), var_weights=weights).fit(cov_type="HC1")


def _expit(x: float) -> float:
    return float(1 / (1 + np.exp(-x)))


def _share(hits: np.ndarray) -> Estimate:
    count, n = int((hits > 0).sum()), len(hits)
    low, high = proportion_confint(count, max(n, 1), alpha=ALPHA, method="wilson")
    return Estimate(value=count / max(n, 1), low=float(low), high=float(high))


def _share_p(control: np.ndarray, variant: np.ndarray) -> float:
    counts = np.array([(control > 0).sum(), (variant > 0).sum()])
    if counts.sum() in (0, len(control) + len(variant)):
        return 1.0
    return float(proportions_ztest(counts, np.array([len(control), len(variant)]))[1])


def _mean(values: np.ndarray) -> Estimate:
    if len(values) < 2 or values.std() == 0:
        value = float(values.mean()) if len(values) else 0.0
        return Estimate(value=value, low=value, high=value)
    low, high = DescrStatsW(values).tconfint_mean(ALPHA)
    return Estimate(value=float(values.mean()), low=float(low), high=float(high))


def _welch_p(control: np.ndarray, variant: np.ndarray) -> float:
    if len(control) < 2 or len(variant) < 2 or (control.std() == 0 and variant.std() == 0):
        return 1.0
    return float(CompareMeans.from_data(variant, control).ttest_ind(usevar="unequal")[1])


def read_variant(name: str, units: Units) -> VariantRead:
    turns = max(units.turns.sum(), 1)
    return VariantRead(name=name, units=units.n, ctr=ctr_estimate(units), add_to_cart_rate=_share(units.carts),
                       conversion_rate=_share(units.orders), revenue_per_unit=_mean(units.revenue),
                       latency_ms=float(units.latency_ms.sum() / turns),
                       handoffs_per_unit=float(units.handoffs.mean()) if units.n else 0.0,
                       thumbs_down_per_unit=float(units.thumbs_down.mean()) if units.n else 0.0)


def _lift(control: float, variant: float) -> float | None:
    return variant / control - 1 if control else None


def compare(experiment: Experiment, buckets: dict[str, Units]) -> ExperimentRead:
    """The read of an experiment from its units per bucket (what the simulator also calls, without a database)."""
    names = [variant.name for variant in experiment.variants]
    empty = Units.of([])
    reads = [read_variant(name, buckets.get(name, empty)) for name in names]
    control = buckets.get(names[0], empty)
    raw: list[tuple[str, str, float | None, float]] = []
    for read in reads[1:]:
        units, base = buckets.get(read.name, empty), reads[0]
        raw += [("ctr", read.name, _lift(base.ctr.value, read.ctr.value), ctr_p_value(control, units)),
                ("add_to_cart_rate", read.name, _lift(base.add_to_cart_rate.value, read.add_to_cart_rate.value),
                 _share_p(control.carts, units.carts)),
                ("conversion_rate", read.name, _lift(base.conversion_rate.value, read.conversion_rate.value),
                 _share_p(control.orders, units.orders)),
                ("revenue_per_unit", read.name, _lift(base.revenue_per_unit.value, read.revenue_per_unit.value),
                 _welch_p(control.revenue, units.revenue))]
    comparisons = []
    for metric in dict.fromkeys(item[0] for item in raw):
        rows = [item for item in raw if item[0] == metric]
        adjusted = multipletests([item[3] for item in rows], alpha=ALPHA, method="holm")[1]
        comparisons += [Comparison(metric=m, variant=v, relative_lift=lift, p_value=p, p_adjusted=float(q),
                                   significant=bool(q < ALPHA))
                        for (m, v, lift, p), q in zip(rows, adjusted, strict=True)]
    shares = experiment.shares()
    observed = np.array([buckets.get(name, empty).n for name in shares], dtype=float)
    srm_p = 1.0
    if observed.sum() > 0:
        expected = np.array(list(shares.values())) * observed.sum()
        srm_p = float(stats.chisquare(observed, expected).pvalue)
    return ExperimentRead(name=experiment.name, status=experiment.status, variants=reads,
                          holdout_units=buckets.get(HOLDOUT, empty).n, comparisons=comparisons,
                          srm_p_value=srm_p, sample_ratio_mismatch=srm_p < SRM_ALPHA,
                          guardrails_breached=_guardrails(names, buckets, empty))


def _guardrails(names: list[str], buckets: dict[str, Units], empty: Units) -> list[str]:
    """A variant whose latency, handoffs or thumbs-down per unit are significantly worse than the control's."""
    control, breached = buckets.get(names[0], empty), []
    for name in names[1:]:
        units = buckets.get(name, empty)
        for metric, per_unit in (("latency_ms", lambda u: u.latency_ms / np.maximum(u.turns, 1)),
                                 ("handoffs", lambda u: u.handoffs), ("thumbs_down", lambda u: u.thumbs_down)):
            a, b = per_unit(control), per_unit(units)
            if len(a) > 1 and len(b) > 1 and b.mean() > a.mean() and _welch_p(a, b) < ALPHA:
                breached.append(f"{metric}:{name}")
    return breached


def unit_metrics(session: Session, experiment: Experiment) -> dict[str, Units]:
    """Each exposed unit's events from its first exposure until the experiment stopped, by bucket; a unit is the
    shopper or the session the experiment randomizes."""
    unit = func.coalesce(E.shopper_id, E.conversation_id) if experiment.unit == "shopper" else E.conversation_id
    exposures = (select(unit.label("unit"), E.detail.label("bucket"), func.min(E.at).label("first"))
                 .where(E.kind == "exposure", E.term == experiment.name).group_by(unit, E.detail).subquery())
    joined = [unit == exposures.c.unit, E.at >= exposures.c.first, E.kind.in_(COUNTED)]
    if experiment.stopped_at is not None:
        joined.append(E.at <= experiment.stopped_at)

    def count(kind: str) -> Any:
        return func.sum(case((E.kind == kind, 1), else_=0))

    query = (select(exposures.c.unit, exposures.c.bucket, count("card_shown"), count("click"), count("add_to_cart"),
                    count("checkout_completed"),
                    func.sum(case((E.kind == "checkout_completed", E.value), else_=0.0)), count("turn"),
                    func.sum(case((E.kind == "turn", E.value), else_=0.0)), count("handoff"), count("thumbs_down"))
             .select_from(exposures).outerjoin(E, and_(*joined)).group_by(exposures.c.unit, exposures.c.bucket))
    rows: dict[str, list[tuple[float, ...]]] = {}
    for _, bucket, *values in session.execute(query):
        rows.setdefault(bucket, []).append(tuple(float(v or 0) for v in values))
    return {bucket: Units.of(found) for bucket, found in rows.items()}


def read_experiment(session: Session, experiment: Experiment) -> ExperimentRead:
    return compare(experiment, unit_metrics(session, experiment))
