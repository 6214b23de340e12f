"""Runs the task suite with the current agent and an LLM shopper, and turns the trials into a report section."""

from __future__ import annotations

import asyncio
import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from langchain_core.language_models import BaseChatModel

from evals.report.plots import bar_chart
from evals.report.write import Section
from evals.tasks.shopper_sim import LLMShopper
from evals.tasks.suite import TauStore, TauTask, TrialResult, run_trial, summarize_tasks
from shopassist.settings import Settings

if TYPE_CHECKING:
    from vectorstore.service import SearchService


def tau_shop_settings(settings: Settings, folder: Path) -> Settings:
    """The agent's settings for τ tasks: a data dir of its own, so that search, recommendations and FAQ read the
    τ catalog's index and never the configured shop's (nor its Chroma server); model files stay shared."""
    return settings.model_copy(update={"data_dir": folder / "tau-shop", "models_dir": settings.model_cache_dir,
                                       "database_url": "", "chroma_host": ""})


def prepare_tau_shop(store: TauStore, settings: Settings, model: BaseChatModel) -> SearchService:
    """Index the τ catalog and warm the agent's system-prompt prefix (a cold prefill, ~2 min on 2 cores, would time
    out the first trial's first turn), both on one copy of the store; every trial then searches that index."""
    from agent.runner import AgentRunner
    from vectorstore.service import build_from_database, open_service

    db = store.fresh()
    try:
        search = open_service(settings)
        build_from_database(search, db)
        AgentRunner(settings, db, model=model).warm_up()
    finally:
        db.engine.dispose()
    return search


async def _run(settings: Settings, shopper_settings: Settings, tasks: list[TauTask], trials: int, max_turns: int,
               folder: Path, expected: dict[int, dict],  # type: ignore[type-arg]
               progress: Callable[[TrialResult], None] | None) -> list[TrialResult]:
    from agent.llm import build_chat_model
    from agent.runner import AgentRunner
    from tools.deps import Deps

    store = TauStore(settings.shared_data("tau_retail"), folder)
    settings = tau_shop_settings(settings, folder)
    model = build_chat_model(settings)
    shopper_model = build_chat_model(shopper_settings, own_instance=True)
    search = prepare_tau_shop(store, settings, model)
    results = []
    for task in tasks:
        for trial in range(trials):
            shopper = LLMShopper(model=shopper_model, instruction=task.instruction,
                                 timeout_s=shopper_settings.llm_timeout_s)
            results.append(await run_trial(store, settings, task, expected[task.task_index], trial,
                                           lambda db: AgentRunner(settings, db, model=model,
                                                                  deps=Deps(db, settings, search=search)),
                                           shopper, max_turns))
            if progress is not None:
                progress(results[-1])
    return results


def run_tasks(settings: Settings, shopper_settings: Settings, tasks: list[TauTask], trials: int,
              max_turns: int, expected_file: Path, split: str,
              progress: Callable[[TrialResult], None] | None = None) -> list[TrialResult]:
    expected = {entry["task_index"]: entry for entry in json.loads(expected_file.read_text())["splits"][split]}
    with tempfile.TemporaryDirectory(prefix="shopassist-tasks-") as folder:
        return asyncio.run(_run(settings, shopper_settings, tasks, trials, max_turns, Path(folder), expected,
                                progress))


def task_section(results: list[TrialResult], out_dir: Path, note: str = "") -> Section:
    out_dir.mkdir(parents=True, exist_ok=True)
    summary = summarize_tasks(results)
    plots = [bar_chart(out_dir / "tasks_pass_k.png", {k: summary[k] for k in summary if k.startswith("pass^")},
                       "Task suite pass^k").name] if results else []
    table = [{"task": r.task_index, "trial": r.trial, "success": r.success, "state": r.state_ok,
              "missing outputs": ", ".join(r.missing_outputs), "turns": r.turns, "products shown": len(r.shown),
              "error": r.error} for r in results]
    details = []
    for r in results:
        if not r.success:
            details += [f"[task {r.task_index} trial {r.trial}] " + "; ".join(r.differences[:3] + r.missing_outputs)]
            details += [f"  {role}: {' '.join(text.split())[:160]}" for role, text in r.transcript[:8]]
    return Section(title="Simulated-shopper tasks (τ-bench retail)", note=note, summary=summary, table=table,
                   details=details[:120], plots=plots)
