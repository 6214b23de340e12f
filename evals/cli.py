"""`shopassist eval replay|gold|tasks|all|import-logs`: the evaluation harness commands."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from evals.report.metrics import ThresholdError, failed_thresholds, parse_thresholds

Backend = Annotated[str, typer.Option("--llm-backend", help="embedded | openai | scripted (default: settings)")]
BaseUrl = Annotated[str, typer.Option("--llm-base-url", help="OpenAI-compatible URL, e.g. http://host:8001/v1")]
Model = Annotated[str, typer.Option("--llm-model", help="Model name (openai) or GGUF name/path (embedded)")]
FailUnder = Annotated[list[str], typer.Option("--fail-under", help="METRIC=MIN, repeatable; exit 1 when below")]
Prompts = Annotated[Path | None, typer.Option("--prompts-dir", help="Candidate prompt folder (default prompts/)")]
Out = Annotated[Path | None, typer.Option("--out", help="Report folder (default var/reports/<kind>-<time>)")]


def _out_dir(out: Path | None, kind: str, data_dir: Path) -> Path:
    return out or data_dir / "reports" / f"{kind}-{datetime.now(UTC):%Y%m%d-%H%M%S}"


def _gate(summary: dict[str, object], fail_under: list[str]) -> None:
    try:
        failures = failed_thresholds(summary, parse_thresholds(fail_under))
    except ThresholdError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    for failure in failures:
        typer.echo(f"FAIL {failure}", err=True)
    if failures:
        raise typer.Exit(1)


def _print_summary(summary: dict[str, object]) -> None:
    for key, value in summary.items():
        if not isinstance(value, dict | list):
            typer.echo(f"{key:22} {value}")
        elif key == "latency_ms":
            typer.echo(f"{key:22} " + "  ".join(f"{k} {v}" for k, v in value.items()))  # type: ignore[union-attr]


def replay(
    logs: Annotated[Path | None, typer.Argument(help="Dialogue-log JSONL (shopassist.dialogue-log v1)")] = None,
    gold: Annotated[bool, typer.Option("--gold", help="Run the gold dialogue set instead of logs")] = False,
    limit: Annotated[int, typer.Option(help="Replay at most N conversations (gold: N per intent)")] = 0,
    fail_under: FailUnder = [],  # noqa: B006 - typer needs a literal default
    out: Out = None, llm_backend: Backend = "", llm_base_url: BaseUrl = "", llm_model: Model = "",
    prompts_dir: Prompts = None,
) -> None:
    """Re-run logged user turns through the current agent and report what changed."""
    from evals.replay.harness import LLMChoice, run_replay
    from evals.report.sections import replay_section
    from evals.report.write import write_report
    from serving.dialogue_log import LogFormatError, read_logs

    if gold:
        gold_command(limit=limit, fail_under=fail_under, out=out, llm_backend=llm_backend,
                     llm_base_url=llm_base_url, llm_model=llm_model, prompts_dir=prompts_dir)
        return
    if logs is None or not logs.exists():
        typer.echo(f"error: give a dialogue-log file (got {logs})", err=True)
        raise typer.Exit(2)
    settings = LLMChoice(llm_backend, llm_base_url, llm_model, prompts_dir).settings()
    try:
        dialogues = list(read_logs(logs))
    except LogFormatError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    scores = run_replay(settings, dialogues[:limit] if limit else dialogues, prompts_dir)
    folder = _out_dir(out, "replay", settings.data_dir)
    section = replay_section(scores, folder)
    paths = write_report(folder, f"Replay of {logs.name}", [section],
                         {"logs": str(logs), "turns": [s.model_dump(mode="json") for s in scores]})
    _print_summary(section.summary)
    typer.echo(f"report: {paths['markdown']}  {paths['html']}  {paths['json']}")
    _gate(section.summary, fail_under)


def gold_command(
    limit: Annotated[int, typer.Option(help="At most N dialogues per intent (0 = all)")] = 0,
    intent: Annotated[list[str], typer.Option(help="Only these intents (repeatable)")] = [],  # noqa: B006
    language: Annotated[str, typer.Option(help="en or zh (default both)")] = "",
    fail_under: FailUnder = [],  # noqa: B006
    out: Out = None, llm_backend: Backend = "", llm_base_url: BaseUrl = "", llm_model: Model = "",
    prompts_dir: Prompts = None,
) -> None:
    """Run the gold dialogue set: tool/argument accuracy, products, citations, safety, grounding, latency."""
    from evals.replay.compare import GoldScore
    from evals.replay.harness import LLMChoice, run_gold_set, select_gold
    from evals.report.sections import gold_section
    from evals.report.write import write_report

    settings = LLMChoice(llm_backend, llm_base_url, llm_model, prompts_dir).settings()

    def progress(score: GoldScore) -> None:
        typer.echo(f"{score.id:24} {'pass' if score.passed else 'FAIL'}  tools={score.tools_called} "
                   f"{score.latency_ms / 1000:.1f}s {score.error}", err=True)

    scores = run_gold_set(settings, select_gold(limit, intent, language), progress, prompts_dir)
    folder = _out_dir(out, "gold", settings.data_dir)
    section = gold_section(scores, folder)
    paths = write_report(folder, f"Gold dialogues ({settings.llm_backend}: {settings.llm_model})", [section],
                         {"backend": settings.llm_backend, "model": settings.llm_model,
                          "dialogues": [s.model_dump(mode="json") | {"passed": s.passed} for s in scores]})
    _print_summary(section.summary)
    typer.echo(f"report: {paths['markdown']}  {paths['html']}  {paths['json']}")
    _gate(section.summary, fail_under)


def import_logs(
    source: Annotated[Path, typer.Argument(help="Third-party dialogues, e.g. ABCD abcd_sample.json")],
    target: Annotated[Path, typer.Argument(help="Dialogue-log JSONL to write")],
    fmt: Annotated[str, typer.Option("--format", help="Source format (abcd)")] = "abcd",
) -> None:
    """Convert third-party dialogues into the shopassist dialogue-log format."""
    from evals.replay.abcd_logs import convert_file
    from serving.dialogue_log import write_logs

    if fmt != "abcd":
        typer.echo(f"error: unknown format {fmt!r} (known: abcd)", err=True)
        raise typer.Exit(2)
    typer.echo(f"wrote {write_logs(target, convert_file(source))} conversations to {target}")


def tasks_command(
    split: Annotated[str, typer.Option(help="τ split with expected final states (test or dev)")] = "test",
    limit: Annotated[int, typer.Option(help="First N tasks (0 = all)")] = 3,
    task_id: Annotated[list[int], typer.Option("--task-id", help="Only these task indexes (repeatable)")] = [],  # noqa: B006
    trials: Annotated[int, typer.Option(help="Trials per task (pass^k needs k ≤ trials)")] = 1,
    max_turns: Annotated[int, typer.Option(help="Shopper messages per episode")] = 10,
    shopper_backend: Annotated[str, typer.Option(help="Backend of the simulated shopper (default: agent's)")] = "",
    shopper_base_url: Annotated[str, typer.Option(help="OpenAI-compatible URL for the shopper")] = "",
    shopper_model: Annotated[str, typer.Option(help="Model of the simulated shopper")] = "",
    fail_under: FailUnder = [],  # noqa: B006
    out: Out = None, llm_backend: Backend = "", llm_base_url: BaseUrl = "", llm_model: Model = "",
) -> None:
    """Simulated-shopper task suite over the τ-bench retail store: success rate and pass^k."""
    from evals.replay.harness import LLMChoice
    from evals.report.write import write_report
    from evals.tasks.run import run_tasks, task_section
    from evals.tasks.suite import TrialResult, load_tasks

    agent = LLMChoice(llm_backend, llm_base_url, llm_model)
    settings = agent.settings()
    shopper = LLMChoice(shopper_backend or agent.backend, shopper_base_url or agent.base_url,
                        shopper_model or agent.model).settings()
    tau = settings.shared_data("tau_retail")
    tasks = load_tasks(tau / f"tasks_{split}.json", task_id or None, limit)

    def progress(result: TrialResult) -> None:
        typer.echo(f"task {result.task_index:3} trial {result.trial}  {'pass' if result.success else 'FAIL'}  "
                   f"turns={result.turns} products shown={len(result.shown)} {result.error}", err=True)

    results = run_tasks(settings, shopper, tasks, trials, max_turns, tau / "expected_final_states.json", split,
                        progress)
    folder = _out_dir(out, "tasks", settings.data_dir)
    note = f"{len(tasks)} {split} tasks × {trials} trials; agent {settings.llm_backend}:{settings.llm_model}, " \
           f"shopper {shopper.llm_backend}:{shopper.llm_model}"
    section = task_section(results, folder, note)
    paths = write_report(folder, "Simulated-shopper task suite", [section],
                         {"trials": [r.model_dump(mode="json") for r in results]})
    _print_summary(section.summary)
    typer.echo(f"report: {paths['markdown']}  {paths['html']}  {paths['json']}")
    _gate(section.summary, fail_under)


def all_command(
    logs: Annotated[Path | None, typer.Option(help="Replay these logs instead of the gold sample")] = None,
    per_intent: Annotated[int, typer.Option(help="Gold dialogues per intent")] = 2,
    tasks: Annotated[int, typer.Option(help="τ test tasks in the sample")] = 2,
    trials: Annotated[int, typer.Option(help="Trials per task")] = 1,
    out: Out = None, llm_backend: Backend = "", llm_base_url: BaseUrl = "", llm_model: Model = "",
) -> None:
    """Retrieval, recommendation, gold (or replay) and a task sample in one report."""
    from evals.all import run_all
    from evals.replay.harness import LLMChoice
    from evals.report.write import write_report

    settings = LLMChoice(llm_backend, llm_base_url, llm_model).settings()
    folder = _out_dir(out, "all", settings.data_dir)
    sections = run_all(settings, folder, logs, per_intent, tasks, trials)
    paths = write_report(folder, "shopassist evaluation", sections, {"backend": settings.llm_backend,
                                                                     "model": settings.llm_model})
    for section in sections:
        typer.echo(f"{section.title:45} {section.status}" + (f" ({section.note})" if section.status != "ok" else ""))
    typer.echo(f"report: {paths['markdown']}  {paths['html']}  {paths['json']}")
