"""Guardrails: language detection, polite refusals, prompt-injection handling, data fencing, PII masking."""

from __future__ import annotations

import logging
import re

from commerce.text import EMAIL
from commerce.text import detect_language as detect_language

_INJECTION = re.compile(
    r"ignore (all |any )?(of )?(the |your )?((previous|prior|above|earlier) )?(instructions|rules|prompts?)"
    r"|disregard (all |your )?(instructions|rules)|system prompt|you are now|developer mode|jailbreak"
    r"|忽略(你|之前|以上|前面|所有)?的?(指令|指示|规则)|系统提示",
    re.IGNORECASE,
)
# A first, deterministic line against common off-topic requests (small models often answer them anyway); the
# plan's `about_this_shop` flag is the second line. Patterns are specific so shopping phrases do not match.
_OFF_TOPIC = re.compile(
    r"\bcapital (city )?of\b|\bwhat'?s the weather\b|\bweather (today|tomorrow|forecast|in)\b|\btell me a joke\b"
    r"|\bwrite (me )?(a |an )?(\w+ )?(poem|story|essay|song|code|script|program|function)\b|\bhomework\b"
    r"|\bwho (is|was) the (president|prime minister|ceo)\b|\bwho won\b|\b(latest|today'?s) news\b"
    r"|\bsolve (this|the) (equation|problem)\b|\bmeaning of life\b"
    r"|\b(election|elections|vote for|politics|political party|stock market|legal advice)\b"
    r"|\bwhat (medicine|medication|pills?|drugs?) should i\b|\b(medicine|pills?) for (a |my )?(headache|fever|cold)\b"
    r"|首都|天气(怎么样|如何|预报)|讲个?笑话|写.{0,12}(诗|作文|故事|文章)|写(一段|个)?代码|作业|新闻|总统|选举|投票|股市|股票"
    r"|(吃|用)什么药|看病",
    re.IGNORECASE,
)
_FENCE = re.compile(r"</?\s*(data|tool_output|system|instructions?)\s*>", re.IGNORECASE)
_EMAIL = EMAIL
_CARD = re.compile(r"\b(?:\d[ -]?){13,19}\b")
_PHONE = re.compile(r"(?<![\w#])\+?\d[\d ().-]{7,}\d\b")

def looks_like_injection(text: str) -> bool:
    return bool(_INJECTION.search(text))


def looks_off_topic(text: str) -> bool:
    return bool(_OFF_TOPIC.search(text))


def fence(text: str) -> str:
    """Neutralize fence-like tags inside untrusted text so it cannot close the data block it sits in."""
    return _FENCE.sub("[tag removed]", text)


def mask_pii(text: str) -> str:
    text = _EMAIL.sub("[email]", text)
    text = _CARD.sub("[number]", text)
    return _PHONE.sub("[phone]", text)


class PiiMaskingFilter(logging.Filter):
    """Masks e-mails, card and phone numbers in every record of the logger it is attached to."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask_pii(record.getMessage())
        record.args = None
        return True


def agent_logger(name: str) -> logging.Logger:
    logger = logging.getLogger(name)
    if not any(isinstance(existing, PiiMaskingFilter) for existing in logger.filters):
        logger.addFilter(PiiMaskingFilter())
    return logger
