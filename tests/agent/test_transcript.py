"""Tests for folding one turn's agent events into a transcript turn."""

from __future__ import annotations

from agent.events import Citation, CitationsEvent, DoneEvent, ProductCard, ProductsEvent, TokenEvent, ToolCallEvent
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
