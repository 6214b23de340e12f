"""τ-bench retail fidelity: replay each task's gold actions through our tools (confirming every proposal) and
compare the resulting store with the reference implementation's final state, record by record."""

from __future__ import annotations

import json
import math
import shutil
import tempfile
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from commerce.db import Database
from commerce.importers.tau import import_tau
from evals.tasks.tau_state import Records, Snapshot, export_tau, raw_snapshot, read_tau
from shopassist.settings import Settings, load_settings
from tools.actions import ProposedAction
from tools.base import ToolContext, ToolError, ToolFailure
from tools.confirm import confirm_action
from tools.deps import Deps
from tools.identity import verified_identity
from tools.registry import tool_by_name

# Tools that do not need a verified shopper. Gold sequences of some tasks omit the verification steps; the
# harness then verifies the task's shopper before the first action that needs one, as the dialogue would have.
NO_IDENTITY_NEEDED = {
    "find_user_id_by_email", "find_user_id_by_name_zip", "get_product_details", "list_all_product_types",
    "calculate", "transfer_to_human_agents",
}
CHECKED_RESULTS = {"find_user_id_by_email", "find_user_id_by_name_zip", "calculate"}


class TaskResult(BaseModel):
    task_index: int
    match: bool
    differences: list[str]


class FidelityReport(BaseModel):
    split: str
    matched: int
    total: int
    load_problems: list[str]
    tasks: list[TaskResult]


def diff_values(expected: Any, actual: Any, path: str = "") -> list[str]:
    """Field paths where two τ records differ (money compared to 1e-6)."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        return [
            difference for key in sorted(set(expected) | set(actual), key=str)
            for difference in diff_values(expected.get(key), actual.get(key), f"{path}.{key}" if path else str(key))
        ]
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        pairs = enumerate(zip(expected, actual, strict=True))
        return [difference for i, (e, a) in pairs for difference in diff_values(e, a, f"{path}[{i}]")]
    numbers = (int, float)
    if isinstance(expected, numbers) and isinstance(actual, numbers) and not isinstance(expected, bool):
        close = math.isclose(expected, actual, rel_tol=0, abs_tol=1e-6)
        return [] if close else [f"{path}: expected {expected!r}, ours {actual!r}"]
    return [] if expected == actual else [f"{path}: expected {expected!r}, ours {actual!r}"]


def _run_action(context: ToolContext, name: str, arguments: dict[str, Any]) -> tuple[Any, str | None]:
    """(our result, refusal reason or None) for one gold action, confirming any proposed write."""
    tool = tool_by_name(name)
    if tool is None:
        return None, f"no tool named {name}"
    result = tool.run(context, arguments)
    if isinstance(result, ToolError):
        return None, result.error
    if isinstance(result, ProposedAction):
        try:
            return confirm_action(context, result.action_id), None
        except ToolFailure as failure:
            return None, failure.reason
    context.shopper_id = verified_identity(result) or context.shopper_id
    return result, None


def _result_differs(name: str, ours: Any, reference: str) -> str | None:
    if name == "calculate":
        return None if math.isclose(ours.result, float(reference), abs_tol=1e-6) else f"{ours.result} != {reference}"
    found = verified_identity(ours)
    return None if found == reference else f"verified {found}, reference {reference}"


def replay_task(db: Database, settings: Settings, task: dict[str, Any], expected: dict[str, Any],
                initial: Records, baseline: Snapshot) -> TaskResult:
    context = ToolContext(Deps(db, settings))
    differences: list[str] = []
    refused: set[int] = set()
    for index, action in enumerate(task["actions"]):
        if context.shopper_id is None and action["name"] not in NO_IDENTITY_NEEDED:
            context.shopper_id = task["user_id"]
        result, refusal = _run_action(context, action["name"], action["kwargs"])
        reference = expected["action_results"][index]
        if refusal is not None:
            refused.add(index)
        elif action["name"] in CHECKED_RESULTS and (problem := _result_differs(action["name"], result, reference)):
            differences.append(f"action {index} {action['name']}: {problem}")
    for index in sorted(refused ^ set(expected["errors"])):
        name = task["actions"][index]["name"]
        reference = expected["action_results"][index]
        differences.append(f"action {index} {name}: reference {reference[:100]!r}; ours "
                           + ("refused" if index in refused else "succeeded"))
    with db.session() as session:
        snapshot = raw_snapshot(session)
        # Every record the reference changed, and every record whose stored row differs from the initial store.
        suspects = {
            kind: set(expected["changed"].get(kind, {})) | {
                record_id for record_id in set(rows) | set(baseline[kind])
                if rows.get(record_id) != baseline[kind].get(record_id)
            }
            for kind, rows in snapshot.items()
        }
        ours = export_tau(session, suspects)
    for kind, record_ids in suspects.items():
        for record_id in sorted(record_ids):
            want = expected["changed"].get(kind, {}).get(record_id, initial[kind].get(record_id))
            differences += [f"{kind} {record_id} {d}" for d in diff_values(want, ours[kind].get(record_id))]
    return TaskResult(task_index=task["task_index"], match=not differences, differences=differences)


def run_fidelity(tasks_file: Path, expected_file: Path, split: str, data_folder: Path | None = None) -> FidelityReport:
    folder = data_folder or tasks_file.parent
    tasks = json.loads(tasks_file.read_text())
    expected = {entry["task_index"]: entry for entry in json.loads(expected_file.read_text())["splits"][split]}
    initial = read_tau(folder)
    results = []
    with tempfile.TemporaryDirectory(prefix="shopassist-fidelity-") as tmp:
        template = Path(tmp) / "template.db"
        db = Database(f"sqlite:///{template}")
        db.migrate()
        with db.session() as session:
            imported = import_tau(session, folder)
        with db.session() as session:
            baseline = raw_snapshot(session)
            # The loaded store must read back as τ's initial records, or no task result means anything.
            loaded = export_tau(session, {kind: set(records) for kind, records in initial.items()})
        db.engine.dispose()
        load_problems = [f"import rejected {r.where}: {r.reason}" for r in imported.rejected]
        load_problems += [f"{kind} {record_id} {d}" for kind, records in initial.items() for record_id in records
                          for d in diff_values(records[record_id], loaded[kind].get(record_id))]
        settings = load_settings(data_dir=Path(tmp), env="test")
        for task in tasks:
            copy = Path(tmp) / "task.db"
            shutil.copyfile(template, copy)
            task_db = Database(f"sqlite:///{copy}")
            results.append(replay_task(task_db, settings, task, expected[task["task_index"]], initial, baseline))
            task_db.engine.dispose()
    matched = sum(result.match for result in results)
    return FidelityReport(split=split, matched=matched, total=len(results), load_problems=load_problems, tasks=results)
