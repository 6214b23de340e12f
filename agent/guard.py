"""The runtime guard: every sentence the model writes is checked before it is sent; a failing one is dropped.

A sentence fails when it states a price, stock figure, product name, policy number or model number the turn's tool
results do not contain, leaks internals (ids, data blocks, prompt text, tool errors, narration about "the shopper"),
or claims that a change is done while it only awaits the shopper's confirmation.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass

from prometheus_client import Counter

from agent.grounding import Evidence, check_answer
from agent.guardrails import agent_logger
from agent.leaks import claims_done, find_leaks

DROPPED = Counter("shopassist_guard_dropped_sentences_total", "Model sentences dropped by the runtime guard",
                  ["reason"])
_MODEL_NUMBER = re.compile(r"\b(?=[A-Za-z-]*\d)(?=\d*[A-Za-z])[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*\b")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[。！？])|\n+")
log = agent_logger(__name__)


@dataclass(frozen=True)
class SentenceGuard:
    evidence: Evidence
    catalog_titles: tuple[str, ...] = ()
    action_pending: bool = False

    def problem(self, sentence: str) -> str | None:
        """Why the sentence may not be sent, or None when it may."""
        if find_leaks(sentence):
            return "leak"
        if self.action_pending and claims_done(sentence):
            return "premature_done"
        grounding = check_answer(sentence, self.evidence, self.catalog_titles)
        if grounding.errors:
            return grounding.errors[0].kind
        lowered = [text.lower() for text in self.evidence.texts]
        for token in _MODEL_NUMBER.findall(sentence):
            if not any(token.lower() in text for text in lowered):
                return "model_number"
        return None


async def guarded_sentences(chunks: AsyncIterator[str], guard: SentenceGuard, limit: int | None,
                            conversation_id: str) -> AsyncIterator[str]:
    """Complete sentences that pass the guard, at most `limit`; a trailing fragment is checked as a sentence."""
    buffer, sent = "", 0
    async for chunk in chunks:
        buffer += chunk
        *complete, buffer = _SENTENCE_END.split(buffer)
        for sentence in _passing(complete, guard, conversation_id):
            yield sentence
            sent += 1
            if limit is not None and sent >= limit:
                return
    for sentence in _passing([buffer], guard, conversation_id):
        yield sentence


def _passing(sentences: Iterable[str], guard: SentenceGuard, conversation_id: str) -> Iterable[str]:
    for sentence in (s.strip() for s in sentences):
        if not sentence:
            continue
        reason = guard.problem(sentence)
        if reason is None:
            yield sentence
        else:
            DROPPED.labels(reason=reason).inc()
            log.info("guard dropped a sentence in conversation %s: %s", conversation_id, reason)
