"""The one explicit list of tools the agent and the MCP server expose."""

from __future__ import annotations

from typing import Any

from tools.base import Tool
from tools.recommend import RECOMMEND_PRODUCTS

ALL_TOOLS: list[Tool[Any, Any]] = [RECOMMEND_PRODUCTS]


def tool_by_name(name: str) -> Tool[Any, Any] | None:
    return next((tool for tool in ALL_TOOLS if tool.name == name), None)
