"""Stated preferences read from the shopper's words: 'I wear 42', '我穿XL', 'no leather', '不要皮的', 'my wife likes
blue', 'my budget for shoes is $80', "I'm allergic to wool"; and the requests about them ('what do you know about
me?', 'forget my shoe size', 'delete the leather one', 'show all').

The words and phrasings are data, one TOML file per language under prompts/preferences/; a message mixing languages
is read with every file's tables at once. Values are canonical keys ('leather', 'blue', 'shoes'), so a preference
stated in Chinese filters an English catalog and renders in either language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Literal

from commerce.preferences import PreferenceKind, StatedPreference
from tools.preference_words import book

_SIZE = r"(?P<size>XXXL|XXL|XL|XS|S|M|L|\d{1,2}(?:\.5)?)(?![A-Za-z0-9.])"
_AMOUNT = r"(?P<amount>\d+(?:\.\d+)?)"
_CLAUSES = re.compile(r"\.(?!\d)|[;!?。；！？,，]|\band\b|\bbut\b|还有|而且|但是")
Action = Literal["note", "list", "forget", "forget_all", "show_all"]


@dataclass(frozen=True)
class PreferenceRequest:
    """What a message asks about preferences: note these, list them, forget the ones named, forget all, or show
    the last results without them."""

    action: Action
    stated: list[StatedPreference] = field(default_factory=list)
    kind: PreferenceKind | None = None  # forget: which kind it names ('my shoe size')
    value: str | None = None  # forget: which value ('the leather one')
    category: str | None = None  # forget: which category ('my shoe size' → 'shoes')


def _alternation(words: dict[str, str], group: str) -> str:
    spelled = sorted(words, key=len, reverse=True)
    return f"(?P<{group}>{'|'.join(re.escape(word) for word in spelled)})"


@cache
def _compiled(table: str, brands: frozenset[str] = frozenset()) -> list[re.Pattern[str]]:
    loaded = book()
    things = {**loaded.words["materials"], **loaded.words["colours"], **{brand.lower(): brand for brand in brands}}
    slots = {"{size}": _SIZE, "{amount}": _AMOUNT, "{word}": _alternation(things, "word"),
             "{category}": _alternation(loaded.words["categories"], "category"),
             "{language}": _alternation(loaded.words["languages"], "language")}
    compiled = []
    for pattern in loaded.phrases.get(table, []):
        for slot, regex in slots.items():
            pattern = pattern.replace(slot, regex)
        compiled.append(re.compile(pattern, re.IGNORECASE))
    return compiled


def _matches(table: str, text: str, brands: frozenset[str] = frozenset()) -> list[re.Match[str]]:
    return [found for pattern in _compiled(table, brands) for found in pattern.finditer(text)]


def _key(vocabulary: str, word: str | None) -> str:
    return book().words[vocabulary].get((word or "").lower(), "") if word else ""


def _found_in(vocabulary: str, text: str) -> str:
    """The canonical key of the first (longest) word of a vocabulary in the text, '' when none."""
    lowered = text.lower()
    for word in sorted(book().words[vocabulary], key=len, reverse=True):
        if word.isascii() and re.search(rf"\b{re.escape(word)}\b", lowered) or not word.isascii() and word in lowered:
            return book().words[vocabulary][word]
    return ""


def _kind_of(key: str) -> PreferenceKind:
    return "colour" if key in book().words["colours"].values() else "material"


def _brand_in(text: str, brands: frozenset[str]) -> str:
    """A brand of the catalog the text names, as the shopper spelled it, capitalised when they did not
    ('northpeak' → 'Northpeak'); '' when none."""
    for brand in sorted(brands, key=len, reverse=True):
        if found := re.search(rf"\b{re.escape(brand)}\b", text, re.IGNORECASE):
            spelled = found.group(0)
            return spelled if spelled != spelled.lower() else spelled.title()
    return ""


def _thing(word: str, brands: frozenset[str]) -> tuple[PreferenceKind, str] | None:
    """What a liked or avoided word is: a material, a colour or one of the catalog's brands, with its key."""
    if key := _key("materials", word) or _key("colours", word):
        return _kind_of(key), key
    brand = _brand_in(word, brands)
    return ("brand", brand) if brand else None


def _size(found: re.Match[str], clause: str) -> StatedPreference:
    size = found.group("size").upper()
    named = _key("categories", found.groupdict().get("category")) or _found_in("categories", clause)
    category = named or ("shoes" if size[0].isdigit() else "clothing")
    return StatedPreference(kind="size", value=size, category=category)


