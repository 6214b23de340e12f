"""Tests for folding one turn's agent events into a transcript turn."""

from __future__ import annotations

from agent.events import (
    ActionRequiredEvent,
    Citation,
    CitationsEvent,
    DoneEvent,
    ProductCard,
    ProductsEvent,
    TokenEvent,
    ToolCallEvent,
)
from agent.transcript import turn_from_events


def test_turn_from_events_folds_a_turn() -> None:
    events = [
        ToolCallEvent(name="search_products", arguments={"query": "tent"}, result_ids=["p9", "p3"]),
        ProductsEvent(products=[ProductCard(id="p9", title="Tent", price=80.0), ProductCard(id="p3", title="Tarp",
                                                                                           price=20.0)]),
        CitationsEvent(citations=[Citation(id="returns#window", title="Returns", section="window", source="p.md")]),
        TokenEvent(text="Tent "),
        TokenEvent(text="$80"),
    ]
    turn = turn_from_events(0, "tent please", events)
    assert turn.assistant_text == "Tent $80"
    assert [p.rank for p in turn.products] == [0, 1]
    assert turn.citations[0].id == "returns#window"
    done = turn_from_events(0, "x", [*events, DoneEvent(text="final", model="m", prompt_version="v3",
                                                        latency_ms=12.0)])
    assert (done.assistant_text, done.model, done.prompt_version, done.latency_ms) == ("final", "m", "v3", 12.0)
    assert done.streamed_text == "Tent $80"  # the shopper saw these tokens before the final text replaced them
    assert turn.streamed_text == "" and turn.proposed_actions == []


def test_turn_from_events_keeps_proposed_actions() -> None:
    events = [ActionRequiredEvent(action_id="act_1", tool="cancel_pending_order", summary="Cancel #W1",
                                  expires_at="2030-01-01T00:00:00Z"),
              TokenEvent(text="Please confirm. "), DoneEvent(text="Please confirm.")]
    turn = turn_from_events(0, "cancel #W1", events)
    assert turn.proposed_actions == ["cancel_pending_order"] and turn.streamed_text == ""
