"""Stated preferences read from the shopper's words: 'I wear 42', '我穿XL', 'no leather', '不要皮的', 'my wife likes
blue', 'my budget for shoes is $80', "I'm allergic to wool"; and the requests about them ('what do you know about
me?', 'forget my shoe size', 'delete the leather one', 'show all').

The words and phrasings are data, one TOML file per language under prompts/preferences/; a message mixing languages
is read with every file's tables at once. Values are canonical keys ('leather', 'blue', 'shoes'), so a preference
stated in Chinese filters an English catalog and renders in either language.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Literal

from commerce.preferences import PreferenceKind, StatedPreference

PREFERENCES_DIR = Path(__file__).resolve().parent.parent / "prompts" / "preferences"
_VOCABULARIES = ("categories", "materials", "colours", "recipients", "languages")
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


@dataclass(frozen=True)
class _Book:
    words: dict[str, dict[str, str]]  # vocabulary → word → canonical key
    phrases: dict[str, list[str]]  # table → patterns of every language


@cache
def _book(directory: Path = PREFERENCES_DIR) -> _Book:
    words: dict[str, dict[str, str]] = {name: {} for name in _VOCABULARIES}
    phrases: dict[str, list[str]] = {}
    for path in sorted(directory.glob("*.toml")):
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        for name in _VOCABULARIES:
            for key, spelled in raw.get(name, {}).items():
                for word in spelled:
                    words[name][word.lower()] = key
        for table, patterns in raw.get("phrases", {}).items():
            phrases.setdefault(table, []).extend(patterns)
    return _Book(words, phrases)


def _alternation(words: dict[str, str], group: str) -> str:
    spelled = sorted(words, key=len, reverse=True)
    return f"(?P<{group}>{'|'.join(re.escape(word) for word in spelled)})"


@cache
def _compiled(table: str) -> list[re.Pattern[str]]:
    book = _book()
    things = {**book.words["materials"], **book.words["colours"]}
    slots = {"{size}": _SIZE, "{amount}": _AMOUNT, "{word}": _alternation(things, "word"),
             "{category}": _alternation(book.words["categories"], "category"),
             "{language}": _alternation(book.words["languages"], "language")}
    compiled = []
    for pattern in book.phrases.get(table, []):
        for slot, regex in slots.items():
            pattern = pattern.replace(slot, regex)
        compiled.append(re.compile(pattern, re.IGNORECASE))
    return compiled


def _matches(table: str, text: str) -> list[re.Match[str]]:
    return [found for pattern in _compiled(table) for found in pattern.finditer(text)]


def _key(vocabulary: str, word: str | None) -> str:
    return _book().words[vocabulary].get((word or "").lower(), "") if word else ""


def _found_in(vocabulary: str, text: str) -> str:
    """The canonical key of the first (longest) word of a vocabulary in the text, '' when none."""
    lowered = text.lower()
    for word in sorted(_book().words[vocabulary], key=len, reverse=True):
        if word.isascii() and re.search(rf"\b{re.escape(word)}\b", lowered) or not word.isascii() and word in lowered:
            return _book().words[vocabulary][word]
    return ""


def _kind_of(key: str) -> PreferenceKind:
    return "colour" if key in _book().words["colours"].values() else "material"


def _size(found: re.Match[str], clause: str) -> StatedPreference:
    size = found.group("size").upper()
    named = _key("categories", found.groupdict().get("category")) or _found_in("categories", clause)
    category = named or ("shoes" if size[0].isdigit() else "clothing")
    return StatedPreference(kind="size", value=size, category=category)


def _clause_preferences(clause: str) -> list[StatedPreference]:
    stated: list[StatedPreference] = [_size(found, clause) for found in _matches("size", clause)]
    avoided = {_key("materials", f.group("word")) or _key("colours", f.group("word"))
               for f in _matches("avoid", clause)}
    for key in sorted(avoided - {""}):
        stated.append(StatedPreference(kind=_kind_of(key), value=key, avoid=True))
    for found in _matches("like", clause):
        key = _key("materials", found.group("word")) or _key("colours", found.group("word"))
        if key and key not in avoided:
            stated.append(StatedPreference(kind=_kind_of(key), value=key))
    for found in _matches("budget", clause):
        amount = float(found.group("amount"))
        category = _key("categories", found.groupdict().get("category")) or _found_in("categories", clause)
        if amount > 0:
            stated.append(StatedPreference(kind="budget", value=f"{amount:g}", amount=amount, category=category))
    for found in _matches("language", clause):
        stated.append(StatedPreference(kind="language", value=_key("languages", found.group("language"))))
    recipient = _found_in("recipients", clause)
    return [item.model_copy(update={"recipient": recipient}) if recipient and item.kind != "language" else item
            for item in stated]


def extract(text: str) -> list[StatedPreference]:
    """Every preference the message states, one per (kind, value, category, recipient), in the order said."""
    seen: dict[tuple[str, str, str, str], StatedPreference] = {}
    for clause in _CLAUSES.split(text):
        for item in _clause_preferences(clause):
            seen.setdefault((item.kind, item.value, item.category, item.recipient), item)
    return list(seen.values())


def _forget_target(text: str) -> PreferenceRequest | None:
    category = _found_in("categories", text) or None
    for kind in ("size", "budget", "language"):
        if any(pattern.search(text) for pattern in _compiled(f"forget_{kind}")):
            return PreferenceRequest(action="forget", kind=kind, category=category)  # type: ignore[arg-type]
    value = _found_in("materials", text) or _found_in("colours", text)
    if value:
        return PreferenceRequest(action="forget", kind=_kind_of(value), value=value)
    return None


def preference_request(text: str) -> PreferenceRequest | None:
    """What the message asks about preferences, or None when it is about something else."""
    if _matches("forget_all", text):
        return PreferenceRequest(action="forget_all")
    if _matches("list", text):
        return PreferenceRequest(action="list")
    if _matches("show_all", text):
        return PreferenceRequest(action="show_all")
    if _matches("forget", text) and not _matches("not_forget", text) and (target := _forget_target(text)):
        return target
    stated = extract(text)
    return PreferenceRequest(action="note", stated=stated) if stated else None
