"""Tests for the dialogue-log format: round trip, version check, clear errors, history, ABCD conversion."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent.events import Citation, CitationsEvent, DoneEvent, ProductCard, ProductsEvent, TokenEvent, ToolCallEvent
from evals.abcd_logs import convert_file
from evals.logformat import (
    DialogueLog,
    Feedback,
    LogFormatError,
    LoggedToolCall,
    LoggedTurn,
    history_before,
    read_logs,
    write_logs,
)
from evals.logrecord import turn_from_events

ABCD_SAMPLE = Path("/work/shared/data/abcd/abcd_sample.json")


def sample_log() -> DialogueLog:
    return DialogueLog(
        conversation_id="c1",
        shopper_id="noah_brown_6181",
        turns=[
            LoggedTurn(
                index=0,
                user_text="waterproof jacket under $120",
                assistant_text="The Trail Shell costs $99.00.",
                tool_calls=[LoggedToolCall(name="search_products", arguments={"query": "jacket", "max_price": 120},
                                           result_ids=["p1", "p2"])],
                feedback=Feedback(rating="up", clicked_product_ids=["p2"]),
            ),
            LoggedTurn(index=1, user_text="退货政策是什么？", assistant_text="30天内可以退货。", language="zh"),
        ],
    )


def test_round_trip_keeps_every_field(tmp_path: Path) -> None:
    path = tmp_path / "logs.jsonl"
    assert write_logs(path, [sample_log(), sample_log()]) == 2
    loaded = list(read_logs(path))
    assert loaded == [sample_log(), sample_log()]
    assert json.loads(path.read_text().splitlines()[0])["format_version"] == "1.0"


def test_other_major_version_is_refused_with_file_and_line(tmp_path: Path) -> None:
    record = sample_log().model_dump(mode="json")
    record["format_version"] = "2.0"
    path = tmp_path / "logs.jsonl"
    path.write_text(json.dumps(sample_log().model_dump(mode="json")) + "\n\n" + json.dumps(record) + "\n")
    with pytest.raises(LogFormatError, match=r"logs.jsonl:3: format_version"):
        list(read_logs(path))


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(ValueError):
        DialogueLog.model_validate({"conversation_id": "c", "turns": [], "surprise": 1})


def test_history_alternates_roles_before_the_turn() -> None:
    history = history_before(sample_log(), 1)
    assert [m["role"] for m in history] == ["user", "assistant"]
    assert history[0]["content"] == "waterproof jacket under $120"
    assert history_before(sample_log(), 0) == []


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


@pytest.mark.skipif(not ABCD_SAMPLE.exists(), reason="ABCD sample not present")
def test_abcd_sample_converts_into_valid_logs(tmp_path: Path) -> None:
    logs = convert_file(ABCD_SAMPLE)
    assert len(logs) == 3
    timing = next(log for log in logs if log.conversation_id == "abcd-3695")
    faq_turns = [turn for turn in timing.turns if turn.citations]
    assert faq_turns and faq_turns[0].citations[0].id == "timing_4"
    assert "7 days" in faq_turns[0].assistant_text
    first = logs[0]
    assert first.turns[0].user_text.startswith("Hi! I need to return an item")
    names = [call.name for turn in first.turns for call in turn.tool_calls]
    assert names[:2] == ["pull-up-account", "validate-purchase"]
    write_logs(tmp_path / "abcd.jsonl", logs)
    assert list(read_logs(tmp_path / "abcd.jsonl")) == logs
