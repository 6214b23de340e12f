"""The shop's tools over MCP (streamable HTTP at /mcp): same tools, same identity rule (a shop-signed token), and
the UCP tools after them (tested in tests/protocols/test_mcp_ucp.py)."""

from __future__ import annotations

import json
from typing import Any

import anyio
import httpx2
from mcp.client.session import ClientSession
from mcp.client.streamable_http import streamable_http_client

from commerce.db import Database
from serving.app import create_app
from serving.identity import issue_token
from shopassist.settings import Settings, load_settings
from tests.serving.fakes import ScriptedRunner
from tests.serving.live import live_server
from tools.registry import ALL_TOOLS

UCP_TOOLS = ["search_catalog", "lookup_catalog", "get_product", "create_cart", "get_cart", "update_cart", "cancel_cart",
             "create_checkout", "get_checkout", "update_checkout", "complete_checkout", "cancel_checkout", "get_order"]


async def _session_calls(url: str, token: str | None, calls: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx2.AsyncClient(headers=headers, timeout=30) as http, \
            streamable_http_client(url, http_client=http) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        listed = await session.list_tools()
        results = []
        for name, arguments in calls:
            result = await session.call_tool(name, arguments)
            results.append((result.is_error, json.loads(result.content[0].text)))
        return {"tools": [tool.name for tool in listed.tools], "results": results}


def test_tools_over_mcp_follow_the_identity_rule(serving_settings: Settings, database: Database) -> None:
    app = create_app(serving_settings, database, ScriptedRunner())
    calls = [("calculate", {"expression": "2 * (3 + 4)"}), ("find_user_id_by_session", {})]
    forged = issue_token(load_settings(env="test", secret="not-the-shops-secret"), "alice")
    with live_server(app) as base:
        anonymous = anyio.run(_session_calls, f"{base}/mcp/", None, calls)
        signed = anyio.run(_session_calls, f"{base}/mcp/", issue_token(serving_settings, "alice"), calls[1:])
        bad = anyio.run(_session_calls, f"{base}/mcp/", forged, calls[1:])
    assert anonymous["tools"] == [tool.name for tool in ALL_TOOLS] + UCP_TOOLS
    (calc_error, calc), (who_error, who) = anonymous["results"]
    assert not calc_error and "14" in json.dumps(calc)
    assert who_error
    assert signed["results"][0][0] is False and "alice" in json.dumps(signed["results"][0][1])
    assert bad["results"][0] == (True, {"code": "token_invalid", "error": "The shopper token is not valid."})
