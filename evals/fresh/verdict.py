"""The verdict on one played message (expected tools and key arguments, no forbidden tools, the confirmation asked
for, no leaks, no premature 'done', an answer at all) and the run's summary."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, Field

from agent.leaks import claims_done, find_leaks
from evals.fresh.play import MessageRecord
from evals.fresh.schema import FreshDialogue, FreshTurn
from evals.gold.schema import ExpectedCall
from evals.replay.compare import leaf_values
from evals.report.metrics import percentiles


class Verdict(BaseModel):
    missing: list[str] = Field(default_factory=list, description="Expected calls (or their arguments) not made")
    forbidden: list[str] = Field(default_factory=list, description="Tools called that must not be")
    confirmation_ok: bool | None = None
    products_ok: bool | None = None
    over_price: list[str] = Field(default_factory=list, description="Cards shown above the expected max price")
    leaks: list[str] = Field(default_factory=list)
    premature_done: bool = False
    answered: bool = True
    says: bool | None = Field(None, description="The answer holds one of the expected phrases (None: none expected)")

    @property
    def passed(self) -> bool:
        return (not self.missing and not self.forbidden and self.confirmation_ok is not False
                and self.products_ok is not False and not self.over_price and not self.leaks
                and not self.premature_done and self.answered and self.says is not False)

    @property
    def reasons(self) -> list[str]:
        found = [f"missing {m}" for m in self.missing] + [f"called {f}" for f in self.forbidden]
        found += ["confirmation" if self.confirmation_ok is False else "", "products" if self.products_ok is False
                  else "", f"over price: {', '.join(self.over_price)}" if self.over_price else "",
                  "premature done" if self.premature_done else "", "no answer" if not self.answered else "",
                  "answer lacks the expected words" if self.says is False else ""]
        found += [f"leak {kind}" for kind in self.leaks]
        return [reason for reason in found if reason]


def _unmet(expected: ExpectedCall, record: MessageRecord, shown_ids: list[str]) -> list[str]:
    """What of one expected call is missing; the arguments may be spread over several calls of its tools."""
    calls = [call.arguments for call in record.tool_calls if call.ok and call.name in expected.tools]
    wanted = "|".join(expected.tools)
    if not calls:
        return [wanted]
    unmet = []
    for check in expected.arguments:
        values: list[Any] = leaf_values(calls, check.names)
        ok = check.matches(values, shown_ids) if check.shown_positions else any(check.matches(v) for v in values)
        if not ok:
            unmet.append(f"{wanted}.{'|'.join(check.names)}")
    return unmet


def judge(turn: FreshTurn, record: MessageRecord, shown_ids: list[str], proposed_earlier: bool) -> Verdict:
    """`shown_ids`: products the shopper saw last; `proposed_earlier`: an earlier message proposed an action (the
    runner never confirms one, so any later 'done' claim is premature too)."""
    expect = turn.expect
    shown_text = f"{record.answer}\n{record.streamed}"
    proposed = bool(record.proposed_actions)
    called = [call.name for call in record.tool_calls]
    return Verdict(
        missing=[unmet for expected in expect.calls for unmet in _unmet(expected, record, shown_ids)],
        forbidden=list(dict.fromkeys(name for name in called if name in expect.must_not_call)),
        confirmation_ok=None if expect.confirmation is None else expect.confirmation == proposed,
        products_ok=None if expect.products is None else expect.products == bool(record.products),
        over_price=[product.title for product in record.products if expect.max_price is not None
                    and product.price > expect.max_price + 0.005],
        leaks=find_leaks(shown_text),
        premature_done=(proposed or proposed_earlier or expect.confirmation is True) and claims_done(shown_text),
        answered=bool(record.answer.strip()) and not record.error,
        says=any(phrase.lower() in shown_text.lower() for phrase in expect.answer_contains_any)
        if expect.answer_contains_any else None,
    )


class JudgedMessage(BaseModel):
    record: MessageRecord
    language: str
    topic: str
    verdict: Verdict
    passed: bool
    reasons: list[str]


def judge_dialogue(dialogue: FreshDialogue, records: Sequence[MessageRecord]) -> list[JudgedMessage]:
    judged, shown_ids, proposed_earlier = [], [], False
    for turn, record in zip(dialogue.turns, records, strict=True):
        verdict = judge(turn, record, shown_ids, proposed_earlier)
        judged.append(JudgedMessage(record=record, language=dialogue.language, topic=dialogue.topic, verdict=verdict,
                                    passed=verdict.passed, reasons=verdict.reasons))
        shown_ids = [product.id for product in record.products] or shown_ids
        proposed_earlier = proposed_earlier or bool(record.proposed_actions)
    return judged


def _rate(flags: Sequence[bool]) -> float | None:
    return round(sum(flags) / len(flags), 4) if flags else None


def summarize(judged: Sequence[JudgedMessage]) -> dict[str, Any]:
    records = [j.record for j in judged]
    languages = sorted({j.language for j in judged})
    return {
        "dialogues": len({r.dialogue_id for r in records}),
        "messages": len(judged),
        "passed": sum(j.passed for j in judged),
        "pass_rate": _rate([j.passed for j in judged]),
        "per_language": {lang: _rate([j.passed for j in judged if j.language == lang]) for lang in languages},
        "tools_ok": _rate([not j.verdict.missing for j in judged]),
        "forbidden_calls": sum(bool(j.verdict.forbidden) for j in judged),
        "confirmation_wrong": sum(j.verdict.confirmation_ok is False for j in judged),
        "products_wrong": sum(j.verdict.products_ok is False or bool(j.verdict.over_price) for j in judged),
        "leaks": sum(bool(j.verdict.leaks) for j in judged),
        "premature_done": sum(j.verdict.premature_done for j in judged),
        "unanswered": sum(not j.verdict.answered for j in judged),
        "first_status_ms": percentiles([r.first_status_ms for r in records if r.first_status_ms is not None]),
        "first_token_ms": percentiles([r.first_token_ms for r in records if r.first_token_ms is not None]),
        "first_products_ms": percentiles([r.first_products_ms for r in records if r.first_products_ms is not None]),
        "done_ms": percentiles([r.done_ms for r in records if r.done_ms is not None]),
    }
