"""Query understanding without an LLM: a typed SearchQuery parsed from English or Chinese text."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from commerce.text import chinese_amounts_as_digits
from vectorstore.vocab import (
    COLOURS,
    IN_STOCK_CUES,
    MATERIAL_ALIASES,
    MISSPELLINGS,
    NEGATION_EN,
    NEGATION_ZH,
    SYNONYMS,
    ZH_TERMS,
)

Sort = Literal["relevance", "price_asc", "price_desc", "rating"]
_CJK = re.compile(r"[\u4e00-\u9fff]")
_NUM = r"(\d+(?:\.\d+)?)"
_CUR = r"(?:\$|usd|us\$|¥|￥|rmb)?\s*"
_UNIT = r"\s*(?:dollars|bucks|usd|元|块钱|块|美元|美金)?"


class SearchQuery(BaseModel):
    """What the shopper is looking for. Every field except `text` is a hard filter."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field("", description="Free-text description, e.g. 'waterproof trail running shoes'")
    wording: str = Field("", description="The shopper's words without the parsed constraints, for display")
    price_min: float | None = Field(None, ge=0, description="Lowest price, e.g. 20")
    price_max: float | None = Field(None, ge=0, description="Highest price, e.g. 50")
    currency: str | None = Field(None, description="ISO code of the prices given, e.g. 'USD' or 'CNY'")
    brand: list[str] = Field(default_factory=list, description="Any of these brands, e.g. ['Northpeak']")
    colour: list[str] = Field(default_factory=list, description="Any of these colours, e.g. ['red', 'navy']")
    size: list[str] = Field(default_factory=list, description="Any of these sizes, e.g. ['M'] or ['10']")
    category: str | None = Field(None, description="A category or any of its ancestors, e.g. 'Shoes'")
    attributes: dict[str, str] = Field(default_factory=dict, description="e.g. {'waterproof': 'yes'}")
    in_stock: bool | None = Field(None, description="true to show only products that can ship now")
    min_rating: float | None = Field(None, ge=0, le=5, description="e.g. 4.0")
    exclude: list[str] = Field(default_factory=list, description="Words the product must not have, e.g. ['leather']")
    sort: Sort = "relevance"

    @property
    def language(self) -> str:
        return "zh" if _CJK.search(self.text) else "en"

    def has_filters(self) -> bool:
        return bool(
            self.price_min is not None or self.price_max is not None or self.brand or self.colour or self.size
            or self.category or self.attributes or self.in_stock or self.min_rating is not None or self.exclude
        )


class Vocabulary(BaseModel):
    """Values the catalog actually has: the parser turns only known brands and flags into filters, and a category
    the planner names must be one of the catalog's."""

    brands: set[str] = Field(default_factory=set)
    categories: set[str] = Field(default_factory=set)
    flags: set[str] = Field(default_factory=set, description="yes/no attributes, e.g. 'waterproof'")


