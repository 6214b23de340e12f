"""Answer templates (prompts/answers/<language>.toml): the words of every fact the agent states by code."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agent.state import Language

LANGUAGES: tuple[Language, ...] = ("en", "zh")
CURRENCY_SIGNS = {"USD": "$", "CNY": "¥", "EUR": "€", "GBP": "£"}


def money(amount: float, currency: str = "USD") -> str:
    sign = CURRENCY_SIGNS.get(currency.upper())
    return f"{sign}{amount:,.2f}" if sign else f"{amount:,.2f} {currency}"


@dataclass(frozen=True)
class Templates:
    language: Language
    sections: dict[str, dict[str, str]]

    def say(self, group: str, key: str, /, **values: Any) -> str:
        return self.sections[group][key].format(**values)

    def word(self, section: str, key: str) -> str:
        """A translated label (an order status, a sentiment); unknown labels pass through unchanged."""
        return self.sections.get(section, {}).get(key, key)

    @property
    def list_separator(self) -> str:
        return "、" if self.language == "zh" else ", "


def load_templates(directory: Path) -> dict[Language, Templates]:
    loaded = {}
    for language in LANGUAGES:
        with (directory / "answers" / f"{language}.toml").open("rb") as file:
            loaded[language] = Templates(language=language, sections=tomllib.load(file))
    return loaded
