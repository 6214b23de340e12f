"""Does an answer say anything? After tools returned data, the answer must put some of it into words: a fact of
this turn's results (a product's name or price, an order's id or status, a policy passage's terms or numbers)
that the shopper did not say first. Catches polite non-answers ("好的，请问您需要什么帮助？") after the right tool
calls, which grounding cannot see: an answer that claims nothing invents nothing."""

from __future__ import annotations

import re
from collections.abc import Iterable

from agent.grounding import Evidence, numbers_in

WORD = re.compile(r"[a-z][a-z0-9'-]{2,}")
CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
# Words any answer or result may hold: they say nothing about this turn's data.
STOP_WORDS = frozenset(
    "the and for with you your our are this that these those from have has can will not but all any here "
    "there what which when how its was were been them they more most some such only also into about than "
    "yes please thanks thank help would like want need".split()
)
MIN_SHARED_TERMS = 2
# Small numbers are list markers and counts ("1.", "2 options") as often as facts.
MIN_NUMBER = 10


def terms(text: str) -> set[str]:
    """English words (3+ letters, no stop words) and Chinese character pairs."""
    lowered = text.lower()
    found = {word for word in WORD.findall(lowered) if word not in STOP_WORDS}
    for run in CJK_RUN.findall(lowered):
        found |= {run[i:i + 2] for i in range(len(run) - 1)}
    return found


def _facts(numbers: Iterable[float]) -> set[float]:
    return {round(value, 2) for value in numbers if value >= MIN_NUMBER}


def has_substance(evidence: Evidence) -> bool:
    """Whether the results hold anything to say: a text with a term, or a number ≥ 10."""
    return bool(_facts(evidence.numbers)) or any(terms(text) for text in [*evidence.texts, *evidence.passage_texts])


def says_something(answer: str, evidence: Evidence, user_text: str = "") -> bool:
    """True when one result text (a title, a status, a passage) shares MIN_SHARED_TERMS terms with the answer, or
    a result number (≥ 10) appears in it — in both cases leaving out what the user's own message already held."""
    said_numbers = _facts(numbers_in(answer)) - _facts(numbers_in(user_text))
    if said_numbers & _facts(evidence.numbers):
        return True
    said_terms = terms(answer) - terms(user_text)
    return any(len(said_terms & terms(text)) >= MIN_SHARED_TERMS
               for text in [*evidence.texts, *evidence.passage_texts])