# '预算600块左右', '价格在500元以内': the lead words are part of the price phrase, not search words.
_ZH_LEAD = r"(?:(?:预算|价格|价位|价钱)\s*(?:在|是|为|控制在)?\s*)?"
PRICE_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(rf"between\s+{_CUR}{_NUM}{_UNIT}\s+(?:and|to|-)\s+{_CUR}{_NUM}{_UNIT}"), "range"),
    (re.compile(rf"{_ZH_LEAD}{_CUR}{_NUM}{_UNIT}\s*(?:-|to|到|至|~)\s*{_CUR}{_NUM}{_UNIT}(?:之间)?"), "range"),
    (re.compile(rf"(?:around|about|roughly|approximately|~)\s*{_CUR}{_NUM}{_UNIT}"), "around"),
    (re.compile(rf"{_ZH_LEAD}(?:大概|大约|差不多)?{_CUR}{_NUM}{_UNIT}\s*(?:左右|上下)"), "around"),
    (re.compile(rf"(?:nothing|not|no)\s+(?:over|above|more than|more expensive than)\s*{_CUR}{_NUM}{_UNIT}"), "max"),
    (re.compile(rf"(?:can'?t|cannot|won'?t|don'?t want to|do not want to)\s+(?:spend|pay|go)\s+(?:more than|over|above)"
                rf"\s*{_CUR}{_NUM}{_UNIT}"), "max"),
    (re.compile(rf"\bbudget(?:\s+is|\s+of|:)?\s*(?:about|around|roughly)?\s*{_CUR}{_NUM}{_UNIT}"), "max"),
    # '预算三百' (a budget with no limit word): the patterns with 以内, 左右 or a range read the others.
    (re.compile(rf"预算\s*(?:在|是|为|大概|大约)?\s*{_CUR}{_NUM}{_UNIT}"
                rf"(?![\d.]|\s*(?:元|块|美元|美金|刀|-|到|至|~|左右|上下|以内|以下|之内|内|以上|起))"), "max"),
    (re.compile(rf"(?:under|below|less than|cheaper than|max|up to|at most|<)\s*{_CUR}{_NUM}{_UNIT}"), "max"),
    (re.compile(rf"(?:over|above|more than|at least|from|>)\s*{_CUR}{_NUM}{_UNIT}"), "min"),
    (re.compile(rf"{_ZH_LEAD}(?:低于|少于|不超过|不到|便宜于){_CUR}{_NUM}{_UNIT}"), "max"),
    (re.compile(rf"{_ZH_LEAD}{_CUR}{_NUM}{_UNIT}\s*(?:以内|以下|之内|内)"), "max"),
    (re.compile(rf"{_ZH_LEAD}(?:高于|超过|多于){_CUR}{_NUM}{_UNIT}"), "min"),
    (re.compile(rf"{_ZH_LEAD}{_CUR}{_NUM}{_UNIT}\s*(?:以上|起)"), "min"),
    # '两千元的笔记本电脑': a price given as the product's, read as about that much.
    (re.compile(rf"{_NUM}\s*(?:元|块钱|块|美元)的?"), "around"),
)
SIZE_PATTERN = re.compile(r"\b(?:size|sz)\s*(xxl|xl|xs|s|m|l|\d{1,2}(?:\.5)?)\b|(xxl|xl|xs|[sml])\s*(?:码|号)")
SORT_CUES: dict[str, Sort] = {
    "cheapest": "price_asc", "lowest price": "price_asc", "最便宜": "price_asc", "most expensive": "price_desc",
    "best rated": "rating", "top rated": "rating", "highest rated": "rating", "评分最高": "rating", "好评": "rating",
}


def normalise(text: str) -> str:
    text = chinese_amounts_as_digits(text.lower().strip())
    for wrong, right in MISSPELLINGS.items():
        text = re.sub(rf"(?<![a-z]){re.escape(wrong)}(?![a-z])", right, text)
    return re.sub(r"\s+", " ", text)


def _take(text: str, span: tuple[int, int]) -> str:
    return (text[: span[0]] + " " + text[span[1] :]).strip()


def _parse_price(text: str, query: dict) -> str:
    for pattern, kind in PRICE_PATTERNS:
        match = pattern.search(text)
        if not match:
            continue
        numbers = [float(group) for group in match.groups() if group is not None]
        if kind == "range":
            query["price_min"], query["price_max"] = min(numbers), max(numbers)
        elif kind == "around":  # "about $50", "500元左右": within a fifth either way
            query["price_min"], query["price_max"] = round(numbers[0] * 0.8, 2), round(numbers[0] * 1.2, 2)
        else:
            query["price_max" if kind == "max" else "price_min"] = numbers[0]
        if re.search(r"元|块|¥|￥|rmb", match.group(0)):
            query["currency"] = "CNY"
        elif re.search(r"\$|dollar|usd|bucks|美元|美金", match.group(0)):
            query["currency"] = "USD"
        return _take(text, match.span())
    return text


def _negated_terms(text: str) -> tuple[list[str], str]:
    terms: list[str] = []
    for cue in NEGATION_EN:
        # 'not too pricey', 'not very heavy': a degree word, not a thing to leave out.
        for match in re.finditer(rf"(?<![a-z]){cue}\s+(?!(?:too|very|so|that|overly|super|really|quite)\b)"
                                 rf"([a-z][a-z\-]+)", text):
            terms.append(match.group(1))
            text = text.replace(match.group(0), " ")
    for cue in NEGATION_ZH:
        # '有没有…' asks whether the shop has it: not a negation.
        for match in re.finditer(rf"(?<!有){cue}([\u4e00-\u9fffa-z]+?)(?:的|材质|做的|$|，|,|\s)", text):
            terms.append(match.group(1))
            text = text.replace(match.group(0), " ")
    return terms, text


def expand_exclusions(terms: Iterable[str]) -> list[str]:
    """A negated material also excludes its translations: '不要皮的' excludes 'leather'."""
    out: list[str] = []
    for term in terms:
        english = ZH_TERMS.get(term, term)
        aliases = MATERIAL_ALIASES.get(english, (english,))
        out.extend(alias for alias in (term, *aliases) if alias not in out)
    return out


