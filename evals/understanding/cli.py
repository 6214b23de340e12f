"""`shopassist eval understanding`: play the understanding dialogues through the agent and report per act and
language, the act confusion matrix, false absences, which producer read each turn, and every turn's time."""

from __future__ import annotations

import asyncio
import json
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from evals.understanding.schema import DATASETS, TUNE_PATH


def understanding_command(
    dataset: Annotated[Path, typer.Option(help=f"Dialogues (JSONL); the held-out set is {DATASETS}/heldout.jsonl")
                       ] = TUNE_PATH,
    llm_backend: Annotated[str, typer.Option(help="embedded, openai or scripted (default: settings)")] = "",
    in_catalog: Annotated[bool, typer.Option("--in-catalog", help="Instead of --dataset: requests generated from "
                                             "the catalog for every kind (false absences must be 0)")] = False,
    limit: Annotated[int, typer.Option(help="Play at most N dialogues (0: all)")] = 0,
    verbose: Annotated[bool, typer.Option("--verbose", help="Print every turn")] = False,
    out: Annotated[Path | None, typer.Option(help="JSON report (default var/reports/understanding/<time>.json)")
                   ] = None,
) -> None:
    """Every turn judged: act, kind and budget of its search, answer wording, claims of absence, time."""
    from agent.runner import AgentRunner, load_classifier
    from evals.replay.harness import LLMChoice, scratch_copy
    from evals.understanding.catalog_set import in_catalog_dialogues
    from evals.understanding.run import play, signed_in_shopper, summarize
    from evals.understanding.schema import load_dialogues

    settings = LLMChoice(backend=llm_backend).settings()
    with tempfile.TemporaryDirectory() as folder:
        db = scratch_copy(settings, Path(folder))
        dialogues = (in_catalog_dialogues(db) if in_catalog else load_dialogues(dataset))[: limit or None]
        runner = AgentRunner(settings, db, classifier=load_classifier(settings))
        runner.warm_up()
        shopper = signed_in_shopper(db)
        records = []
        for dialogue in dialogues:
            for record in asyncio.run(play(runner, dialogue, shopper)):
                records.append(record)
                if verbose or not record.passed:
                    typer.echo(f"{'PASS' if record.passed else 'FAIL'} {record.dialogue_id}#{record.turn} "
                               f"[{record.producer} {record.latency_ms:.0f} ms] {record.text!r} → {record.act}: "
                               f"{'; '.join(record.reasons)}")
                    if verbose:
                        typer.echo(f"    calls {record.calls}\n    answer {record.answer[:300]!r}")
    summary = summarize(records)
    typer.echo(json.dumps({key: summary[key] for key in ("turns", "pass_rate", "act_accuracy", "false_absences",
                                                         "producers", "latency_ms")}))
    for act, row in summary["per_act"].items():
        typer.echo(f"  {act:15} turns {row['turns']:3}  pass {row['pass_rate']}  act {row['act_accuracy']}  "
                   f"p95 {row['latency_ms']['p95']} ms  read as {summary['confusion'][act]}")
    for language, row in summary["per_language"].items():
        typer.echo(f"  {language:6} turns {row['turns']:3}  pass {row['pass_rate']}  act {row['act_accuracy']}")
    stamp = f"{datetime.now(UTC):%Y%m%d-%H%M%S}.json"
    path = out or settings.data_dir / "reports" / "understanding" / stamp
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"dataset": "in-catalog" if in_catalog else dataset.name,
                                "backend": settings.llm_backend, "summary": summary,
                                "turns": [record.model_dump() for record in records]}, ensure_ascii=False, indent=1))
    typer.echo(f"report {path}")
