"""The understanding evaluation: its sets load, each turn is judged on act, budget, size, wording and claims of
absence, and the summary counts per act and language."""

from __future__ import annotations

from evals.understanding.run import TurnRecord, judge_turn, summarize
from evals.understanding.schema import HELDOUT_PATH, TUNE_PATH, ExpectedTurn, load_dialogues


def test_both_dialogue_sets_load_with_at_least_150_dialogues_between_them() -> None:
    tune, heldout = load_dialogues(TUNE_PATH), load_dialogues(HELDOUT_PATH)
    assert len(tune) + len(heldout) >= 150
    assert not {d.id for d in tune} & {d.id for d in heldout}
    assert {d.language for d in heldout} == {"en", "zh", "mixed"}


def test_a_turn_fails_on_the_wrong_act_a_missed_budget_or_a_false_absence() -> None:
    expected = ExpectedTurn(text="office chair under $200", act="search", kind="Office Chairs", max_price=200)
    search = [("search_products", {"query": "office chair", "max_price": 200.0})]
    assert judge_turn(expected, "search", search, "I found 5 products") == ([], False)
    reasons, false_absence = judge_turn(expected, "order", [("search_products", {"query": "x"})],
                                        "We don't carry “office chair”.")
    assert false_absence and len(reasons) == 3
    absent = ExpectedTurn(text="a kayak", act="search", absent_kind="kayak", must_say_any=["don't carry"])
    assert judge_turn(absent, "search", [], "We don't carry “kayak”.") == ([], False)
    shown = ExpectedTurn(text="which is lightest?", act="superlative")
    assert judge_turn(shown, "superlative", [], "Of these…")[0] == ["no look-up of the shown products"]


def test_the_summary_counts_per_act_and_language_with_times() -> None:
    def record(act: str, expected: str, language: str, ms: float) -> TurnRecord:
        return TurnRecord(dialogue_id="d", turn=0, language=language, text="t", expected_act=expected, act=act,
                          producer="rules", latency_ms=ms, passed=act == expected)

    summary = summarize([record("search", "search", "en", 10), record("order", "search", "zh", 30),
                         record("policy", "policy", "en", 20)])
    assert (summary["turns"], summary["pass_rate"], summary["act_accuracy"]) == (3, 0.667, 0.667)
    assert summary["confusion"]["search"] == {"search": 1, "order": 1}
    assert summary["per_language"]["zh"]["pass_rate"] == 0.0 and summary["latency_ms"]["max"] == 30
    assert summary["per_act"]["search"]["latency_ms"]["p95"] == 30
