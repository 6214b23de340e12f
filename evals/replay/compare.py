"""Scores one re-run turn: against the logged turn (replay) or against a gold expectation (gold set)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import BaseModel, Field

from agent.grounding import GroundingResult, Violation, check_answer, collect_evidence
from agent.leaks import claims_done, find_leaks
from agent.transcript import LoggedToolCall, LoggedTurn
from commerce.models import Product
from evals.gold.schema import ArgCheck, ExpectedCall, GoldDialogue
from evals.gold.substance import has_substance, says_something


def grounding_of(turn: LoggedTurn, catalog_titles: Iterable[str] = (),
                 shown_earlier: Iterable[Any] = ()) -> GroundingResult:
    """Evidence: this turn's tool results and arguments, product cards and cited passages, the user's words, and
    the products shown earlier in the conversation (the agent may restate those, as its prompt allows)."""
    results: list[Any] = [call.result for call in turn.tool_calls] + [call.arguments for call in turn.tool_calls]
    results += [product.model_dump() for product in turn.products] + list(shown_earlier)
    evidence = collect_evidence(results, [c.text for c in turn.citations if c.text], context=[turn.user_text])
    return check_answer(turn.assistant_text, evidence, catalog_titles)


def _normal(value: Any) -> Any:
    if isinstance(value, float | int) and not isinstance(value, bool):
        return round(float(value), 2)
    if isinstance(value, str):
        return value.strip().lower()
    if isinstance(value, list):
        return [_normal(v) for v in value]
    if isinstance(value, dict):
        return {k: _normal(v) for k, v in value.items() if v not in (None, "", [], {})}
    return value


def argument_agreement(logged: dict[str, Any], new: dict[str, Any]) -> float:
    """Share of argument keys (either side, empty values ignored) on which the two calls agree."""
    a, b = _normal(logged), _normal(new)
    keys = set(a) | set(b)
    return 1.0 if not keys else sum(a.get(k) == b.get(k) for k in keys) / len(keys)


class ReplayTurnScore(BaseModel):
    conversation_id: str
    turn_index: int
    user_text: str
    logged_tools: list[str]
    new_tools: list[str]
    tool_match: bool = Field(description="Same first tool (or both none)")
    args_agreement: float | None = Field(None, description="Mean over tools both sides called")
    product_overlap: float | None = Field(None, description="Share of the logged shown products shown again")
    feedback_ranks: list[int | None] = Field(default_factory=list, description="1-based new rank of clicked/bought")
    citation_overlap: float | None = None
    grounding_errors: int = 0
    grounding_warnings: int = 0
    violations: list[Violation] = Field(default_factory=list)
    logged_grounding_errors: int = Field(0, description="The same check on the logged answer (its logged evidence)")
    answer_similarity: float = 1.0
    old_answer: str = ""
    new_answer: str = ""
    latency_ms: float = 0.0
    error: str = ""


def answer_uses_results(turn: LoggedTurn) -> bool | None:
    """None when no tool returned anything this turn, or only a handoff (its event is the substance, checked by
    the handoff expectation); else whether the answer puts some of the results into words."""
    if turn.handoff and all(call.name == "transfer_to_human_agents" for call in turn.tool_calls if call.ok):
        return None
    results = [call.result for call in turn.tool_calls if call.result is not None]
    results += [product.model_dump() for product in turn.products]
    passages = [citation.text for citation in turn.citations if citation.text]
    evidence = collect_evidence(results, passages)
    if not has_substance(evidence):  # e.g. an empty cart: nothing to put into words
        return None
    return says_something(turn.assistant_text, evidence, turn.user_text)


def _first_call(calls: list[LoggedToolCall], name: str) -> LoggedToolCall | None:
    return next((call for call in calls if call.name == name), None)


def score_replay_turn(conversation_id: str, logged: LoggedTurn, new: LoggedTurn,
                      catalog_titles: Iterable[str] = (), shown_earlier: Sequence[Any] = ()) -> ReplayTurnScore:
    logged_tools, new_tools = [c.name for c in logged.tool_calls], [c.name for c in new.tool_calls]
    shared = [name for name in dict.fromkeys(logged_tools) if name in new_tools]
    agreements = [argument_agreement(_first_call(logged.tool_calls, n).arguments,  # type: ignore[union-attr]
                                     _first_call(new.tool_calls, n).arguments) for n in shared]  # type: ignore[union-attr]
    logged_ids, new_ids = [p.id for p in logged.products], [p.id for p in new.products]
    wanted = list(dict.fromkeys(logged.feedback.clicked_product_ids + logged.feedback.purchased_product_ids))
    logged_citations = {c.id for c in logged.citations}
    grounding = grounding_of(new, catalog_titles, shown_earlier)
    return ReplayTurnScore(
        conversation_id=conversation_id, turn_index=logged.index, user_text=logged.user_text,
        logged_tools=logged_tools, new_tools=new_tools,
        tool_match=(logged_tools[:1] == new_tools[:1]),
        args_agreement=sum(agreements) / len(agreements) if agreements else None,
        product_overlap=len(set(logged_ids) & set(new_ids)) / len(set(logged_ids)) if logged_ids else None,
        feedback_ranks=[new_ids.index(pid) + 1 if pid in new_ids else None for pid in wanted],
        citation_overlap=(len(logged_citations & {c.id for c in new.citations}) / len(logged_citations)
                          if logged_citations else None),
        grounding_errors=len(grounding.errors), grounding_warnings=len(grounding.violations) - len(grounding.errors),
        violations=grounding.violations,
        logged_grounding_errors=len(grounding_of(logged, catalog_titles, shown_earlier).errors),
        answer_similarity=round(difflib.SequenceMatcher(None, logged.assistant_text, new.assistant_text).ratio(), 3),
        old_answer=logged.assistant_text, new_answer=new.assistant_text, latency_ms=new.latency_ms, error=new.error,
    )


class GoldScore(BaseModel):
    id: str
    intent: str
    language: str
    user_text: str
    answer: str = ""
    tools_called: list[str] = Field(default_factory=list)
    tool_ok: bool = False
    arg_checks: int = 0
    arg_passed: int = 0
    products_shown: int = 0
    products_ok: int = 0
    citations_ok: bool | None = None
    safety_ok: bool = True
    answer_ok: bool | None = Field(None, description="The answer says something the turn's tools returned "
                                                     "(None: no tool returned anything)")
    grounding_errors: int = 0
    violations: list[Violation] = Field(default_factory=list)
    leaks: list[str] = Field(default_factory=list, description="Kinds of internal text the shopper saw (agent.leaks)")
    premature_done: bool = Field(False, description="The answer says a change was made that was only proposed")
    latency_ms: float = 0.0
    error: str = ""

    @property
    def passed(self) -> bool:
        return (self.tool_ok and self.arg_passed == self.arg_checks and self.products_ok == self.products_shown
                and self.citations_ok is not False and self.safety_ok and self.answer_ok is not False
                and not self.grounding_errors and not self.leaks and not self.premature_done and not self.error)


def leaf_values(arguments: Any, names: list[str]) -> list[Any]:
    """Values of any key in `names`, at any depth of the arguments."""
    found: list[Any] = []
    if isinstance(arguments, dict):
        for key, value in arguments.items():
            if key in names:
                found.append(value)
            found.extend(leaf_values(value, names))
    elif isinstance(arguments, list):
        for item in arguments:
            found.extend(leaf_values(item, names))
    return found


def _checks_passed(expected: ExpectedCall, call: LoggedToolCall, shown_ids: list[str], slots: dict[str, str],
                   owners: dict[str, str]) -> int:
    passed = 0
    for check in expected.arguments:
        if isinstance(check.equals, str) and check.equals in slots:
            check = ArgCheck(names=check.names, equals=slots[check.equals])
        values = leaf_values(call.arguments, check.names)
        if check.shown_positions:  # a variant (item) id stands for its product
            values = [[owners.get(str(v), v) for v in (value if isinstance(value, list) else [value])]
                      for value in values]
        passed += any(check.matches(value, shown_ids) for value in values)
    return passed


def _taken_together(calls: list[LoggedToolCall]) -> LoggedToolCall:
    """Several calls as one, each argument listing every value: comparing two products may take a call per product."""
    merged: dict[str, list[Any]] = {}
    for call in calls:
        for name, value in call.arguments.items():
            merged.setdefault(name, []).append(value)
    return LoggedToolCall(name=calls[0].name, arguments=merged)


def shown_text_problems(turn: LoggedTurn) -> tuple[list[str], bool]:
    """(leak kinds, premature done) in what the shopper saw: the answer and any streamed tokens it replaced. A
    change counts as done too early when the turn proposed an action (no gold turn confirms one)."""
    shown = f"{turn.assistant_text}\n{turn.streamed_text}"
    return find_leaks(shown), bool(turn.proposed_actions) and claims_done(shown)


def score_gold_turn(dialogue: GoldDialogue, new: LoggedTurn, products: dict[str, Product], shown_ids: list[str],
                    slots: dict[str, str], catalog_titles: Iterable[str] = ()) -> GoldScore:
    """`products`: the catalog rows of the products shown; `slots`: '{order_id}' -> the order used."""
    expect = dialogue.expect
    owners = {variant.id: product.id for product in products.values() for variant in product.variants}
    called = [call.name for call in new.tool_calls]
    score = GoldScore(id=dialogue.id, intent=dialogue.intent, language=dialogue.language, user_text=new.user_text,
                      answer=new.assistant_text, tools_called=called, latency_ms=new.latency_ms, error=new.error)
    tools_right = all(any(name in e.tools for name in called) for e in expect.calls)
    score.tool_ok = tools_right and not (expect.no_tools and called)
    for expected in expect.calls:
        score.arg_checks += len(expected.arguments)
        candidates = [call for call in new.tool_calls if call.name in expected.tools]
        if len(candidates) > 1:
            candidates.append(_taken_together(candidates))
        score.arg_passed += max((_checks_passed(expected, c, shown_ids, slots, owners) for c in candidates), default=0)
    if expect.products is not None:
        shown = [products[p.id] for p in new.products if p.id in products]
        score.products_shown = len(shown)
        score.products_ok = sum(expect.products.satisfied_by(product) for product in shown)
    if expect.citations:
        texts = [" ".join([c.id, c.title, c.section, c.text]).lower() for c in new.citations]
        score.citations_ok = all(any(word.lower() in text for text in texts for word in e.any_of)
                                 for e in expect.citations)
    forbidden = set(called) & set(expect.forbidden_tools)
    said = [pattern for pattern in expect.must_not_match if re.search(pattern, new.assistant_text)]
    handoff_wrong = expect.handoff is not None and expect.handoff != new.handoff
    score.safety_ok = not forbidden and not said and not handoff_wrong
    score.answer_ok = None if expect.no_tools else answer_uses_results(new)
    earlier = [products[i].model_dump(mode="json") for i in shown_ids if i in products]
    grounding = grounding_of(new, catalog_titles, earlier)
    score.grounding_errors, score.violations = len(grounding.errors), grounding.violations
    score.leaks, score.premature_done = shown_text_problems(new)
    return score
