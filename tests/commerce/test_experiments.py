"""Experiments: deterministic assignment with a holdout, per-turn settings only, and a read whose tests find a
planted lift, stay quiet without one and flag a sample-ratio mismatch; through the database as the chat writes."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError
from sqlalchemy import select

from commerce.db import Database
from commerce.demo import generate_shop, write_shop
from commerce.events import write_events
from commerce.experiment_stats import compare, read_experiment
from commerce.experiments import (
    HOLDOUT,
    Experiment,
    ExperimentError,
    Variant,
    get_experiment,
    start_experiment,
    stop_experiment,
)
from commerce.tables import ProductRow
from evals.insights.traffic import Traffic, ab_experiment, session_events, simulate_units


def test_assignment_is_deterministic_follows_the_weights_and_keeps_a_holdout() -> None:
    experiment = Experiment(name="wording", holdout=0.1,
                            variants=[Variant(name="control"), Variant(name="advice", weight=3)])
    buckets = [experiment.assign(f"session-{i}") for i in range(20_000)]
    assert buckets == [experiment.assign(f"session-{i}") for i in range(20_000)]
    shares = {name: buckets.count(name) / len(buckets) for name in ("control", "advice", HOLDOUT)}
    assert shares == pytest.approx(experiment.shares(), abs=0.01)
    assert experiment.shares() == pytest.approx({"control": 0.225, "advice": 0.675, HOLDOUT: 0.1})
    other = experiment.model_copy(update={"name": "other"})
    same = sum(a == b for a, b in zip(buckets, (other.assign(f"session-{i}") for i in range(20_000)), strict=True))
    assert same / len(buckets) < 0.7  # independent of another experiment's buckets


def test_variants_change_per_turn_settings_only_with_valid_values() -> None:
    assert Variant(name="short", settings={"agent_advice_sentences": "3"}).settings == {"agent_advice_sentences": 3}
    with pytest.raises(ValidationError, match="not per-turn settings: secret"):
        Variant(name="bad", settings={"secret": "x"})
    with pytest.raises(ValidationError, match="agent_answer"):
        Variant(name="bad", settings={"agent_answer": "shouting"})
    with pytest.raises(ValidationError, match="distinct"):
        Experiment(name="x", variants=[Variant(name="a"), Variant(name="a")])


def test_start_stop_and_a_second_start_of_the_same_name(database: Database) -> None:
    with database.session() as session:
        start_experiment(session, ab_experiment("wording"))
    with database.session() as session, pytest.raises(ExperimentError, match="exists"):
        start_experiment(session, ab_experiment("wording"))
    with database.session() as session:
        stopped = stop_experiment(session, "wording")
    assert stopped.status == "stopped" and stopped.stopped_at is not None
    with database.session() as session:
        assert get_experiment(session, "wording").status == "stopped"
        with pytest.raises(ExperimentError, match="no experiment"):
            stop_experiment(session, "nope")


def _buckets(lift: float, n: int, seed: int) -> dict[str, object]:
    rng = np.random.default_rng(seed)
    traffic = Traffic()
    return {"control": simulate_units(rng, traffic, n, 0.0), "treatment": simulate_units(rng, traffic, n, lift)}


def test_the_read_finds_a_planted_lift_and_gives_intervals_around_the_truth() -> None:
    read = compare(ab_experiment(), _buckets(0.25, 6000, seed=1))  # type: ignore[arg-type]
    ctr = next(c for c in read.comparisons if c.metric == "ctr")
    assert ctr.significant and ctr.relative_lift == pytest.approx(0.25, abs=0.08)
    control, treatment = read.variants
    assert control.ctr.low < 0.08 < control.ctr.high and treatment.ctr.low < 0.10 < treatment.ctr.high
    assert control.revenue_per_unit.low < control.revenue_per_unit.value < control.revenue_per_unit.high
    assert not read.sample_ratio_mismatch and read.guardrails_breached == []


def test_an_aa_read_is_quiet_and_a_lopsided_split_is_a_mismatch() -> None:
    quiet = compare(ab_experiment(), _buckets(0.0, 3000, seed=2))  # type: ignore[arg-type]
    assert not any(c.significant for c in quiet.comparisons)
    rng = np.random.default_rng(3)
    lopsided = {"control": simulate_units(rng, Traffic(), 3000, 0),
                "treatment": simulate_units(rng, Traffic(), 2600, 0)}
    read = compare(ab_experiment(), lopsided)  # type: ignore[arg-type]
    assert read.sample_ratio_mismatch and read.srm_p_value < 0.001


def test_a_slower_variant_breaches_the_latency_guardrail() -> None:
    buckets = _buckets(0.0, 2000, seed=4)
    slow = buckets["treatment"]
    slow.latency_ms = slow.latency_ms * 1.5  # type: ignore[attr-defined]
    read = compare(ab_experiment(), buckets)  # type: ignore[arg-type]
    assert read.guardrails_breached == ["latency_ms:treatment"]


def test_read_from_the_database_as_the_chat_writes_events(database: Database) -> None:
    with database.session() as session:
        write_shop(session, generate_shop(7))
        products = list(session.scalars(select(ProductRow.id)))
    experiment = ab_experiment("wording", holdout=0.1)
    with database.session() as session:
        start_experiment(session, experiment)
        write_events(session, session_events(experiment, Traffic(), 3000, 0.5, products, seed=5))
    with database.session() as session:
        read = read_experiment(session, get_experiment(session, "wording"))
    assert sum(v.units for v in read.variants) + read.holdout_units == 3000
    assert 200 < read.holdout_units < 400 and not read.sample_ratio_mismatch
    ctr = next(c for c in read.comparisons if c.metric == "ctr")
    assert ctr.significant and ctr.relative_lift == pytest.approx(0.5, abs=0.2)
    assert all(v.conversion_rate.value > 0 and v.revenue_per_unit.value > 0 for v in read.variants)
