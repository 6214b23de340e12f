"""Tests for converting ABCD (ASAPP) dialogues into dialogue logs."""

from __future__ import annotations

from pathlib import Path

import pytest

from evals.replay.abcd_logs import convert_file
from serving.dialogue_log import read_logs, write_logs
from tests.shared_data import ABCD_SAMPLE


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
