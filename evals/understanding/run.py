"""Plays understanding dialogues through the agent in-process (the path serving runs, without the socket) and judges
each turn: the act, the kind and constraints of its search, the shown products it points at, what the answer says,
claims of absence, and the time the turn took."""

from __future__ import annotations

import statistics
import time
from collections import Counter, defaultdict
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import select

from agent.events import DoneEvent, ProductsEvent, ToolCallEvent
from agent.runner import TurnRunner
from agent.state import HistoryMessage, TurnRequest
from commerce.db import Database
from commerce.tables import OrderRow
from evals.understanding.schema import ExpectedTurn, UnderstandingDialogue

# What the answer says when it claims the shop lacks a kind (prompts/answers/*.toml: kind_missing, closest).
ABSENCE_WORDS = ("don't carry", "couldn't find", "本店没有", "本店似乎没有")
SHOWN_CALLS = {"check_products", "pick_product", "get_product_details", "review_insights"}


class TurnRecord(BaseModel):
    dialogue_id: str
    turn: int
    language: str
    text: str
    expected_act: str
    act: str
    producer: str
    calls: list[tuple[str, dict[str, Any]]] = Field(default_factory=list)
    answer: str = ""
    latency_ms: float = 0.0
    passed: bool = False
    reasons: list[str] = Field(default_factory=list)
    false_absence: bool = False


def signed_in_shopper(db: Database) -> str:
    """A demo shopper with a pending and a delivered order, for the dialogues about orders."""
    with db.session() as session:
        rows = session.execute(select(OrderRow.shopper_id, OrderRow.status)).all()
    statuses: dict[str, set[str]] = defaultdict(set)
    for shopper, status in rows:
        statuses[shopper].add(status.split(" ")[0])
    return sorted(shopper for shopper, seen in statuses.items() if {"pending", "delivered"} <= seen)[0]


def _search_arguments(calls: list[tuple[str, dict[str, Any]]]) -> dict[str, Any] | None:
    searches = [arguments for name, arguments in calls if name == "search_products"]
    return searches[-1] if searches else None


def judge_turn(expected: ExpectedTurn, act: str, calls: list[tuple[str, dict[str, Any]]], answer: str
               ) -> tuple[list[str], bool]:
    """Why the turn failed (empty: passed), and whether it claimed a kind the shop sells is missing."""
    reasons = []
    if act != expected.act:
        reasons.append(f"act {act or '-'} (expected {expected.act})")
    lowered = answer.lower()
    false_absence = bool(expected.kind) and not expected.absent_kind and any(
        word in lowered for word in ABSENCE_WORDS)
    if false_absence:
        reasons.append("claimed the shop lacks a kind it sells")
    search = _search_arguments(calls)
    if expected.act == "search" and expected.max_price is not None:
        given = search.get("max_price") if search else None
        if given is None or abs(float(given) - expected.max_price) > max(1.0, 0.21 * expected.max_price):
            reasons.append(f"max_price {given} (expected {expected.max_price})")
    if expected.act == "search" and expected.size and search is not None:
        if expected.size.lower() not in [str(size).lower() for size in search.get("size") or []]:
            reasons.append(f"size {search.get('size')} (expected {expected.size})")
    if expected.act in ("shown_question", "superlative", "compare") and not any(
            name in SHOWN_CALLS for name, _ in calls):
        reasons.append("no look-up of the shown products")
    if expected.must_say_any and not any(word.lower() in lowered for word in expected.must_say_any):
        reasons.append(f"answer lacks any of {expected.must_say_any}")
    said = [word for word in expected.must_not_say if word.lower() in lowered]
    if said:
        reasons.append(f"answer says {said}")
    return reasons, false_absence


async def play(runner: TurnRunner, dialogue: UnderstandingDialogue, shopper_id: str | None) -> list[TurnRecord]:
    history: list[HistoryMessage] = []
    records = []
    conversation = f"understanding-{dialogue.id}-{time.monotonic_ns()}"
    for number, expected in enumerate(dialogue.turns):
        request = TurnRequest(text=expected.text, conversation_id=conversation, history=history,
                              shopper_id=shopper_id if dialogue.signed_in else None)
        calls: list[tuple[str, dict[str, Any]]] = []
        shown: list[str] = []
        done: DoneEvent | None = None
        started = time.perf_counter()
        async for event in runner.stream(request):
            if isinstance(event, ToolCallEvent):
                calls.append((event.name, event.arguments))
            elif isinstance(event, ProductsEvent):
                shown.extend(card.id for card in event.products)
            elif isinstance(event, DoneEvent):
                done = event
        latency = (time.perf_counter() - started) * 1000
        answer = done.text if done else ""
        act = done.act if done else ""
        reasons, false_absence = judge_turn(expected, act, calls, answer)
        records.append(TurnRecord(dialogue_id=dialogue.id, turn=number, language=dialogue.language,
                                  text=expected.text, expected_act=expected.act, act=act,
                                  producer=done.producer if done else "none", calls=calls, answer=answer,
                                  latency_ms=round(latency, 1), passed=not reasons, reasons=reasons,
                                  false_absence=false_absence))
        history = [*history, HistoryMessage(role="user", text=expected.text),
                   HistoryMessage(role="assistant", text=answer, product_ids=shown,
                                  dialogue=done.dialogue if done else None)]
    return records


def _rate(passed: int, total: int) -> float | None:
    return round(passed / total, 3) if total else None


def summarize(records: list[TurnRecord]) -> dict[str, Any]:
    """Pass rates per act and language, the act confusion matrix, false absences, producers and turn times."""
    by_act: dict[str, list[TurnRecord]] = defaultdict(list)
    by_language: dict[str, list[TurnRecord]] = defaultdict(list)
    for record in records:
        by_act[record.expected_act].append(record)
        by_language[record.language].append(record)
    confusion: dict[str, Counter[str]] = defaultdict(Counter)
    for record in records:
        confusion[record.expected_act][record.act or "-"] += 1
    return {
        "turns": len(records),
        "passed": sum(record.passed for record in records),
        "pass_rate": _rate(sum(record.passed for record in records), len(records)),
        "act_accuracy": _rate(sum(record.act == record.expected_act for record in records), len(records)),
        "per_act": {act: {"turns": len(rows), "pass_rate": _rate(sum(r.passed for r in rows), len(rows)),
                          "act_accuracy": _rate(sum(r.act == act for r in rows), len(rows)),
                          "latency_ms": _times([r.latency_ms for r in rows])}
                    for act, rows in sorted(by_act.items())},
        "per_language": {language: {"turns": len(rows), "pass_rate": _rate(sum(r.passed for r in rows), len(rows)),
                                    "act_accuracy": _rate(sum(r.act == r.expected_act for r in rows), len(rows))}
                         for language, rows in sorted(by_language.items())},
        "confusion": {act: dict(counts) for act, counts in sorted(confusion.items())},
        "false_absences": sum(record.false_absence for record in records),
        "producers": dict(Counter(record.producer for record in records)),
        "latency_ms": _times([record.latency_ms for record in records]),
    }


def _times(values: list[float]) -> dict[str, float | None]:
    ordered = sorted(values)
    if not ordered:
        return {"p50": None, "p95": None, "max": None}
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return {"p50": round(statistics.median(ordered), 1), "p95": p95, "max": ordered[-1]}
