"""The router's phrasings as data: one TOML file per language under prompts/router/, read by a generic engine.

Each table names an intent or a slot ('cancel', 'asked_size') and holds its patterns with the phrases they must and
must not find. A table's patterns from every language file form one case-insensitive alternation, so a message
mixing languages is read by both; adding a phrasing or a language is a change to the data and its rows.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict

PHRASINGS_DIR = Path(__file__).resolve().parent.parent / "prompts" / "router"


class PhrasingFileError(ValueError):
    """A phrasing file that cannot be read, or a pattern in it that does not compile."""


class Phrasing(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    patterns: list[str]
    match: list[str] = []
    no_match: list[str] = []


class PhrasingBook:
    """Every language file's tables, and the compiled alternation of one name across languages."""

    def __init__(self, tables: dict[str, dict[str, Phrasing]]) -> None:
        self.tables = tables  # language → name → phrasing
        self._compiled: dict[str, re.Pattern[str]] = {}

    @classmethod
    def load(cls, directory: Path = PHRASINGS_DIR) -> PhrasingBook:
        tables: dict[str, dict[str, Phrasing]] = {}
        for path in sorted(directory.glob("*.toml")):
            try:
                raw = tomllib.loads(path.read_text(encoding="utf-8"))
                tables[path.stem] = {name: Phrasing.model_validate(table) for name, table in raw.items()}
            except (tomllib.TOMLDecodeError, ValueError) as error:
                raise PhrasingFileError(f"{path}: {error}") from error
        book = cls(tables)
        for name in book.names():
            book.pattern(name)  # every pattern compiles when the book is loaded, not at a shopper's message
        return book

    def names(self) -> list[str]:
        return sorted({name for phrasings in self.tables.values() for name in phrasings})

    def languages(self, name: str) -> dict[str, Phrasing]:
        return {language: phrasings[name] for language, phrasings in self.tables.items() if name in phrasings}

    def pattern(self, name: str) -> re.Pattern[str]:
        if name not in self._compiled:
            branches = [pattern for phrasing in self.languages(name).values() for pattern in phrasing.patterns]
            if not branches:
                raise PhrasingFileError(f"no language file has patterns for {name!r}")
            try:
                self._compiled[name] = re.compile("|".join(f"(?:{branch})" for branch in branches), re.IGNORECASE)
            except re.error as error:
                raise PhrasingFileError(f"{name}: {error}") from error
        return self._compiled[name]


@cache
def phrasing_book() -> PhrasingBook:
    return PhrasingBook.load()


def phrasing(name: str) -> re.Pattern[str]:
    """The compiled alternation of `name`'s patterns in every language."""
    return phrasing_book().pattern(name)


def first_group(match: re.Match[str]) -> str:
    """The first captured group that took part: which branch matched depends on the message's language."""
    return next((group for group in match.groups() if group), "")
