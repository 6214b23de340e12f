"""Task suite: a simulated shopper pursues a τ-bench retail task against the agent over the τ store; success is
the expected final store state plus the required outputs; pass^k over repeated trials."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from agent.events import ActionRequiredEvent, DoneEvent, ErrorEvent, ProductsEvent
from agent.runner import TurnRunner
from agent.state import HistoryMessage, TurnRequest
from commerce.db import Database
from evals.report.metrics import pass_hat_k
from evals.tasks.shopper_sim import STOP, ShopperModel
from shopassist.settings import Settings
from tools.base import ToolContext, ToolFailure
from tools.deps import Deps

YES = re.compile(r"^\W*(yes|yeah|yep|sure|confirm|correct|ok|okay|please do|go ahead|好|是|确认|可以)", re.IGNORECASE)


class TauTask(BaseModel):
    task_index: int
    user_id: str
    instruction: str
    actions: list[dict[str, Any]] = Field(default_factory=list)
    outputs: list[str] = Field(default_factory=list)


class TrialResult(BaseModel):
    task_index: int
    trial: int
    success: bool
    state_ok: bool
    missing_outputs: list[str] = Field(default_factory=list)
    differences: list[str] = Field(default_factory=list)
    turns: int = 0
    error: str = ""
    transcript: list[tuple[str, str]] = Field(default_factory=list)
    shown: list[str] = Field(default_factory=list, description="Ids of the product cards the shopper was shown")


class Episode(BaseModel):
    transcript: list[tuple[str, str]] = Field(default_factory=list)
    error: str = ""
    shown: list[str] = Field(default_factory=list)


def load_tasks(path: Path, indexes: list[int] | None = None, limit: int = 0) -> list[TauTask]:
    tasks = [TauTask.model_validate(raw) for raw in json.loads(path.read_text())]
    if indexes:
        tasks = [task for task in tasks if task.task_index in indexes]
    return tasks[:limit] if limit else tasks


def missing_outputs(task: TauTask, assistant_texts: list[str]) -> list[str]:
    """τ-bench's check: each required output appears in what the agent said (case-insensitive, commas ignored)."""
    said = " ".join(assistant_texts).lower().replace(",", "")
    return [output for output in task.outputs if output.lower().replace(",", "") not in said]


async def run_episode(runner: TurnRunner, shopper: ShopperModel, task: TauTask, context: ToolContext,
                      max_turns: int = 12) -> Episode:
    """Shopper and agent alternate; a shopper 'yes' to a proposed action confirms it (as the widget's button would)."""
    from tools.confirm import confirm_action

    episode = Episode()
    transcript = episode.transcript
    history: list[HistoryMessage] = []
    pending: list[ActionRequiredEvent] = []
    for _ in range(max_turns):
        message = await shopper.next_message(transcript)
        if STOP in message or not message:
            return episode
        transcript.append(("shopper", message))
        if pending and YES.match(message):
            outcomes = []
            for action in pending:
                try:
                    outcomes.append(f"Done: {confirm_action(context, action.action_id).summary}")
                except ToolFailure as failure:
                    outcomes.append(f"Could not do it: {failure.reason}")
            pending = []
            transcript.append(("assistant", " ".join(outcomes)))
            continue
        pending = []
        text, error = "", ""
        async for event in runner.stream(TurnRequest(text=message, conversation_id=f"task-{task.task_index}",
                                                     shopper_id=task.user_id, history=history)):
            if isinstance(event, ActionRequiredEvent):
                pending.append(event)
            elif isinstance(event, ProductsEvent):
                episode.shown += [card.id for card in event.products]
            elif isinstance(event, DoneEvent):
                text = event.text
            elif isinstance(event, ErrorEvent):
                error = event.code
        if error:
            episode.error = error
            return episode
        proposals = " ".join(f"[Proposed: {a.summary} Reply yes to confirm.]" for a in pending)
        reply = f"{text} {proposals}".strip()
        transcript.append(("assistant", reply))
        history += [HistoryMessage(role="user", text=message), HistoryMessage(role="assistant", text=reply)]
    return episode


