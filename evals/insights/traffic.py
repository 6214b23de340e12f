"""A traffic simulator for experiments: shoppers of the demo shop assigned by the real hash, shown cards, clicking
with their own propensity (beta-binomial), carting, ordering; a planted relative CTR lift in one variant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
from statsmodels.stats.power import NormalIndPower

from commerce.events import AttributionEvent
from commerce.experiment_stats import ALPHA, Units, compare, ctr_p_value
from commerce.experiments import Experiment, Variant


@dataclass(frozen=True)
class Traffic:
    base_ctr: float = 0.08
    concentration: float = 20.0  # beta(a, b) with a + b = this: shoppers differ in how much they click
    cards_mean: float = 5.0  # cards shown per unit: 1 + Poisson(this)
    cart_per_click: float = 0.25
    order_per_cart: float = 0.35
    order_value_mean: float = 80.0

    @property
    def cards_per_unit(self) -> float:
        return 1 + self.cards_mean

    def unit_sd(self) -> float:
        """Standard deviation of one unit's click-through (its cards weighted), clustering included: the design
        effect of a beta-binomial is 1 + (m - 1) / (a + b + 1)."""
        p, m = self.base_ctr, self.cards_per_unit
        design_effect = 1 + (m - 1) / (self.concentration + 1)
        return float(np.sqrt(p * (1 - p) * design_effect / m))

    def stated_power(self, units_per_arm: int, lift: float) -> float:
        effect = self.base_ctr * lift / self.unit_sd()
        return float(NormalIndPower().power(effect_size=effect, nobs1=units_per_arm, alpha=ALPHA, ratio=1.0))

    def units_for_power(self, power: float, lift: float) -> int:
        effect = self.base_ctr * lift / self.unit_sd()
        return int(np.ceil(NormalIndPower().solve_power(effect_size=effect, power=power, alpha=ALPHA, ratio=1.0)))


def ab_experiment(name: str = "sim", holdout: float = 0.0) -> Experiment:
    return Experiment(name=name, variants=[Variant(name="control"), Variant(name="treatment")], holdout=holdout)


def simulate_units(rng: np.random.Generator, traffic: Traffic, n: int, lift: float) -> Units:
    ctr = traffic.base_ctr * (1 + lift)
    k = traffic.concentration
    cards = 1 + rng.poisson(traffic.cards_mean, n)
    clicks = rng.binomial(cards, rng.beta(ctr * k, (1 - ctr) * k, n))
    carts = rng.binomial(clicks, traffic.cart_per_click)
    orders = rng.binomial(np.minimum(carts, 1), traffic.order_per_cart)
    revenue = orders * rng.gamma(2.0, traffic.order_value_mean / 2, n)
    turns = 1 + rng.poisson(2.0, n)
    latency = turns * rng.gamma(4.0, 300.0, n)
    return Units(cards=cards.astype(float), clicks=clicks.astype(float), carts=carts.astype(float),
                 orders=orders.astype(float), revenue=revenue, turns=turns.astype(float), latency_ms=latency,
                 handoffs=rng.binomial(1, 0.05, n).astype(float), thumbs_down=rng.binomial(1, 0.03, n).astype(float))


def assigned(experiment: Experiment, n: int, run: int) -> dict[str, int]:
    """How many of n sessions the real hash puts in each bucket."""
    counts: dict[str, int] = {}
    for index in range(n):
        bucket = experiment.assign(f"sim-{run}-{index}")
        counts[bucket] = counts.get(bucket, 0) + 1
    return counts


def one_run(experiment: Experiment, traffic: Traffic, n: int, lift: float, seed: int) -> tuple[float, bool]:
    """The CTR test's p-value for treatment vs control, and whether the sample-ratio check fired."""
    rng = np.random.default_rng(seed)
    counts = assigned(experiment, n, seed)
    buckets = {name: simulate_units(rng, traffic, count, lift if name == "treatment" else 0.0)
               for name, count in counts.items()}
    p_value = ctr_p_value(buckets["control"], buckets["treatment"])
    srm = compare(experiment, buckets).sample_ratio_mismatch if seed % 10 == 0 else False
    return p_value, srm


def rejection_rate(traffic: Traffic, n: int, lift: float, runs: int, seed: int = 0) -> dict[str, float]:
    experiment = ab_experiment()
    results = [one_run(experiment, traffic, n, lift, seed + run) for run in range(runs)]
    rejected = sum(p < ALPHA for p, _ in results)
    checked = len(range(0, runs, 10))
    return {"runs": runs, "rejected": rejected, "rate": rejected / runs,
            "srm_alarms": sum(srm for _, srm in results), "srm_checked": checked}


def unit_events(experiment: Experiment, unit: str, units: Units, index: int, products: list[str],
                start: datetime, rng: np.random.Generator) -> list[AttributionEvent]:
    """One simulated session's events as the chat writes them: its exposure, cards, clicks, carts and order."""
    bucket = experiment.assign(unit)
    at = start + timedelta(seconds=index)
    base = {"conversation_id": unit, "language": "en", "variant": f"{experiment.name}={bucket}"}
    events = [AttributionEvent(kind="exposure", at=at, term=experiment.name, detail=bucket, **base),
              AttributionEvent(kind="turn", at=at, value=float(units.latency_ms[index]), **base)]
    shown = rng.choice(products, int(units.cards[index]))
    events += [AttributionEvent(kind="card_shown", at=at, product_id=p, position=i, **base)
               for i, p in enumerate(shown)]
    events += [AttributionEvent(kind="click", at=at, product_id=shown[0], **base)] * int(units.clicks[index])
    events += [AttributionEvent(kind="add_to_cart", at=at, product_id=shown[0], **base)] * int(units.carts[index])
    if units.orders[index]:
        events.append(AttributionEvent(kind="checkout_completed", at=at, value=float(units.revenue[index]),
                                       detail="chat", **base))
    return events


def session_events(experiment: Experiment, traffic: Traffic, n: int, lift: float, products: list[str],
                   seed: int = 0) -> list[AttributionEvent]:
    """n sessions' events, each in the bucket the real hash gives it; treatment clicks with the planted lift."""
    rng = np.random.default_rng(seed)
    start = datetime.now(UTC) - timedelta(hours=1)
    found: list[AttributionEvent] = []
    for index in range(n):
        unit = f"sim-{seed}-{index}"
        planted = lift if experiment.assign(unit) == "treatment" else 0.0
        one = simulate_units(rng, traffic, 1, planted)
        found += unit_events(experiment, unit, one, 0, products, start + timedelta(seconds=index), rng)
    return found
