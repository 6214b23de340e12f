"""`shopassist bench rank` (heavy imports stay inside)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from shopassist.settings import get_settings


def bench_rank(
    out: Annotated[Path, typer.Option(help="Where to write the JSON report")] = Path("var/reports/bench_rank.json"),
    candidates: Annotated[int, typer.Option(help="Candidates per rerank call")] = 200,
    calls: Annotated[int, typer.Option(help="Rerank calls to time")] = 300,
    events: Annotated[int, typer.Option(help="Events to record for the profile-update throughput")] = 3000,
) -> None:
    """p50/p95 latency to rerank N candidates with a profile; record_event throughput (events/s)."""
    from evals.bench.rank import run

    report = run(get_settings(), candidates, calls, events)
    for name, value in report.items():
        typer.echo(f"{name:40} {value}")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    typer.echo(f"wrote {out}")
