"""Plays the fresh set against a server, judges every message and writes the report (Markdown, HTML, JSON)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from itsdangerous import URLSafeTimedSerializer

from evals.fresh.play import play_dialogue
from evals.fresh.schema import FreshDialogue
from evals.fresh.verdict import JudgedMessage, judge_dialogue, summarize
from evals.report.write import Section, write_report

SHOPPER_SALT = "shopassist.shopper"  # the salt serving.identity signs shopper tokens with


def shopper_token(secret: str, shopper_id: str) -> str:
    """What a shop's backend hands its widget (README, Identity)."""
    return URLSafeTimedSerializer(secret, salt=SHOPPER_SALT).dumps({"sub": shopper_id})


async def run_fresh(url: str, dialogues: list[FreshDialogue], secret: str, timeout_s: float = 120.0,
                    progress: Callable[[JudgedMessage], None] | None = None) -> list[JudgedMessage]:
    judged: list[JudgedMessage] = []
    for dialogue in dialogues:
        token = shopper_token(secret, dialogue.shopper) if dialogue.shopper else None
        for message in judge_dialogue(dialogue, await play_dialogue(url, dialogue, token, timeout_s)):
            judged.append(message)
            if progress is not None:
                progress(message)
    return judged


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def write_fresh_report(out_dir: Path, url: str, judged: list[JudgedMessage]) -> dict[str, Any]:
    """report.md, report.html and summary.json (with every message's record and verdict) in `out_dir`."""
    summary = summarize(judged)
    table = [{"message": f"{j.record.dialogue_id}#{j.record.turn}", "lang": j.language, "topic": j.topic,
              "passed": j.passed, "tools": ", ".join(call.name for call in j.record.tool_calls),
              "status ms": j.record.first_status_ms, "token ms": j.record.first_token_ms,
              "done ms": j.record.done_ms, "why": "; ".join(j.reasons)} for j in judged]
    details = []
    for j in judged:
        details += [f"[{j.record.dialogue_id}#{j.record.turn}] {_short(j.record.text, 100)}",
                    f"  status: {_short(' / '.join(j.record.statuses))}",
                    f"  calls: {[(c.name, c.arguments) for c in j.record.tool_calls]}",
                    f"  answer: {_short(j.record.answer)}" + (f"  (error {j.record.error})" if j.record.error else "")]
    section = Section(title="Fresh shopper messages", note=f"Played against {url}.", summary=summary, table=table,
                      details=details)
    write_report(out_dir, "shopassist fresh messages", [section],
                 {"messages": [j.model_dump(mode="json") for j in judged]})
    return summary
