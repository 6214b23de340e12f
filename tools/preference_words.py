"""The words of stated preferences, one TOML file per language under prompts/preferences/: each vocabulary maps
the words a shopper may use ('suede', '真皮') onto a canonical key ('leather'), and the phrase tables say how
preferences are stated. Read here so that both the parser (agent/preferences.py) and the search filters that apply
a preference to products (tools/preference_filters.py) see the same words."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

PREFERENCES_DIR = Path(__file__).resolve().parent.parent / "prompts" / "preferences"
VOCABULARIES = ("categories", "materials", "colours", "recipients", "languages")


@dataclass(frozen=True)
class Book:
    words: dict[str, dict[str, str]]  # vocabulary → word → canonical key
    phrases: dict[str, list[str]]  # table → patterns of every language

    def spellings(self, vocabulary: str, key: str) -> set[str]:
        """Every word of every language for one key: 'leather' → {'leather', 'suede', '皮革', …}."""
        return {word for word, canonical in self.words[vocabulary].items() if canonical == key} | {key}


@cache
def book(directory: Path = PREFERENCES_DIR) -> Book:
    words: dict[str, dict[str, str]] = {name: {} for name in VOCABULARIES}
    phrases: dict[str, list[str]] = {}
    for path in sorted(directory.glob("*.toml")):
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        for name in VOCABULARIES:
            for key, spelled in raw.get(name, {}).items():
                for word in spelled:
                    words[name][word.lower()] = key
        for table, patterns in raw.get("phrases", {}).items():
            phrases.setdefault(table, []).extend(patterns)
    return Book(words, phrases)
