"""Tests for the gold dialogue set: size, coverage, up to date with its builder, and the schema's matchers."""

from __future__ import annotations

import re
from collections import Counter

from agent.transcript import LoggedToolCall, LoggedTurn
from commerce.models import Product, Variant
from evals.gold.build import all_dialogues
from evals.gold.schema import ArgCheck, ProductConstraint, load_gold
from evals.gold.templates import KINDS
from evals.replay.compare import score_gold_turn


def test_gold_set_is_large_bilingual_and_covers_every_intent() -> None:
    gold = load_gold()
    assert len(gold) >= 150
    assert len({d.id for d in gold}) == len(gold)
    per_intent = Counter(d.intent for d in gold)
    assert len(per_intent) == 14 and min(per_intent.values()) >= 10
    assert Counter(d.language for d in gold)["zh"] >= 50
    for d in gold:
        for pattern in d.expect.must_not_match:
            re.compile(pattern)
        if "{order_id}" in d.user_text:
            assert d.setup.shopper.startswith("with_"), d.id


def test_gold_file_matches_its_builder() -> None:
    assert [d.model_dump() for d in load_gold()] == [d.model_dump() for d in all_dialogues()]


def test_chinese_dialogues_are_written_in_chinese() -> None:
    for d in load_gold():
        has_han = any("\u4e00" <= c <= "\u9fff" for c in d.user_text)
        assert has_han == (d.language == "zh"), d.id


def product(title: str, price: float, stock: int = 2, category: list[str] | None = None) -> Product:
    return Product(id=title[:3], title=title, price=price, category_path=category or [],
                   variants=[Variant(id="v1", price=price, stock=stock)])


def test_product_constraint_checks_words_negation_price_and_stock() -> None:
    backpacks = ProductConstraint(text_any=KINDS[2][2], text_none=["leather"], max_price=60, in_stock=True)
    assert backpacks.satisfied_by(product("Canvas Backpack", 45.0))
    assert not backpacks.satisfied_by(product("Leather Backpack", 45.0))
    assert not backpacks.satisfied_by(product("Canvas Backpack", 75.0))
    assert not backpacks.satisfied_by(product("Canvas Backpack", 45.0, stock=0))
    assert ProductConstraint(text_any=["鞋"]).satisfied_by(product("轻量跑鞋", 10.0))


def test_arg_checks() -> None:
    assert ArgCheck(names=["max_price"], approx=120).matches("120")
    assert not ArgCheck(names=["max_price"], approx=120).matches(150)
    assert ArgCheck(names=["query"], contains_any=["Jacket"]).matches("waterproof jackets")
    assert ArgCheck(names=["ids"], shown_positions=[0, 1]).matches(["a", "b"], shown_ids=["a", "b", "c"])
    assert not ArgCheck(names=["ids"], shown_positions=[0, 1]).matches(["a", "c"], shown_ids=["a", "b", "c"])
    assert ArgCheck(names=["in_stock"], equals=True).matches(True)


def _comparison_turn(*calls: dict[str, str]) -> LoggedTurn:
    return LoggedTurn(index=0, user_text="比较一下前两个",
                      tool_calls=[LoggedToolCall(name="get_product_details", arguments=a) for a in calls])


def test_a_comparison_may_take_one_call_per_product() -> None:
    dialogue = next(d for d in load_gold() if d.id == "comparison-00")
    shown = ["p1", "p2", "p3"]
    split = score_gold_turn(dialogue, _comparison_turn({"product_id": "p1"}, {"product_id": "p2"}), {}, shown, {})
    assert split.tool_ok and split.arg_passed == split.arg_checks == 1
    wrong = score_gold_turn(dialogue, _comparison_turn({"product_id": "p1"}, {"product_id": "p3"}), {}, shown, {})
    assert wrong.arg_passed == 0
    single = score_gold_turn(dialogue, _comparison_turn({"product_id": "p2"}), {}, shown, {})
    assert single.arg_passed == 0


def test_a_right_tool_call_with_an_answer_that_says_nothing_does_not_pass() -> None:
    from agent.transcript import LoggedCitation

    dialogue = next(d for d in load_gold() if d.id == "faq-01")
    passage = LoggedCitation(id="returns-window", title="退货期限", section="returns",
                             text="已送达的订单可在30天内申请退货，退款将退回原支付方式。")

    def turn(answer: str) -> LoggedTurn:
        return LoggedTurn(index=0, user_text=dialogue.user_text, assistant_text=answer, citations=[passage],
                          tool_calls=[LoggedToolCall(name="search_faq", arguments={"query": "退货政策"})])

    empty = score_gold_turn(dialogue, turn("好的，请问您需要什么帮助？"), {}, [], {})
    assert empty.tool_ok and empty.citations_ok and empty.answer_ok is False and not empty.passed
    answered = score_gold_turn(dialogue, turn("已送达的订单可在30天内申请退货，退款会退回原支付方式。"), {}, [], {})
    assert answered.answer_ok and answered.passed


def test_leaked_internals_and_premature_done_claims_fail_a_turn() -> None:
    dialogue = next(d for d in load_gold() if d.id == "cancel-00")
    slots = {"{order_id}": "#W1234567"}

    def turn(answer: str, proposed: bool = True, streamed: str = "") -> LoggedTurn:
        return LoggedTurn(index=0, user_text="Please cancel order #W1234567, I ordered it by mistake.",
                          assistant_text=answer, streamed_text=streamed,
                          proposed_actions=["cancel_pending_order"] if proposed else [],
                          tool_calls=[LoggedToolCall(name="cancel_pending_order",
                                                     arguments={"order_id": "#W1234567"})])

    proposed = score_gold_turn(dialogue, turn("Order #W1234567 will be cancelled once you confirm in the app."),
                               {}, [], slots)
    assert proposed.passed and proposed.leaks == [] and not proposed.premature_done
    claimed = score_gold_turn(dialogue, turn("Your order #W1234567 has been cancelled."), {}, [], slots)
    assert claimed.premature_done and not claimed.passed
    claimed_zh = score_gold_turn(dialogue, turn("已经为您取消订单 #W1234567。"), {}, [], slots)
    assert claimed_zh.premature_done and not claimed_zh.passed
    no_action = score_gold_turn(dialogue, turn("Your order #W1234567 was cancelled.", proposed=False), {}, [], slots)
    assert not no_action.premature_done  # nothing was proposed: an order-status report, not a claim
    leaked = score_gold_turn(dialogue, turn("Please confirm act_3f9c2a1b in the app; the shopper wants a refund."),
                             {}, [], slots)
    assert leaked.leaks == ["action_id", "narration"] and not leaked.passed
    replaced = score_gold_turn(dialogue, turn("Please confirm the cancellation in the app.",
                                              streamed="PLAN: cancel_pending_order"), {}, [], slots)
    assert "prompt_text" in replaced.leaks and not replaced.passed  # the streamed tokens were seen too
