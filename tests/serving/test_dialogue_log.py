"""Tests for the dialogue-log format: round trip, version check, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent.transcript import Feedback, LoggedToolCall, LoggedTurn
from serving.dialogue_log import DialogueLog, LogFormatError, read_logs, write_logs


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