def _clause_preferences(clause: str, bare: bool, brands: frozenset[str]) -> list[StatedPreference]:
    stated: list[StatedPreference] = [_size(found, clause) for found in _matches("size", clause)]
    negations = _matches("avoid", clause, brands) + (_matches("avoid_bare", clause, brands) if bare else [])
    avoided = {thing for found in negations if (thing := _thing(found.group("word"), brands))}
    for kind, key in sorted(avoided):
        stated.append(StatedPreference(kind=kind, value=key, avoid=True))
    for found in _matches("like", clause, brands):
        thing = _thing(found.group("word"), brands)
        if thing and thing not in avoided:
            stated.append(StatedPreference(kind=thing[0], value=thing[1]))
    for found in _matches("budget", clause) if bare else []:  # a budget inside a search is that search's
        amount = float(found.group("amount"))
        category = _key("categories", found.groupdict().get("category")) or _found_in("categories", clause)
        if amount > 0:
            stated.append(StatedPreference(kind="budget", value=f"{amount:g}", amount=amount, category=category))
    for found in _matches("language", clause):
        stated.append(StatedPreference(kind="language", value=_key("languages", found.group("language"))))
    return stated


def _with_recipient(items: list[StatedPreference], recipient: str) -> list[StatedPreference]:
    return [item.model_copy(update={"recipient": recipient}) if recipient and item.kind != "language" else item
            for item in items]


def extract(text: str, searching: bool = False, brands: frozenset[str] = frozenset()) -> list[StatedPreference]:
    """Every preference the message states, one per (kind, value, category, recipient), in the order said. In a
    message that also asks for products (`searching`), a bare 'no leather' or a budget belongs to that search."""
    seen: dict[tuple[str, str, str, str], StatedPreference] = {}
    recipient = ""
    for clause in filter(str.strip, _CLAUSES.split(text)):
        # 'my wife likes blue and she wears S': 'she' is still the wife; a clause without either is the shopper's.
        recipient = _found_in("recipients", clause) or (recipient if _matches("pronoun", clause) else "")
        for item in _with_recipient(_clause_preferences(clause, not searching, brands), recipient):
            seen.setdefault((item.kind, item.value, item.category, item.recipient), item)
    return list(seen.values())


def _forget_target(text: str, brands: frozenset[str]) -> PreferenceRequest | None:
    category = _found_in("categories", text) or None
    for kind in ("size", "budget", "language"):
        if any(pattern.search(text) for pattern in _compiled(f"forget_{kind}")):
            return PreferenceRequest(action="forget", kind=kind, category=category)  # type: ignore[arg-type]
    value = _found_in("materials", text) or _found_in("colours", text)
    if value:
        return PreferenceRequest(action="forget", kind=_kind_of(value), value=value)
    brand = _brand_in(text, brands)
    return PreferenceRequest(action="forget", kind="brand", value=brand) if brand else None


def recipient_of(text: str) -> str:
    """Whom the message buys for, as a recipient key ('a gift for my wife' → 'wife'), '' when nobody named."""
    return _found_in("recipients", text)


def asks_for_products(text: str) -> bool:
    """The message also asks for products ('I wear 10, show me running shoes', '推荐一款耳机，预算300元')."""
    return bool(_matches("searches", text))


def preference_request(text: str, searching: bool = False, brands: frozenset[str] = frozenset()
                       ) -> PreferenceRequest | None:
    """What the message asks about preferences, or None when it is about something else; `searching`: the message
    also asks for products; `brands`: the catalog's, so that 'I only buy Northpeak' is a liked brand."""
    if _matches("forget_all", text):
        return PreferenceRequest(action="forget_all")
    if _matches("list", text):
        return PreferenceRequest(action="list")
    if _matches("show_all", text):
        return PreferenceRequest(action="show_all")
    if _matches("forget", text) and not _matches("not_forget", text) and (target := _forget_target(text, brands)):
        return target
    stated = extract(text, searching, brands)
    return PreferenceRequest(action="note", stated=stated) if stated else None


def said_in(item: StatedPreference, text: str) -> bool:
    """Whether the message names the preference's value ('10', 'suede' for leather, '蓝色' for blue): a preference
    the planner noted must be one the shopper stated, not a guess."""
    lowered = text.lower()
    if item.kind in ("size", "budget"):
        value = f"{item.amount:g}" if item.kind == "budget" and item.amount is not None else item.value
        return re.search(rf"(?<![\d.]){re.escape(value.lower())}(?![\d])", lowered) is not None
    vocabulary = {"colour": "colours", "material": "materials", "language": "languages"}.get(item.kind)
    words = book().spellings(vocabulary, item.value) if vocabulary else {item.value.lower()}
    return any(re.search(rf"\b{re.escape(word)}\b", lowered) if word.isascii() else word in lowered
               for word in words)


def only_stated(arguments: dict[str, object], text: str) -> dict[str, object] | None:
    """A planned note_preferences call's arguments without the preferences the message does not state; None when
    none is left (or the arguments are not preferences at all, which the tool would refuse anyway)."""
    kept = []
    for raw in arguments.get("stated") or []:  # type: ignore[union-attr]
        try:
            item = StatedPreference.model_validate(raw)
        except ValueError:
            continue
        if said_in(item, text):
            kept.append(raw)
    return {**arguments, "stated": kept} if kept else None
