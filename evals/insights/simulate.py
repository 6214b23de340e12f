"""`shopassist bench experiments`: the experiment read validated by simulation. A/A runs (no effect) must reject at
the nominal 5 %; A/B runs with a planted 10 % relative CTR lift, at the units the power analysis asks for, must
detect it about as often as the stated power. Then one A/B run goes through the database end to end: its events
written as the chat writes them, read back by the same SQL the console and CLI use."""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy import select

from commerce.db import Database
from commerce.demo import generate_shop, write_shop
from commerce.events import write_events
from commerce.experiment_stats import read_experiment
from commerce.experiments import start_experiment
from commerce.tables import ProductRow
from evals.insights.traffic import Traffic, ab_experiment, rejection_rate, session_events


def end_to_end(traffic: Traffic, units: int, lift: float, seed: int) -> dict[str, Any]:
    """One planted-lift experiment through the demo shop's database."""
    with tempfile.TemporaryDirectory() as folder:
        database = Database(f"sqlite:///{Path(folder) / 'sim.db'}")
        database.migrate()
        with database.session() as session:
            write_shop(session, generate_shop(seed))
            products = list(session.scalars(select(ProductRow.id)))
        experiment = ab_experiment("sim-e2e", holdout=0.1)
        with database.session() as session:
            start_experiment(session, experiment)
            write_events(session, session_events(experiment, traffic, units, lift, products, seed))
        with database.session() as session:
            read = read_experiment(session, experiment)
        database.engine.dispose()
    ctr = next(c for c in read.comparisons if c.metric == "ctr")
    return {"units": units, "holdout_units": read.holdout_units, "ctr_lift": round(ctr.relative_lift or 0, 4),
            "ctr_p": round(ctr.p_value, 5), "detected": ctr.significant, "srm_p": round(read.srm_p_value, 4),
            "ctr": {v.name: [round(v.ctr.low, 4), round(v.ctr.value, 4), round(v.ctr.high, 4)] for v in read.variants}}


def bench_experiments(
    out: Annotated[Path, typer.Option(help="Where to write the JSON report")] = Path(
        "var/reports/bench_experiments.json"),
    runs: Annotated[int, typer.Option(min=10, help="Simulated experiments per case")] = 1000,
    lift: Annotated[float, typer.Option(help="Planted relative CTR lift")] = 0.10,
    power: Annotated[float, typer.Option(help="Power the sample size is chosen for")] = 0.8,
    seed: Annotated[int, typer.Option(help="Random seed")] = 7,
) -> None:
    """A/A false-positive rate and A/B power of the CTR test over many simulated experiments."""
    traffic = Traffic()
    per_arm = traffic.units_for_power(power, lift)
    units = 2 * per_arm
    started = time.perf_counter()
    aa = rejection_rate(traffic, units, 0.0, runs, seed)
    ab = rejection_rate(traffic, units, lift, runs, seed + runs)
    e2e = end_to_end(traffic, units, lift, seed)
    report = {"traffic": traffic.__dict__, "lift": lift, "units_per_experiment": units,
              "stated_power": round(traffic.stated_power(per_arm, lift), 3), "aa": aa, "ab": ab, "end_to_end": e2e,
              "seconds": round(time.perf_counter() - started, 1)}
    typer.echo(f"{units:,} sessions per experiment ({per_arm:,} per arm), planted CTR lift {lift:+.0%}, "
               f"base CTR {traffic.base_ctr:.0%}")
    typer.echo(f"A/A: rejected {aa['rejected']}/{runs} = {aa['rate']:.1%} (nominal 5%); sample-ratio alarms "
               f"{aa['srm_alarms']}/{aa['srm_checked']}")
    typer.echo(f"A/B: detected {ab['rejected']}/{runs} = {ab['rate']:.1%} (stated power {report['stated_power']:.0%})")
    typer.echo(f"end to end through the database: lift {e2e['ctr_lift']:+.1%}, p {e2e['ctr_p']}, "
               f"detected {e2e['detected']}, holdout {e2e['holdout_units']} units, SRM p {e2e['srm_p']}")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    typer.echo(f"wrote {out}")
