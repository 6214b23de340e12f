"""Convert ABCD (Action-Based Conversations Dataset, ASAPP) release-format dialogues into the dialogue-log format."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from agent.transcript import LoggedCitation, LoggedToolCall, LoggedTurn
from serving.dialogue_log import DialogueLog

SOURCE = "import:abcd"


def _citation_for(action: str, values: list[Any]) -> list[LoggedCitation]:
    # ABCD agents "select-faq" with the FAQ id (e.g. 'timing_4'): that is what the answer cites.
    if action != "select-faq":
        return []
    return [LoggedCitation(id=str(value), title=str(value), section=str(value).split("_")[0], source="abcd/faq")
            for value in values]


def convert_dialogue(raw: dict[str, Any]) -> DialogueLog:
    """One ABCD conversation -> one DialogueLog. Consecutive customer utterances form one user message; agent
    utterances and actions until the next customer utterance form the assistant side of that turn."""
    original: list[list[str]] = raw["original"]
    delexed: list[dict[str, Any]] = raw.get("delexed") or [{} for _ in original]
    opening: list[str] = []
    turns: list[LoggedTurn] = []
    previous_speaker = ""
    for (speaker, text), annotated in zip(original, delexed, strict=True):
        if speaker == "customer":
            if previous_speaker == "customer" and turns:
                turns[-1].user_text += "\n" + text
            else:
                turns.append(LoggedTurn(index=len(turns), user_text=text, language="en"))
        elif not turns:
            opening.append(text)
        elif speaker == "agent":
            current = turns[-1]
            current.assistant_text = f"{current.assistant_text}\n{text}".strip()
        elif speaker == "action":
            targets = annotated.get("targets") or [None, None, None, [], -1]
            name, values = targets[2] or "action", list(targets[3] or [])
            turns[-1].tool_calls.append(
                LoggedToolCall(name=name, arguments={"values": values}, result=text, result_ids=[str(v) for v in values
                               if name == "select-faq"])
            )
            turns[-1].citations.extend(_citation_for(name, values))
        previous_speaker = speaker
    scenario = raw.get("scenario", {})
    return DialogueLog(
        conversation_id=f"abcd-{raw['convo_id']}",
        channel=SOURCE,
        turns=turns,
        metadata={
            "source": "ABCD (asappresearch/abcd, MIT)",
            "flow": scenario.get("flow"),
            "subflow": scenario.get("subflow"),
            "opening": opening,
        },
    )


def convert_file(path: Path) -> list[DialogueLog]:
    data = json.loads(path.read_text(encoding="utf-8"))
    conversations = data if isinstance(data, list) else [c for split in data.values() for c in split]
    return [convert_dialogue(raw) for raw in conversations]
