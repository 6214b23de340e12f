"""Text primitives every layer shares, defined once: Chinese characters, the shop's order ids, e-mail addresses,
the language a message is written in, and amounts written in Chinese numerals."""

from __future__ import annotations

import re
from typing import Literal

import cn2an

Language = Literal["en", "zh"]

# CJK Unified Ideographs with extension A and the compatibility block: every Chinese character a shopper types.
CJK_CHAR = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
# Not \b: Chinese characters are word characters, so '订单#W1234567到哪了' has no word boundary around the id.
ORDER_ID = re.compile(r"(?<![A-Za-z0-9])#?(W\d{7})(?!\d)", re.IGNORECASE)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
ZH_SHARE = 0.2  # a message is Chinese when at least this share of its letters are Chinese characters

# A run of Chinese numerals that states an amount: followed by a unit or a limit word ('两百块以内', '三千五百元',
# '五百左右'), or led by a budget word ('预算三百'). '一双' and '第二个' are counts and ordinals, left alone.
_ZH_DIGITS = "零〇一二两三四五六七八九十百千万点"
_ZH_AMOUNT = re.compile(
    rf"(?:(?<=预算)|(?<=价格)|(?<=价位)|(?<=不超过)|(?<=低于)|(?<=不到)|(?<=少于)|(?<=高于)|(?<=超过))\s*([{_ZH_DIGITS}]+)"
    rf"|([{_ZH_DIGITS}]*[十百千万][{_ZH_DIGITS}]*|[{_ZH_DIGITS}]+(?=\s*(?:元|块|美元|美金|刀)))"
    rf"(?=\s*(?:元|块|美元|美金|刀|以内|以下|之内|左右|上下|以上|起|$|[，,。!！?？\s]))"
)


def has_cjk(text: str) -> bool:
    return CJK_CHAR.search(text) is not None


def detect_language(text: str, default: Language = "en") -> Language:
    """The language the shopper wrote in; `default` (the UI language) only when the text has no letters."""
    letters = [char for char in text if char.isalpha()]
    if not letters:
        return default
    chinese = sum(1 for char in letters if CJK_CHAR.match(char))
    return "zh" if chinese / len(letters) >= ZH_SHARE else "en"


def _as_digits(numeral: str) -> str:
    try:
        value = cn2an.cn2an(numeral, "smart")
    except (ValueError, KeyError):
        return numeral
    return f"{value:g}"


def chinese_amounts_as_digits(text: str) -> str:
    """'两百块以内' → '200块以内', '预算三千五' → '预算3500', '一千五百元以下' → '1500元以下' (cn2an reads
    the numerals)."""
    if not has_cjk(text):
        return text
    return _ZH_AMOUNT.sub(lambda found: _as_digits(found.group(0).strip()), text)
