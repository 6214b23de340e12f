"""Tests for the answer-substance check: an answer must say something the turn's tools returned."""

from __future__ import annotations

from agent.grounding import collect_evidence
from evals.gold.substance import says_something

BOOTS = {"hits": [{"id": "b1", "title": "Northpeak Ridge Waterproof Hiking Boot", "price": 93.99},
                  {"id": "b2", "title": "Summit GTX Trail Boot", "price": 117.99}]}
RETURNS = "Delivered orders can be returned within 30 days; the refund goes to the original payment method."
RETURNS_ZH = "已送达的订单可在30天内退货，退款将退回原支付方式。"


def test_naming_a_product_or_its_price_says_something() -> None:
    evidence = collect_evidence([BOOTS])
    asked = "waterproof hiking boots under $120"
    assert says_something("The Northpeak Ridge is a good pick.", evidence, asked)
    assert says_something("我推荐这款，售价 $117.99。", evidence, asked)


def test_a_polite_non_answer_or_an_echo_of_the_question_says_nothing() -> None:
    evidence = collect_evidence([BOOTS])
    assert not says_something("好的，请问您需要什么帮助？", evidence, "防水徒步鞋 120美元以内")
    assert not says_something("Sure! Here are waterproof hiking boots under $120.", evidence,
                              "waterproof hiking boots under $120")
    # List numbering is not a fact.
    assert not says_something("1. See the cards. 2. Ask me more.", collect_evidence([{"count": 2}]), "boots")


def test_restating_a_cited_passage_says_something_in_either_language() -> None:
    english = collect_evidence([], passage_texts=[RETURNS])
    assert says_something("You can return delivered orders; the refund goes back to your original payment.",
                          english, "What is your return policy?")
    chinese = collect_evidence([], passage_texts=[RETURNS_ZH])
    assert says_something("您可以在收货后30天内申请退货。", chinese, "你们的退货政策是什么？")
    assert not says_something("请问还有什么可以帮您？", chinese, "你们的退货政策是什么？")


def test_a_handoff_turn_needs_no_substance() -> None:
    from agent.transcript import LoggedToolCall, LoggedTurn
    from evals.replay.compare import answer_uses_results

    turn = LoggedTurn(index=0, user_text="a person please", assistant_text="A colleague will reply here.",
                      handoff=True, tool_calls=[LoggedToolCall(name="transfer_to_human_agents", arguments={},
                                                               result={"status": "transferred"})])
    assert answer_uses_results(turn) is None


def test_an_empty_result_has_nothing_to_say() -> None:
    from agent.transcript import LoggedToolCall, LoggedTurn
    from evals.replay.compare import answer_uses_results

    empty_cart = LoggedTurn(index=0, user_text="what's in my cart?", assistant_text="Your cart is empty.",
                            tool_calls=[LoggedToolCall(name="view_cart", arguments={},
                                                       result={"lines": [], "total": 0.0, "checkout_url": None})])
    assert answer_uses_results(empty_cart) is None
