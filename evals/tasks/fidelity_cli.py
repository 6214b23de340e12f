"""`shopassist eval fidelity`: replay τ-bench retail gold actions through our tools and compare final states."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def fidelity(
    tasks: Annotated[Path, typer.Option("--tasks", help="τ tasks JSON, e.g. .../tau_retail/tasks_test.json")],
    expected: Annotated[Path, typer.Option("--expected", help="expected_final_states.json")],
    split: Annotated[str, typer.Option("--split", help="Split name inside the expected file, e.g. test")] = "test",
    data: Annotated[Path | None, typer.Option("--data", help="Folder with orders/users/products.json")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Report JSON (default var/reports/fidelity-SPLIT.json)")]
    = None,
) -> None:
    """Apply each task's gold actions through our tools (confirming every write); print N/M tasks match."""
    from evals.tasks.fidelity import run_fidelity
    from shopassist.settings import get_settings

    for path in (tasks, expected):
        if not path.is_file():
            typer.echo(f"error: no such file: {path}", err=True)
            raise typer.Exit(2)
    report = run_fidelity(tasks, expected, split, data)
    for problem in report.load_problems[:20]:
        typer.echo(f"load differs: {problem}")
    typer.echo(f"{report.matched}/{report.total} tasks match")
    for task in report.tasks:
        if not task.match:
            typer.echo(f"task {task.task_index} differs:")
            for difference in task.differences:
                typer.echo(f"  {difference}")
    path = out or get_settings().data_dir / "reports" / f"fidelity-{split}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(report.model_dump_json(indent=2))
    typer.echo(f"report: {path}")
    if report.matched != report.total or report.load_problems:
        raise typer.Exit(1)
