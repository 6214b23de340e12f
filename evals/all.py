"""`shopassist eval all`: retrieval, recommendation, gold/replay and a small task sample in one report; a part
that is not built (or fails) becomes a "not available" section instead of stopping the others."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path

from evals.report.write import Section
from shopassist.settings import Settings

log = logging.getLogger(__name__)


def _guarded(title: str, build: Callable[[], Section]) -> Section:
    try:
        return build()
    except (ImportError, AttributeError, FileNotFoundError, NotImplementedError) as error:
        return Section(title=title, status="not available", note=f"{type(error).__name__}: {error}")
    except Exception as error:  # one broken harness must not hide the others' results
        log.exception("%s failed", title)
        return Section(title=title, status="failed", note=f"{type(error).__name__}: {error}")


def retrieval_section(settings: Settings, out_dir: Path) -> Section:
    """The latest `shopassist eval retrieval` reports (indexing embeds thousands of products: it is run on its own)."""
    reports = sorted((settings.data_dir / "reports").glob("retrieval-*.json"), key=lambda p: p.stat().st_mtime)
    latest: dict[str, Path] = {}
    for path in reports:
        latest[json.loads(path.read_text()).get("dataset", path.stem)] = path
    if not latest:
        raise FileNotFoundError("no retrieval report yet: run `shopassist eval retrieval --dataset esci|demo`")
    rows = []
    for dataset, path in sorted(latest.items()):
        result = json.loads(path.read_text())
        for retriever, languages in result.get("all", {}).items():
            for language, figures in languages.items():
                rows.append({"dataset": dataset, "language": language, "retriever": retriever, **figures})
    note = "from " + ", ".join(str(path) for path in latest.values())
    return Section(title="Retrieval", note=note, summary={"reports": len(latest)}, table=rows)


def reco_section(settings: Settings, out_dir: Path) -> Section:
    from commerce.db import Database
    from evals.reco.data import load_demo
    from evals.reco.evaluate import evaluate  # issue 5

    report = evaluate(load_demo(Database(settings.sqlalchemy_url)), getattr(settings, "profile_half_life_days", 30.0))
    rows = [{"method": name, **metrics} for name, metrics in report.get("recommend", {}).items()]
    summary = {key: value for key, value in report.items() if not isinstance(value, dict)}
    return Section(title="Recommendations (demo shop, leave-last-out)", summary=summary, table=rows)


def gold_or_replay_section(settings: Settings, out_dir: Path, logs: Path | None, per_intent: int) -> Section:
    from evals.replay.harness import run_gold_set, run_replay, select_gold
    from evals.report.sections import gold_section, replay_section
    from serving.dialogue_log import read_logs

    if logs is not None:
        return replay_section(run_replay(settings, list(read_logs(logs))), out_dir)
    return gold_section(run_gold_set(settings, select_gold(per_intent)), out_dir)


def tasks_section(settings: Settings, out_dir: Path, count: int, trials: int) -> Section:
    from evals.tasks.run import run_tasks, task_section
    from evals.tasks.suite import load_tasks

    tau = settings.shared_data("tau_retail")
    tasks = load_tasks(tau / "tasks_test.json", limit=count)
    results = run_tasks(settings, settings, tasks, trials, max_turns=8,
                        expected_file=tau / "expected_final_states.json", split="test")
    return task_section(results, out_dir, note=f"first {count} test tasks × {trials} trials, shopper = agent model")


def run_all(settings: Settings, out_dir: Path, logs: Path | None = None, per_intent: int = 2, task_count: int = 2,
            trials: int = 1) -> list[Section]:
    out_dir.mkdir(parents=True, exist_ok=True)
    return [
        _guarded("Retrieval", lambda: retrieval_section(settings, out_dir)),
        _guarded("Recommendations", lambda: reco_section(settings, out_dir)),
        _guarded("Gold dialogues" if logs is None else "Dialogue-log replay",
                 lambda: gold_or_replay_section(settings, out_dir, logs, per_intent)),
        _guarded("Simulated-shopper tasks", lambda: tasks_section(settings, out_dir, task_count, trials)),
    ]
