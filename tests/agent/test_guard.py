"""The runtime guard: model sentences are checked one by one before they are sent."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from agent.grounding import collect_evidence
from agent.guard import DROPPED, SentenceGuard, guarded_sentences

EVIDENCE = collect_evidence([{"title": "Trail Boot", "price": 89.0}, {"title": "Ridge GTX", "price": 119.5}])


def passing(text: str, guard: SentenceGuard, limit: int | None = None) -> list[str]:
    async def chunks() -> AsyncIterator[str]:
        for index in range(0, len(text), 7):  # arbitrary chunk borders, as a model streams them
            yield text[index:index + 7]

    async def collect() -> list[str]:
        return [sentence async for sentence in guarded_sentences(chunks(), guard, limit, "c1")]

    return asyncio.run(collect())


def dropped(reason: str) -> float:
    return DROPPED.labels(reason=reason)._value.get()


def test_an_invented_price_is_dropped_and_a_correct_one_passes() -> None:
    guard = SentenceGuard(evidence=EVIDENCE)
    before = dropped("price")
    kept = passing("The Trail Boot at $89.00 is the better value. The Ridge GTX is on sale for $59.99! "
                   "Which trail will you hike?", guard)
    assert kept == ["The Trail Boot at $89.00 is the better value.", "Which trail will you hike?"]
    assert dropped("price") == before + 1


def test_invented_model_numbers_and_leaks_are_dropped() -> None:
    guard = SentenceGuard(evidence=EVIDENCE)
    assert passing("Pair it with the Canon EOS R5 for great shots.", guard) == []
    assert passing("The shopper is looking for boots.", guard) == []
    assert passing("Products shown earlier: 1) id 5715373301: Trail Boot.", guard) == []
    assert passing("I'd pick the Trail Boot for long hikes.", guard) == ["I'd pick the Trail Boot for long hikes."]


def test_a_done_claim_while_an_action_awaits_confirmation_is_dropped() -> None:
    pending = SentenceGuard(evidence=EVIDENCE, action_pending=True)
    assert passing("Your order has been cancelled.", pending) == []
    assert passing("您的订单已取消。", pending) == []
    assert passing("Once you confirm, the order will be cancelled.", pending) == [
        "Once you confirm, the order will be cancelled."]


def test_the_sentence_limit_holds() -> None:
    guard = SentenceGuard(evidence=EVIDENCE)
    assert passing("One. Two. Three. Four.", guard, limit=2) == ["One.", "Two."]
