"""Detectors for shopper-facing text: internal text that leaked into it, and claims that a change was already made."""

from __future__ import annotations

import functools
import re

from agent.prompts import read_prompt

# Kinds in the order find_leaks reports them. Order ids (#W1234567) are the shopper's own and never a leak.
_LEAK_PATTERNS: dict[str, re.Pattern[str]] = {
    # τ-shaped product and item ids (10 digits); tracking numbers (12) and phone numbers (11) are longer.
    "product_id": re.compile(r"(?<![\d#A-Za-z_.])\d{10}(?!\d|[.,]\d)"),
    "action_id": re.compile(r"\bact_[0-9a-z]+\b"),
    "payment_id": re.compile(r"\b(?:credit_card|debit_card|gift_card|paypal|apple_pay|bank_account)_\w+"),
    "shopper_id": re.compile(r"(?<![\w@.])[a-z]+(?:_[a-z]+){1,2}_\d{4}(?!\w)"),
    "data_marker": re.compile(
        r"</?data>|(?<![A-Z0-9] )\bDATA\b(?! [A-Z0-9])|Products shown earlier|\bid [\w-]+:"
        r"|\b\w+\(\{.*?\}\)\s*->|\{\s*\"\w+\"\s*:"),
    "prompt_text": re.compile(
        r"\babout_this_shop\b|\btool_calls\b|\boff_topic\b|\bawaiting_confirmation\b|\bPLAN\s*:|\bANSWER(?: in\b|\s*:)"
        r"|\{(?:tool_catalog|tool_hints|examples|language|repair)\}|Note for the assistant|Rules \(they always hold"
        r"|You are ShopAssist"),
    "tool_error": re.compile(
        r"\binvalid_arguments\b|\bField required\b|\bvalidation errors? for\b|\bvalidation error\b|\bInput should be\b"
        r"|\btype=(?:missing|value_error|string_type)\b|\bTraceback \(most recent call last\)|\bToolError\b"),
    # Tool names, error codes and schema fields (search_products, order_not_found): snake_case never reads as prose.
    "internal_name": re.compile(r"(?<![\w@./#-])[a-z]+(?:_[a-z]+)+(?![\w@/-])"),
    "narration": re.compile(
        r"\bthe shopper\b|\bthe (?:user|customer)(?:'s)? (?:is|was|wants|wanted|asks|asked|has|had|needs|would|said"
        r"|says|requested|requests|mentioned|seems|might|may|did|does|should|can|will|just)\b"
        r"|(?:该|这位|此)(?:用户|顾客|客户|购物者)|(?:用户|顾客|客户|购物者)(?:正在|想要|想|希望|询问|问了|刚才|表示)"
        r"|购物者", re.IGNORECASE),
}
_SHINGLE_WORDS = 8


@functools.cache
def _prompt_shingles() -> frozenset[tuple[str, ...]]:
    """8-word runs of the system prompt's instruction lines (rules, PLAN/ANSWER, bullets): echoing them is a leak."""
    shingles: set[tuple[str, ...]] = set()
    for line in read_prompt("system.md").splitlines():
        if re.match(r"\s*(?:\d+\.|-|PLAN:|ANSWER:)", line):
            words = _words(line)
            shingles.update(tuple(words[i:i + _SHINGLE_WORDS]) for i in range(len(words) - _SHINGLE_WORDS + 1))
    return frozenset(shingles)


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


def _echoes_prompt(text: str) -> bool:
    words = _words(text)
    shingles = _prompt_shingles()
    return any(tuple(words[i:i + _SHINGLE_WORDS]) in shingles for i in range(len(words) - _SHINGLE_WORDS + 1))


def find_leaks(text: str) -> list[str]:
    """The kinds of internal text in shopper-facing `text` (ids, data blocks, prompt, tool errors, narration)."""
    kinds = [kind for kind, pattern in _LEAK_PATTERNS.items() if pattern.search(text)]
    if "prompt_text" not in kinds and _echoes_prompt(text):
        kinds.insert(list(_LEAK_PATTERNS).index("prompt_text"), "prompt_text")
    return kinds


_DONE_VERBS_EN = (r"(?:cancell?ed|changed|modified|updated|returned|exchanged|refunded|added|removed|submitted"
                  r"|processed|placed|replaced)")
_DONE_EN = re.compile(
    rf"\b(?:has|have) (?:now |already |successfully |just )*been (?:successfully )?{_DONE_VERBS_EN}\b"
    rf"|\b(?:is|are) (?:now|already|successfully)(?: been)? {_DONE_VERBS_EN}\b"
    rf"|\b(?:was|were) (?:now |already |successfully )?{_DONE_VERBS_EN}\b"
    rf"|\byour [\w #-]{{1,40}}? (?:is|are) (?:now )?(?:cancell?ed|changed|modified|updated|returned|exchanged"
    r"|refunded)\b"
    rf"|\bI(?:'ve| have)? (?:now |already |successfully |just )*{_DONE_VERBS_EN}\b"
    r"|(?<!\bbe )(?<!\bget )\b(?:added|moved) (?:[\w-]+ ){0,4}?(?:to|into) your (?:shopping )?cart\b"
    r"|\b(?:cancellation|return|exchange|change|modification|update|refund) (?:is|has been) (?:now )?"
    r"(?:complete|completed|confirmed|done|processed)\b"
    r"|\b(?:you're|you are) all set\b|\ball done\b", re.IGNORECASE)
_DONE_VERBS_ZH = r"(?:取消|修改|更改|更新|退货|退回|换货|退款|加入|添加|放入|提交|删除|移除|改为|改成|处理)"
_DONE_ZH = re.compile(
    rf"已(?:经)?(?:为您|帮您|给您|替您)?(?:成功)?{_DONE_VERBS_ZH}"
    rf"|已(?:经)?(?:为您|帮您|给您|替您)?(?:把|将)[^。！？，,；;]{{1,20}}?{_DONE_VERBS_ZH}"
    rf"|{_DONE_VERBS_ZH}(?:成功|完毕|完成|好了)(?!后|之后|以后)|成功(?:为您|帮您)?{_DONE_VERBS_ZH}"
    r"|(?:加入|添加|放入)(?:到)?了购物车|(?:加入|添加|放入)(?:到)?购物车了(?!吗)")
# A condition before the claim in its sentence ("once you confirm, …", "确认后…") makes it a promise, not a claim;
# so does a pending or negated state anywhere in the sentence.
_CONDITION = re.compile(r"\b(?:once|if|after|when|as soon as|upon)\b|一旦|如果|若|确认后|确认之后|确认以后|您确认",
                        re.IGNORECASE)
_PENDING = re.compile(r"\b(?:pending|awaiting|until you confirm|not yet|yet to|not been)\b"
                      r"|待确认|待您确认|等待您确认|尚未|还未|还没|才会", re.IGNORECASE)
_SENTENCE = re.compile(r"(?<=[.!?])\s+|[。！？!?；;\n]+")


def claims_done(text: str) -> bool:
    """True when `text` says a change (cancel, modify, return, exchange, address, cart) was already made.

    Meant for turns that only proposed an action: an order-status answer ("it was cancelled last week") reads as a
    claim too."""
    for sentence in _SENTENCE.split(text):
        if _PENDING.search(sentence):
            continue
        for claim in (*_DONE_EN.finditer(sentence), *_DONE_ZH.finditer(sentence)):
            if not _CONDITION.search(sentence, 0, claim.start()):
                return True
    return False
