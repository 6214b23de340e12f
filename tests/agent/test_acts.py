"""The routing decisions' order is data (prompts/acts.toml): its decision cases hold, and every feature a row names
is one the understanding computes."""

from __future__ import annotations

import pytest

from agent.acts import DecisionTable, decision_table
from agent.state import DialogueState
from agent.understanding import features_of
from vectorstore.query import parse_query

TABLE = decision_table()


@pytest.mark.parametrize("case", TABLE.cases, ids=[f"{c.act}:{'+'.join(c.features)}" for c in TABLE.cases])
def test_each_decision_case(case: object) -> None:
    assert TABLE.decide(frozenset(case.features)) == case.act  # type: ignore[attr-defined]


def test_every_feature_the_rows_name_is_computed() -> None:
    computed = features_of("x", DialogueState(), [], None, parse_query("x"), signed_in=True, refining=False)
    known = set(computed) | {"empty", "off_topic", "greeting", "confirm_words", "order_id", "asks_for_person",
                             "alert_words", "checkout_words", "cart_context", "cart_words", "shown", "superlative",
                             "compare_words", "question", "refers_to_shown", "among_shown", "refers_to_it",
                             "order_context", "order_talk", "undo", "names_kind", "names_other_kind", "kind_absent",
                             "order_words", "my_orders", "policy_words", "asks_for_products", "states_preference",
                             "first_person", "budget_words", "refine_words"}
    assert TABLE.features_named() <= known


def test_the_first_fitting_row_decides_and_a_negated_feature_blocks() -> None:
    table = DecisionTable.model_validate({"rows": [{"act": "order", "when": ["order_words", "!names_kind"]},
                                                   {"act": "search", "when": ["names_kind"]}]})
    assert table.decide(frozenset({"order_words", "names_kind"})) == "search"
    assert table.decide(frozenset({"order_words"})) == "order"
    assert table.decide(frozenset({"question"})) == "other"
