"""What a turn gets when the LLM planner runs out of its time budget: the closest read-only plan, or a question."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from agent.graph import _unplanned
from agent.intents import IntentGuess
from agent.state import ShownItem

SHOWN = [ShownItem(id="p1", title="Trail Runner X", price=89.0)]


class GuessesOne:
    """A stand-in intent classifier whose guess is fixed (unit tests only)."""

    def __init__(self, intent: str, confidence: float = 0.6) -> None:
        self.guess = IntentGuess(intent=intent, confidence=confidence, runner_up="other")

    def predict(self, _text: str) -> IntentGuess:
        return self.guess


def unplanned(text: str, intent: str | None, shown: list[ShownItem] | None = None) -> dict[str, Any]:
    context = SimpleNamespace(classifier=GuessesOne(intent) if intent else None)
    return _unplanned(text, shown or [], context)  # type: ignore[arg-type]


@pytest.mark.parametrize("intent", ["product_search", "cart", "product_question", "refinement", "recommendation"])
def test_a_product_phrase_the_planner_did_not_finish_is_searched(intent: str) -> None:
    found = unplanned("帐篷，100元以内", intent)
    (call,) = found["pending"].tool_calls
    assert call.name == "search_products" and call.arguments["max_price"] == 100
    assert found["intent"] == "product_search"


def test_a_policy_question_gets_the_policy_look_up() -> None:
    (call,) = unplanned("how long until my refund shows up on the card", "policy_question")["pending"].tool_calls
    assert call.name == "search_faq"


def test_an_order_request_gets_a_question_about_the_order_not_a_search() -> None:
    found = unplanned("sort out the thing with my parcel", "order_change")
    assert found["reply"] == "unclear_order" and not found["pending"].tool_calls


def test_a_question_about_a_shown_product_is_not_searched_by_its_words() -> None:
    found = unplanned("what goes well with this?", "recommendation", SHOWN)
    assert found["reply"] == "which_product" and not found["pending"].tool_calls


def test_without_a_classifier_the_shopper_is_asked() -> None:
    assert unplanned("baby car seat that fits a small car", None)["reply"] == "unclear"


def test_shown_products_named_by_position_get_their_details() -> None:
    shown = [*SHOWN, ShownItem(id="p2", title="Summit Pro", price=120.0)]
    found = unplanned("so between the first and the second, what would you take?", "recommendation", shown)
    assert [call.arguments["product_id"] for call in found["pending"].tool_calls] == ["p1", "p2"]
    assert found["intent"] == "comparison"


def test_a_request_for_a_person_is_handed_over_in_the_shoppers_words() -> None:
    (call,) = unplanned("somebody from your team should look at this charge", "human_agent")["pending"].tool_calls
    assert call.name == "transfer_to_human_agents"
    assert call.arguments["summary"] == "somebody from your team should look at this charge"


def test_a_change_to_something_bought_is_asked_which_order_whatever_the_classifier_guessed() -> None:
    found = unplanned("cancel it please", "confirmation")
    assert found["reply"] == "unclear_order" and not found["pending"].tool_calls