def state_differences(db: Database, expected: dict[str, Any], initial: dict[str, Any], baseline: Any) -> list[str]:
    """The store after the episode against τ's expected final state (reusing the fidelity harness's comparison)."""
    from evals.tasks.fidelity import diff_values
    from evals.tasks.tau_state import export_tau, raw_snapshot

    with db.session() as session:
        snapshot = raw_snapshot(session)
        suspects = {kind: set(expected["changed"].get(kind, {})) | {
            record_id for record_id in set(rows) | set(baseline[kind]) if rows.get(record_id) != baseline[kind].get(
                record_id)} for kind, rows in snapshot.items()}
        ours = export_tau(session, suspects)
    return [f"{kind} {record_id} {difference}" for kind, ids in suspects.items() for record_id in sorted(ids)
            for difference in diff_values(expected["changed"].get(kind, {}).get(record_id,
                                                                                initial[kind].get(record_id)),
                                          ours[kind].get(record_id))]


def summarize_tasks(results: list[TrialResult], max_k: int = 4) -> dict[str, Any]:
    by_task: dict[int, list[bool]] = {}
    for result in results:
        by_task.setdefault(result.task_index, []).append(result.success)
    return {
        "tasks": len(by_task), "trials": len(results),
        "success_rate": round(sum(r.success for r in results) / len(results), 4) if results else None,
        "state_match_rate": round(sum(r.state_ok for r in results) / len(results), 4) if results else None,
        **{f"pass^{k}": (round(value, 4) if (value := pass_hat_k(list(by_task.values()), k)) is not None else None)
           for k in range(1, max_k + 1)},
        "errors": sum(bool(r.error) for r in results),
    }


class TauStore:
    """A template τ store built once; each trial gets a fresh copy."""

    def __init__(self, folder: Path, work: Path) -> None:
        from commerce.demo.passages import load_passages
        from commerce.importers.tau import import_tau
        from commerce.store import passage_row
        from evals.tasks.tau_state import raw_snapshot, read_tau

        self.initial = read_tau(folder)
        self.template = work / "tau-template.db"
        db = Database(f"sqlite:///{self.template}")
        db.migrate()
        with db.session() as session:
            import_tau(session, folder)
            # τ ships its policy as a wiki for the agent's prompt; our policy passages follow the same rules.
            session.add_all(passage_row(passage) for passage in load_passages())
        with db.session() as session:
            self.baseline = raw_snapshot(session)
        db.engine.dispose()
        self.work = work

    def fresh(self) -> Database:
        copy = self.work / "tau-trial.db"
        shutil.copyfile(self.template, copy)
        return Database(f"sqlite:///{copy}")


async def run_trial(store: TauStore, settings: Settings, task: TauTask, expected: dict[str, Any], trial: int,
                    make_runner: Callable[[Database], TurnRunner], shopper: ShopperModel,
                    max_turns: int = 12) -> TrialResult:
    db = store.fresh()
    try:
        context = ToolContext(Deps(db, settings), shopper_id=task.user_id, conversation_id=f"task-{task.task_index}")
        episode = await run_episode(make_runner(db), shopper, task, context, max_turns)
        differences = state_differences(db, expected, store.initial, store.baseline)
    finally:
        db.engine.dispose()
    missing = missing_outputs(task, [text for role, text in episode.transcript if role == "assistant"])
    return TrialResult(task_index=task.task_index, trial=trial,
                       success=not differences and not missing and not episode.error, state_ok=not differences,
                       missing_outputs=missing, differences=differences[:20],
                       turns=sum(role == "shopper" for role, _ in episode.transcript), error=episode.error,
                       transcript=episode.transcript, shown=episode.shown)
