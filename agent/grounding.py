"""Grounding checker, shared by the runtime guard and the gold scorer: every price, stock figure, product name and
policy number in an answer must be traceable to what that turn's tools returned (results, products shown, passages)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any, Literal

from pydantic import BaseModel, Field

_NUMBER = r"(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
_SPACE = r"[ \t\u00a0]?"  # a currency and its amount share a line: "USD\n5) …" is a list number, not a price
PRICE_PATTERNS = [
    re.compile(r"(?:US\$|\$|USD" + _SPACE + r"|[¥￥]|RMB" + _SPACE + r"|CNY" + _SPACE + r"|€|£)" + _SPACE + _NUMBER),
    re.compile(_NUMBER + _SPACE + r"(?:USD|dollars?|元|块|美元|人民币|RMB|CNY)", re.IGNORECASE),
]
STOCK_PATTERNS = [
    re.compile(_NUMBER + r"\s*(?:units?|pieces?|items?)?\s*(?:left|in stock|available|remaining)", re.IGNORECASE),
    re.compile(r"only\s+" + _NUMBER + r"\b", re.IGNORECASE),
    re.compile(r"(?:库存|还剩|仅剩|只剩|剩余)\s*(?:还有|有)?\s*" + _NUMBER),
]
POLICY_KEYWORDS = re.compile(
    r"\b(?:return|refund|exchange|days?|shipping|delivery|warranty|cancel\w*|policy)\b"
    r"|退货|退款|换货|天内|天|运费|包邮|配送|保修|取消|政策",
    re.IGNORECASE,
)
SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+|(?<=[。！？；])|\n+")
CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN_NUMBER = re.compile(r"([零一二两三四五六七八九十百]+)(?=天|日|个?月|年|元|块|小时|周|件)")
MIN_TITLE_CHARS = 4


class Violation(BaseModel):
    kind: Literal["price", "stock", "product", "policy_number", "uncited_policy"]
    claim: str = Field(description="The text in the answer that is not traceable")
    detail: str = ""
    severity: Literal["error", "warning"] = "error"


class GroundingResult(BaseModel):
    claims_checked: int = 0
    violations: list[Violation] = Field(default_factory=list)

    @property
    def errors(self) -> list[Violation]:
        return [v for v in self.violations if v.severity == "error"]

    @property
    def ok(self) -> bool:
        return not self.errors


class Evidence(BaseModel):
    """What one turn's tools returned, flattened: numbers and strings from results, products and passages."""

    numbers: list[float] = Field(default_factory=list)
    texts: list[str] = Field(default_factory=list, description="Product titles and other strings from results")
    passage_texts: list[str] = Field(default_factory=list, description="Texts of passages the answer cites")


def chinese_number(text: str) -> int | None:
    """'三十' -> 30, '七' -> 7, '一百二十' -> 120; None when it is not a simple Chinese numeral."""
    total, current = 0, 0
    for char in text:
        if char in CN_DIGITS:
            current = CN_DIGITS[char]
        elif char == "十":
            total += (current or 1) * 10
            current = 0
        elif char == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    return total + current


def numbers_in(text: str) -> list[float]:
    found = [float(match.replace(",", "")) for match in re.findall(_NUMBER, text)]
    found += [value for match in CN_NUMBER.findall(text) if (value := chinese_number(match)) is not None]
    return found


def _walk(value: Any) -> Iterator[Any]:
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json")
    if isinstance(value, dict):
        for item in value.values():
            yield from _walk(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _walk(item)
    elif isinstance(value, str):
        stripped = value.strip()
        if stripped[:1] in "[{":
            try:
                yield from _walk(json.loads(stripped))
                return
            except json.JSONDecodeError:
                pass
        yield value
    elif value is not None:
        yield value


def collect_evidence(
    results: Iterable[Any], passage_texts: Iterable[str] = (), context: Iterable[str] = ()
) -> Evidence:
    """`results`: tool outputs, product cards, arguments (models, dicts, JSON strings); `context`: texts the answer
    may legitimately echo (the user's message), whose numbers count as evidence but whose words are not titles."""
    evidence = Evidence(passage_texts=list(passage_texts))
    for leaf in _walk(list(results)):
        if isinstance(leaf, bool):
            continue
        if isinstance(leaf, int | float):
            evidence.numbers.append(float(leaf))
        elif isinstance(leaf, str):
            evidence.texts.append(leaf)
            evidence.numbers.extend(numbers_in(leaf))
    for text in [*evidence.passage_texts, *context]:
        evidence.numbers.extend(numbers_in(text))
    return evidence


def number_supported(claimed: float, numbers: Iterable[float], rounded: bool = False) -> bool:
    """Exact to the cent; a rounded claim (a whole-number price) may be off by less than one ($99.99 as $100)."""
    tolerance = 1.0 if rounded else 0.011
    return any(abs(claimed - value) < tolerance for value in numbers)


def _numeric_claims(text: str, patterns: list[re.Pattern[str]]) -> Iterator[tuple[str, float, bool]]:
    seen: set[tuple[int, int]] = set()
    for pattern in patterns:
        for match in pattern.finditer(text):
            if match.span(1) in seen:
                continue
            seen.add(match.span(1))
            raw = match.group(1)
            yield match.group(0).strip(), float(raw.replace(",", "")), "." in raw


def _policy_sentences(text: str) -> Iterator[str]:
    for sentence in SENTENCE_SPLIT.split(text):
        sentence = sentence.strip()
        if sentence and not sentence.endswith(("?", "？")) and POLICY_KEYWORDS.search(sentence):
            yield sentence


def _without_prices(sentence: str) -> str:
    for pattern in PRICE_PATTERNS:
        sentence = pattern.sub(" ", sentence)
    return sentence


def check_answer(answer: str, evidence: Evidence, catalog_titles: Iterable[str] = ()) -> GroundingResult:
    result = GroundingResult()
    for kind, patterns in (("price", PRICE_PATTERNS), ("stock", STOCK_PATTERNS)):
        for claim, value, decimals in _numeric_claims(answer, patterns):
            result.claims_checked += 1
            if not number_supported(value, evidence.numbers, rounded=kind == "price" and not decimals):
                result.violations.append(Violation(kind=kind, claim=claim, detail=f"{value:g} not in tool results"))
    lowered_answer = answer.lower()
    evidence_texts = [text.lower() for text in evidence.texts]
    for title in {t for t in catalog_titles if len(t) >= MIN_TITLE_CHARS}:
        if title.lower() in lowered_answer:
            result.claims_checked += 1
            if not any(title.lower() in text for text in evidence_texts):
                result.violations.append(Violation(kind="product", claim=title, detail="not in this turn's results"))
    for sentence in _policy_sentences(answer):
        result.claims_checked += 1
        if not evidence.passage_texts:
            result.violations.append(
                Violation(kind="uncited_policy", claim=sentence, detail="no cited passage", severity="warning")
            )
        # Prices were checked above; the rest of the sentence's numbers (days, thresholds) need a source.
        for value in numbers_in(_without_prices(sentence)):
            if not number_supported(value, evidence.numbers):
                result.violations.append(
                    Violation(kind="policy_number", claim=sentence, detail=f"{value:g} not in cited passages")
                )
    return result
