"""The progress line states a search's limit in the currency the shopper named."""

from __future__ import annotations

from agent.prompts import PROMPTS_DIR
from agent.state import ToolCall
from agent.status import status_text
from agent.templates import load_templates
from tools.registry import ALL_TOOLS

TEMPLATES = load_templates(PROMPTS_DIR)
TOOLS = {tool.name: tool for tool in ALL_TOOLS}


def search(**arguments: object) -> list[ToolCall]:
    return [ToolCall(name="search_products", arguments={"query": "蓝牙音箱", **arguments})]


def test_a_limit_in_yuan_is_shown_in_yuan_and_one_without_currency_in_the_shops() -> None:
    assert "¥500.00以内" in status_text(TEMPLATES["zh"], search(max_price=500.0, currency="CNY"), TOOLS)
    assert "$500.00" not in status_text(TEMPLATES["zh"], search(max_price=500.0, currency="CNY"), TOOLS)
    assert "under $80.00" in status_text(TEMPLATES["en"], search(max_price=80.0), TOOLS)
