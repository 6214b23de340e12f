"""The fresh shopper-message set, the verdict per message, and `eval fresh` against a live server whose agent runs
on the scripted backend (with the agent tests' in-memory tools, so no search index is built)."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from agent.events import ProductCard, ToolCallEvent
from agent.runner import AgentRunner
from commerce.db import Database
from evals.fresh.cli import fresh_command
from evals.fresh.play import MessageRecord
from evals.fresh.schema import FreshDialogue, FreshTurn, load_fresh
from evals.fresh.verdict import judge, judge_dialogue
from evals.gold.schema import load_gold
from serving.app import create_app
from shopassist.settings import Settings
from tests.agent.fakes import FAKE_TOOLS
from tests.serving.live import live_server


def test_the_set_is_fresh_bilingual_and_large_enough() -> None:
    dialogues = load_fresh()
    messages = [turn.text for dialogue in dialogues for turn in dialogue.turns]
    assert len(messages) >= 44 and len({d.id for d in dialogues}) == len(dialogues)
    assert {d.language for d in dialogues} == {"en", "zh", "mixed"}
    gold = {g.user_text.strip().lower() for g in load_gold()} | {
        (h.user or "").strip().lower() for g in load_gold() for h in g.history}
    assert not [m for m in messages if m.strip().lower() in gold]
    assert any(d.shopper is None for d in dialogues) and any(d.shopper for d in dialogues)
    assert any(turn.expect.confirmation for d in dialogues for turn in d.turns)


CANCEL = FreshTurn.model_validate({"text": "cancel #W1", "expect": {
    "calls": [{"tools": ["cancel_pending_order"], "arguments": [{"names": ["order_id"], "equals": "#W1"}]}],
    "must_not_call": ["return_delivered_order_items"], "confirmation": True}})


def _record(answer: str, *calls: ToolCallEvent, proposed: bool = True) -> MessageRecord:
    return MessageRecord(dialogue_id="d", turn=0, text="cancel #W1", answer=answer, tool_calls=list(calls),
                         proposed_actions=["cancel_pending_order"] if proposed else [])


def test_verdict_checks_tools_arguments_confirmation_leaks_and_premature_done() -> None:
    right = ToolCallEvent(name="cancel_pending_order", arguments={"order_id": "#W1"})
    good = judge(CANCEL, _record("Order #W1 will be cancelled once you confirm in the app.", right), [], False)
    assert good.passed and good.reasons == []
    wrong_order = judge(CANCEL, _record("Please confirm.", right.model_copy(update={"arguments": {"order_id": "#W2"}})),
                        [], False)
    assert wrong_order.missing == ["cancel_pending_order.order_id"] and not wrong_order.passed
    failed_call = judge(CANCEL, _record("Please confirm.", right.model_copy(update={"ok": False})), [], False)
    assert failed_call.missing == ["cancel_pending_order"]
    returned = ToolCallEvent(name="return_delivered_order_items", arguments={})
    forbidden = judge(CANCEL, _record("Please confirm.", right, returned), [], False)
    assert forbidden.forbidden == ["return_delivered_order_items"]
    unproposed = judge(CANCEL, _record("Please confirm.", right, proposed=False), [], False)
    assert unproposed.confirmation_ok is False and not unproposed.passed
    claimed = judge(CANCEL, _record("您的订单 #W1 已取消。", right), [], False)
    assert claimed.premature_done and claimed.reasons == ["premature done"]
    leaked = judge(CANCEL, _record("Confirm act_9f2c in the app.", right), [], False)
    assert leaked.leaks == ["action_id"]
    empty = judge(CANCEL, _record("", right), [], False)
    assert not empty.answered and empty.reasons == ["no answer"]


def test_verdict_checks_the_product_cards() -> None:
    search = FreshTurn.model_validate({"text": "boots under $150", "expect": {"products": True, "max_price": 150}})
    cards = [ProductCard(id="p1", title="Trail Boot", price=149.99),
             ProductCard(id="p2", title="Summit Boot", price=244.99)]
    shown = MessageRecord(dialogue_id="d", turn=0, text="boots under $150", answer="Two boots.", products=cards)
    verdict = judge(search, shown, [], False)
    assert verdict.over_price == ["Summit Boot"] and verdict.reasons == ["over price: Summit Boot"]
    none = judge(search, shown.model_copy(update={"products": []}), [], False)
    assert none.products_ok is False and none.reasons == ["products"]


def test_compare_the_first_two_refers_to_the_products_shown_last() -> None:
    dialogue = FreshDialogue.model_validate({"id": "d", "language": "en", "topic": "refinement", "turns": [
        {"text": "boots"},
        {"text": "compare the first two", "expect": {"calls": [{"tools": ["get_product_details"], "arguments": [
            {"names": ["product_id"], "shown_positions": [0, 1]}]}]}}]})
    shown = MessageRecord(dialogue_id="d", turn=0, text="boots", answer="Two boots.",
                          products=[ProductCard(id=i, title=i, price=10.0) for i in ("p1", "p2", "p3")])
    compared = MessageRecord(dialogue_id="d", turn=1, text="compare the first two", answer="p1 vs p2.",
                             tool_calls=[ToolCallEvent(name="get_product_details", arguments={"product_id": "p1"}),
                                         ToolCallEvent(name="get_product_details", arguments={"product_id": "p2"})])
    assert [j.passed for j in judge_dialogue(dialogue, [shown, compared])] == [True, True]
    wrong = compared.model_copy(update={"tool_calls": compared.tool_calls[:1]})
    assert judge_dialogue(dialogue, [shown, wrong])[1].reasons == ["missing get_product_details.product_id"]


def test_eval_fresh_plays_dialogues_against_a_scripted_server(tmp_settings: Settings, database: Database,
                                                                tmp_path: Path) -> None:
    dialogues = [
        {"id": "t-search", "language": "en", "topic": "refinement", "turns": [
            {"text": "waterproof boots under $120", "expect": {"calls": [{"tools": ["search_products"]}],
                                                               "confirmation": False}},
            # An expectation no answer to this message meets: the verdict must fail, and say why.
            {"text": "anything cheaper?", "expect": {"calls": [{"tools": ["transfer_to_human_agents"]}]}}]},
        {"id": "t-cancel", "language": "zh", "shopper": "mei_chen_1234", "topic": "cancel", "turns": [
            {"text": "帮我取消订单 #W1234567", "expect": {
                "calls": [{"tools": ["cancel_pending_order"], "arguments": [{"names": ["order_id"],
                                                                             "equals": "#W1234567"}]}],
                "must_not_call": ["search_products"], "confirmation": True}}]},
    ]
    dataset = tmp_path / "fresh.jsonl"
    dataset.write_text("\n".join(json.dumps(d, ensure_ascii=False) for d in dialogues), encoding="utf-8")
    settings = tmp_settings.model_copy(update={"llm_backend": "scripted", "scripted_tokens_per_s": 2000.0})
    app = typer.Typer()
    app.command()(fresh_command)
    out = tmp_path / "report"
    with live_server(create_app(settings, database, AgentRunner(settings, database, tools=FAKE_TOOLS))) as base:
        url = base.replace("http://", "ws://") + "/ws/chat"
        result = CliRunner().invoke(app, ["--url", url, "--dataset", str(dataset), "--out", str(out),
                                          "--secret", settings.secret.get_secret_value(), "--timeout", "60"])
    assert result.exit_code == 0, result.output
    assert "pass rate" in result.output and "FAIL t-search#1" in result.output
    report = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    summary = report["sections"]["Fresh shopper messages"]["summary"]
    assert (summary["dialogues"], summary["messages"]) == (2, 3) and summary["passed"] <= 2
    assert set(summary["done_ms"]) == {"p50", "p90", "p95", "max"}
    messages = {f"{m['record']['dialogue_id']}#{m['record']['turn']}": m for m in report["messages"]}
    searched = messages["t-search#0"]["record"]
    assert searched["tool_calls"][0]["name"] == "search_products" and searched["answer"] and searched["done_ms"]
    cheaper = messages["t-search#1"]
    assert not cheaper["passed"] and "missing transfer_to_human_agents" in cheaper["reasons"]
    assert messages["t-cancel#0"]["record"]["done_ms"] and "passed" in messages["t-cancel#0"]
    assert "Fresh shopper messages" in (out / "report.md").read_text(encoding="utf-8")
