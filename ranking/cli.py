"""CLI entry points for `shopassist eval reco` and `shopassist bench rank` (heavy imports stay inside)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from shopassist.settings import get_settings

TAU_DIR = Path("../shared/data/tau_retail")


def eval_reco(
    out: Annotated[Path, typer.Option(help="Where to write the JSON report")] = Path("var/reports/reco.json"),
    tau_dir: Annotated[Path, typer.Option(help="τ-retail data folder (real orders); skipped when missing")] = TAU_DIR,
    demo: Annotated[bool, typer.Option(help="Evaluate on the demo shop's behaviour events")] = True,
) -> None:
    """Recommendation eval: leave-last-out HR@10/NDCG@10, coverage, diversity, brand Gini; personal vs plain."""
    from commerce.db import Database
    from evals.reco import evaluate, table, write_report
    from evals.reco_data import load_demo, load_tau

    settings = get_settings()
    datasets = []
    if demo:
        db = Database(settings.sqlalchemy_url)
        db.migrate()
        data = load_demo(db)
        if data.events:
            datasets.append(data)
        else:
            typer.echo("demo shop has no behaviour events: run `shopassist data generate` first", err=True)
    if tau_dir.is_dir():
        datasets.append(load_tau(tau_dir))
    if not datasets:
        raise typer.Exit(1)
    reports = [evaluate(data, settings.profile_half_life_days) for data in datasets]
    for report in reports:
        typer.echo(table(report))
    write_report(reports, out)
    typer.echo(f"wrote {out}")


def bench_rank(
    out: Annotated[Path, typer.Option(help="Where to write the JSON report")] = Path("var/reports/bench_rank.json"),
    candidates: Annotated[int, typer.Option(help="Candidates per rerank call")] = 200,
    calls: Annotated[int, typer.Option(help="Rerank calls to time")] = 300,
    events: Annotated[int, typer.Option(help="Events to record for the profile-update throughput")] = 3000,
) -> None:
    """p50/p95 latency to rerank N candidates with a profile; record_event throughput (events/s)."""
    from evals.bench_rank import run

    report = run(get_settings(), candidates, calls, events)
    for name, value in report.items():
        typer.echo(f"{name:40} {value}")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    typer.echo(f"wrote {out}")
