"""`shopassist eval router`: how well the intent classifier behind the rule-based router does, and at what threshold."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from agent.intents import DEFAULT_EXAMPLES
from evals.router.evaluate import GOLD_PATH


def _figure(value: float | None) -> str:
    return "  -  " if value is None else f"{value:.3f}"


def _print_section(title: str, section: dict[str, Any]) -> None:
    accuracy, count = section["accuracy"], section["count"]
    typer.echo(f"{title}: accuracy " + "  ".join(f"{language} {_figure(accuracy[language])} (n={count[language]})"
                                                 for language in accuracy))
    languages = [language for language in section["per_intent"] if language != "all"]
    typer.echo(f"  {'intent':18}" + "".join(f"{language + ' P':>8}{language + ' R':>8}" for language in languages))
    for intent in section["per_intent"]["all"]:
        cells = [section["per_intent"][language].get(intent) for language in languages]
        typer.echo(f"  {intent:18}" + "".join(
            f"{_figure(cell and cell['precision']):>8}{_figure(cell and cell['recall']):>8}" for cell in cells))
    typer.echo("  threshold  coverage  accuracy")
    for point in section["coverage"]:
        typer.echo(f"  {point['threshold']:9.2f}  {point['coverage']:8.3f}  {_figure(point['accuracy']):>8}")


def _print_router(title: str, section: dict[str, Any]) -> None:
    typer.echo(f"whole router, {title}: routed {section['routed']:.3f}, accuracy {_figure(section['accuracy'])}, "
               f"accuracy of routed {_figure(section['accuracy_of_routed'])} (n={section['count']})")
    languages = [language for language in section["per_intent"] if language != "all"]
    typer.echo(f"  {'intent':18}" + "".join(f"{language + ' P':>8}{language + ' R':>8}" for language in languages))
    for intent, cell in section["per_intent"]["all"].items():
        cells = [section["per_intent"][language].get(intent) for language in languages]
        typer.echo(f"  {intent:18}" + "".join(
            f"{_figure(cell and cell['precision']):>8}{_figure(cell and cell['recall']):>8}" for cell in cells))


def router_command(
    examples: Annotated[Path, typer.Option(help="Labelled messages (JSONL)")] = DEFAULT_EXAMPLES,
    gold: Annotated[Path, typer.Option(help="Gold dialogues whose user turns are scored held out")] = GOLD_PATH,
    no_gold: Annotated[bool, typer.Option("--no-gold", help="Skip the gold turns")] = False,
    folds: Annotated[int, typer.Option(help="Stratified cross-validation folds")] = 5,
    seed: Annotated[int, typer.Option(help="Seed of the fold assignment")] = 0,
    target_accuracy: Annotated[float, typer.Option(help="Lowest threshold reaching this")] = 0.95,
    out: Annotated[Path | None, typer.Option("--out", help="JSON report (default var/reports/router/...)")] = None,
) -> None:
    """Cross-validated accuracy, per-intent precision/recall per language, coverage vs accuracy, gold turns."""
    from agent.intents import IntentFileError
    from evals.router.evaluate import TooFewExamples, evaluate
    from shopassist.settings import get_settings

    if folds < 2:
        typer.echo("error: --folds must be at least 2", err=True)
        raise typer.Exit(2)
    try:
        report = evaluate(examples, None if no_gold else gold, folds, seed, target_accuracy)
    except (IntentFileError, TooFewExamples, FileNotFoundError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    _print_section(f"cross-validation ({folds} folds)", report["cross_validation"])  # type: ignore[arg-type]
    cv: dict[str, Any] = report["cross_validation"]  # type: ignore[assignment]
    typer.echo(f"  1-nearest-example accuracy {cv['nearest_example_accuracy']:.3f}; log-loss by temperature "
               + "  ".join(f"{t}: {loss}" for t, loss in cv["log_loss_by_temperature"].items()))
    recommended: dict[str, Any] | None = report["recommended"]  # type: ignore[assignment]
    typer.echo(f"recommended threshold (CV accuracy >= {target_accuracy}): " + (
        f"{recommended['threshold']:.2f}  coverage {recommended['coverage']:.3f}  accuracy "
        f"{recommended['accuracy']:.3f}" if recommended else "none reaches the target"))
    if "gold" in report:
        section: dict[str, Any] = report["gold"]  # type: ignore[assignment]
        _print_section("gold user turns (held out)", section)
        if section["at_recommended"]:
            typer.echo(f"  at the recommended threshold: coverage {section['at_recommended']['coverage']:.3f}  "
                       f"accuracy {_figure(section['at_recommended']['accuracy'])}")
    for title, section in report["router"].items():  # type: ignore[attr-defined]
        _print_router(title, section)
    typer.echo("timings " + "  ".join(f"{key} {value}" for key, value in report["timings"].items()))  # type: ignore[attr-defined]
    path = out or get_settings().data_dir / "reports" / "router" / f"router-{datetime.now(UTC):%Y%m%d-%H%M%S}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    typer.echo(f"report: {path}")
