"""`shopassist eval reco` (heavy imports stay inside)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from shopassist.settings import get_settings


def eval_reco(
    out: Annotated[Path, typer.Option(help="Where to write the JSON report")] = Path("var/reports/reco.json"),
    tau_dir: Annotated[Path | None, typer.Option(help="τ-retail data folder (real orders; default: the shared "
                                                      "data's tau_retail); skipped when missing")] = None,
    demo: Annotated[bool, typer.Option(help="Evaluate on the demo shop's behaviour events")] = True,
) -> None:
    """Recommendation eval: leave-last-out HR@10/NDCG@10, coverage, diversity, brand Gini; personal vs plain."""
    from commerce.db import Database
    from evals.reco.data import load_demo, load_tau
    from evals.reco.evaluate import evaluate, table, write_report

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
    tau_dir = tau_dir or settings.shared_data("tau_retail")
    if tau_dir.is_dir():
        datasets.append(load_tau(tau_dir))
    if not datasets:
        raise typer.Exit(1)
    reports = [evaluate(data, settings.profile_half_life_days) for data in datasets]
    for report in reports:
        typer.echo(table(report))
    write_report(reports, out)
    typer.echo(f"wrote {out}")
