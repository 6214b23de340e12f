"""The widget and the demo pages: no emoji (they render as empty boxes without an emoji font); icons are SVG."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parents[2] / "serving" / "static"
# Emoji blocks, dingbats and misc symbols (✕ ✓ ⛺ …), the variation selector and joiner that make emoji sequences.
EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\u2300-\u23FF\uFE0F\u200D]")


@pytest.mark.parametrize("name", ["widget.js", "demo.html", "console.html"])
def test_no_emoji_code_points(name: str) -> None:
    found = [(number, char) for number, line in enumerate((STATIC / name).read_text(encoding="utf-8").splitlines(), 1)
             for char in EMOJI.findall(line)]
    assert found == []


def test_the_pattern_catches_the_icons_it_replaced() -> None:
    assert EMOJI.findall("💬 ✕ 🛍 👍 👎 ⛺ ✔️") == ["💬", "✕", "🛍", "👍", "👎", "⛺", "✔", "\ufe0f"]
    assert EMOJI.findall("Ask about products, orders, returns… › · — 购物助手") == []
