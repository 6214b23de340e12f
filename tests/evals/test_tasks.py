"""Task-suite logic: pass^k math, required outputs, and the episode loop with a SCRIPTED FAKE SHOPPER and runner."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from math import comb
from pathlib import Path

import pytest

from agent.events import ActionRequiredEvent, AgentEvent, DoneEvent
from agent.state import TurnRequest
from commerce.db import Database
from evals.report.metrics import pass_hat_k
from evals.tasks.run import tau_shop_settings
from evals.tasks.shopper_sim import ScriptedShopper
from evals.tasks.suite import (
    TauStore,
    TauTask,
    TrialResult,
    missing_outputs,
    run_episode,
    state_differences,
    summarize_tasks,
)
from shopassist.settings import Settings
from tests.shared_data import TAU_DIR
from tools.base import ToolContext
from tools.deps import Deps


def test_pass_hat_k_matches_tau_bench_formula() -> None:
    trials = [[True, True, True, True], [True, False, True, False], [False, False, False, False]]
    assert pass_hat_k(trials, 1) == pytest.approx((1 + 0.5 + 0) / 3)
    assert pass_hat_k(trials, 2) == pytest.approx((1 + comb(2, 2) / comb(4, 2) + 0) / 3)
    assert pass_hat_k(trials, 4) == pytest.approx(1 / 3)
    assert pass_hat_k([[True]], 2) is None
    values = [pass_hat_k(trials, k) for k in range(1, 5)]
    assert values == sorted(values, reverse=True)


def test_summary_reports_pass_k_per_k() -> None:
    results = [TrialResult(task_index=t, trial=i, success=ok, state_ok=ok)
               for t, outcomes in enumerate([[True, True], [True, False]]) for i, ok in enumerate(outcomes)]
    summary = summarize_tasks(results, max_k=2)
    assert summary["pass^1"] == 0.75 and summary["pass^2"] == 0.5 and summary["tasks"] == 2


def test_required_outputs_ignore_case_and_commas() -> None:
    task = TauTask(task_index=0, user_id="u", instruction="", outputs=["1,093.34", "Blue"])
    assert missing_outputs(task, ["The total is 1093.34 and it is blue."]) == []
    assert missing_outputs(task, ["The total is 1093.35"]) == ["1,093.34", "Blue"]


class ScriptedFakeRunner:
    """SCRIPTED FAKE RUNNER for tests: proposes one action on the first turn, then just answers."""

    def __init__(self) -> None:
        self.requests: list[TurnRequest] = []

    async def stream(self, request: TurnRequest) -> AsyncIterator[AgentEvent]:
        self.requests.append(request)
        if len(self.requests) == 1:
            yield ActionRequiredEvent(action_id="act_missing", tool="cancel_pending_order",
                                      summary="Cancel order #W1.", expires_at="2030-01-01T00:00:00Z")
        yield DoneEvent(text=f"answer {len(self.requests)}")


def test_episode_confirms_on_yes_and_stops_on_the_stop_token(database: Database, tmp_settings) -> None:
    runner = ScriptedFakeRunner()
    shopper = ScriptedShopper(lines=["cancel #W1 please", "yes", "thanks, one more question"])
    context = ToolContext(Deps(database, tmp_settings), shopper_id="someone")
    task = TauTask(task_index=3, user_id="someone", instruction="cancel")
    episode = asyncio.run(run_episode(runner, shopper, task, context))
    transcript = episode.transcript
    assert episode.error == "" and episode.shown == []
    assert [role for role, _ in transcript] == ["shopper", "assistant"] * 3
    assert "Proposed: Cancel order #W1." in transcript[1][1]
    # "yes" went to the confirmation (which refuses an unknown action), not to the agent.
    assert transcript[3][1].startswith("Could not do it")
    assert len(runner.requests) == 2 and runner.requests[1].shopper_id == "someone"
    assert [m.role for m in runner.requests[1].history] == ["user", "assistant"]


@pytest.mark.skipif(not (TAU_DIR / "expected_final_states.json").exists(), reason="τ retail data not present")
def test_final_state_check_on_the_tau_store(tmp_path: Path) -> None:
    store = TauStore(TAU_DIR, tmp_path)
    expected = json.loads((TAU_DIR / "expected_final_states.json").read_text())["splits"]["test"]
    changing = next(entry for entry in expected if entry["changed"].get("orders"))
    untouched = {"changed": {}}
    db = store.fresh()
    try:
        assert state_differences(db, untouched, store.initial, store.baseline) == []
        differences = state_differences(db, changing, store.initial, store.baseline)
        assert differences and all(d.split()[0] in ("orders", "users", "products") for d in differences)
    finally:
        db.engine.dispose()


def test_llm_shopper_sees_the_assistant_as_the_other_side_and_is_cued_to_reply() -> None:
    from evals.tasks.shopper_sim import CUE, LLMShopper

    shopper = LLMShopper(model=None, instruction="Return order #W1.")  # type: ignore[arg-type]
    messages = shopper.messages([("shopper", "I want to return #W1"), ("assistant", "Which items?")])
    assert [m.type for m in messages] == ["system", "human", "ai", "human"]
    assert "Return order #W1." in messages[0].content and messages[2].content == "I want to return #W1"
    assert messages[3].content.startswith("Which items?") and messages[3].content.endswith(CUE)
    assert not messages[1].content.endswith(CUE)


def test_tau_shop_settings_keep_model_files_but_not_the_shops_index(tmp_settings: Settings, tmp_path: Path) -> None:
    configured = tmp_settings.model_copy(update={"chroma_host": "chroma.internal", "database_url": "sqlite:///x.db"})
    tau = tau_shop_settings(configured, tmp_path / "work")
    assert tau.chroma_host == "" and tau.database_url == ""
    assert tau.chroma_path.is_relative_to(tmp_path / "work")
    assert tau.model_cache_dir == configured.model_cache_dir


@pytest.mark.slow
@pytest.mark.skipif(not (TAU_DIR / "expected_final_states.json").exists(), reason="τ retail data not present")
def test_task_agent_searches_the_tau_catalog_not_the_configured_shop(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from commerce.demo.passages import load_passages
    from commerce.models import Product, Variant
    from commerce.store import passage_row, upsert_product
    from shopassist.cli import app
    from shopassist.settings import load_settings
    from vectorstore.service import build_from_database, open_service

    monkeypatch.setenv("SHOPASSIST_DATA_DIR", str(tmp_path / "var"))
    configured = load_settings()
    configured.data_dir.mkdir()
    other_shop = Database(configured.sqlalchemy_url)
    other_shop.migrate()
    with other_shop.session() as session:
        upsert_product(session, Product(id="demo_boot", title="Waterproof hiking boot", price=99.0,
                                        variants=[Variant(id="demo_boot_10", price=99.0, stock=4)]))
        session.add(passage_row(load_passages()[0]))
    build_from_database(open_service(configured), other_shop)
    other_shop.engine.dispose()
    out = tmp_path / "report"

    # The scripted backend searches with the (scripted) shopper's words: whatever it finds is what the shop holds.
    result = CliRunner().invoke(app, ["eval", "tasks", "--task-id", "0", "--max-turns", "2", "--llm-backend",
                                      "scripted", "--out", str(out)])

    assert result.exit_code == 0, result.output
    assert "task   0 trial 0  FAIL  turns=2" in result.output
    [trial] = json.loads((out / "summary.json").read_text())["trials"]
    tau_products = set(json.loads((TAU_DIR / "products.json").read_text()))
    assert trial["error"] == "" and trial["shown"] and set(trial["shown"]) <= tau_products
