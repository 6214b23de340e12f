"""The one explicit list of tools the agent and the MCP server expose."""

from __future__ import annotations

from typing import Any

from tools.base import Tool

ALL_TOOLS: list[Tool[Any, Any]] = []


def tool_by_name(name: str) -> Tool[Any, Any] | None:
    return next((tool for tool in ALL_TOOLS if tool.name == name), None)
