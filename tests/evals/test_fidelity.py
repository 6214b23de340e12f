"""τ-bench retail fidelity: our tools, replaying the gold actions, end in the reference's final states."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from evals.tasks.fidelity import diff_values, run_fidelity
from shopassist.cli import app
from tests.shared_data import TAU_DIR
from tools import order_rules

EXPECTED = TAU_DIR / "expected_final_states.json"
# Exchanges, returns, cancellations, item and payment changes, refusals the reference also made, and a task
# whose gold sequence omits the verification steps.
SAMPLE = {0, 2, 12, 35, 40, 46, 64, 106, 114}

needs_data = pytest.mark.skipif(not EXPECTED.exists(), reason=f"τ-bench data not at {TAU_DIR}")


@pytest.fixture
def sample_tasks(tmp_path: Path) -> Path:
    tasks = [task for task in json.loads((TAU_DIR / "tasks_test.json").read_text()) if task["task_index"] in SAMPLE]
    path = tmp_path / "tasks_sample.json"
    path.write_text(json.dumps(tasks))
    return path


def test_diff_values_names_the_differing_fields() -> None:
    expected = {"status": "cancelled", "payment_history": [{"amount": 3.170000000000016}], "x": None}
    assert diff_values(expected, {"status": "cancelled", "payment_history": [{"amount": 3.17}]}) == []
    assert diff_values(expected, {"status": "pending", "payment_history": [{"amount": 3.2}], "y": 1}) == [
        "payment_history[0].amount: expected 3.170000000000016, ours 3.2",
        "status: expected 'cancelled', ours 'pending'",
        "y: expected None, ours 1",
    ]


@needs_data
def test_sample_tasks_match_and_the_cli_prints_the_figure(sample_tasks: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    result = CliRunner().invoke(app, ["eval", "fidelity", "--tasks", str(sample_tasks), "--expected", str(EXPECTED),
                                      "--split", "test", "--data", str(TAU_DIR), "--out", str(out)])
    assert f"{len(SAMPLE)}/{len(SAMPLE)} tasks match" in result.output, result.output
    assert result.exit_code == 0
    assert json.loads(out.read_text())["matched"] == len(SAMPLE)


@needs_data
def test_a_semantic_slip_is_caught(sample_tasks: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(order_rules, "cents", lambda amount: round(amount, 1))
    report = run_fidelity(sample_tasks, EXPECTED, "test", TAU_DIR)
    assert report.matched < report.total
    assert any("price_difference" in d or "amount" in d for task in report.tasks for d in task.differences)


@needs_data
@pytest.mark.slow
def test_every_test_split_task_matches_the_reference() -> None:
    report = run_fidelity(TAU_DIR / "tasks_test.json", EXPECTED, "test")
    assert report.load_problems == []
    assert [task for task in report.tasks if not task.match] == []
    assert report.matched == report.total == 115