def named_values(text: str, values: Iterable[str]) -> list[str]:
    """Catalog values named in the text, also in the singular ('jacket' names 'jackets')."""

    def named(value: str) -> bool:
        forms = {value, value[:-1]} if value.endswith("s") and len(value) > 3 else {value}
        # The substring test first: a catalog has thousands of brands and the text names one or two.
        return any(form in text and re.search(rf"(?<![a-z]){re.escape(form)}(?![a-z])", text) for form in forms)

    return sorted(value for value in values if len(value) > 1 and named(value))


_QUESTION_OPENERS = re.compile(
    r"^(你们|请问)?(有没有|卖不卖|有卖|请问|我想要|我想买|我要|想买|帮我找|给我找|"
    r"(?:do you (?:have|sell|carry)|are there|got|i want|i need|i'?m looking for|looking for|show me|find me)(?: any)?"
    r"|any)(?![a-z])\s*", re.I)


def _wording(text: str) -> str:
    """The words to echo back: no question openers, no stray punctuation ('any … for women? —' → '… for women')."""
    words = [word.strip("?？!！") for word in text.split() if re.search(r"\w", word)]
    return _QUESTION_OPENERS.sub("", " ".join(words).strip(" ,.，。的了")).strip(" 的")


def parse_query(raw: str, vocabulary: Vocabulary | None = None) -> SearchQuery:
    text = normalise(raw)
    fields: dict = {}
    text = _parse_price(text, fields)
    excluded, text = _negated_terms(text)
    if excluded:
        fields["exclude"] = expand_exclusions(excluded)
    for cue in IN_STOCK_CUES:
        if cue in text:
            fields["in_stock"] = True
            text = text.replace(cue, " ")
    for cue, sort in SORT_CUES.items():
        if cue in text:
            fields["sort"] = sort
            text = text.replace(cue, " ")
    colours = {colour for word, colour in COLOURS.items()
               if (word in text if _CJK.match(word) else re.search(rf"\b{word}\b", text))}
    if colours:
        fields["colour"] = sorted(colours)
    if size := SIZE_PATTERN.search(text):
        fields["size"] = [(size.group(1) or size.group(2)).upper()]
        text = _take(text, size.span())
    fields["wording"] = _wording(text)
    fields["text"] = expand_text(text)
    if vocabulary:
        # Matched on the expanded text, so '防水登山鞋' names 'waterproof'. A product-type word that is also a category
        # name ('hats', 'women', 'sets') stays a word, not a category filter: catalogs file exact matches under other
        # nodes ('Baseball Caps'), and on the ESCI queries such filters cut NDCG@10 from 0.59 to 0.40.
        wording = fields["text"].replace("-", " ")
        if brands := named_values(wording, {brand.lower() for brand in vocabulary.brands}):
            fields["brand"] = brands
        if flags := named_values(wording, {flag.lower() for flag in vocabulary.flags}):
            fields["attributes"] = {flag: "yes" for flag in flags}
    return SearchQuery(**fields)


def expand_text(text: str) -> str:
    """Add English wording for Chinese terms and catalog synonyms; the lexical side matches either."""
    text_only = re.sub(r"[,，。!?！？]+", " ", text)
    return re.sub(r"\s+", " ", " ".join([text_only, *expansions(text)])).strip()


def expansions(text: str) -> list[str]:
    """The English wording of the text's Chinese terms and the catalog synonyms of its words, each once."""
    extra: list[str] = []
    unread = text
    for term in sorted(ZH_TERMS, key=len, reverse=True):
        if term in unread:
            # A longer term reads its characters first: '剃须刀' is a razor, not also a knife ('刀').
            unread = unread.replace(term, " ")
            if ZH_TERMS[term] not in extra:
                extra.append(ZH_TERMS[term])
    for word in re.findall(r"[a-z][a-z\-]+", text):
        extra.extend(synonym for synonym in SYNONYMS.get(word, ()) if synonym not in extra)
    return extra


def merge_query(parsed: SearchQuery, overrides: SearchQuery | dict | None) -> SearchQuery:
    """Fields the agent set explicitly win over what the parser found."""
    if overrides is None:
        return parsed
    given = overrides.model_dump(exclude_unset=True) if isinstance(overrides, SearchQuery) else dict(overrides)
    return parsed.model_copy(update={key: value for key, value in given.items() if key != "text" or value})
