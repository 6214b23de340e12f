"""The shop's tools over MCP (streamable HTTP at /mcp): the shopper tools, with the same identity rule as chat (a
shop-signed token), and the UCP tools (search_catalog … get_order) for shopping agents, with their agent key."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import mcp_types as types
from mcp.server.lowlevel import Server
from mcp.server.streamable_http_manager import StreamableHTTPASGIApp, StreamableHTTPSessionManager

from protocols.ucp.http import AgentQuota
from protocols.ucp.mcp import UcpTools
from serving.identity import IdentityError, shopper_from_token
from tools.base import ToolContext, ToolError
from tools.deps import Deps
from tools.registry import ALL_TOOLS, tool_by_name


def _bearer(request: Any) -> str | None:
    headers = getattr(request, "headers", None) or {}
    value = headers.get("authorization") or headers.get("Authorization") or ""
    return value.removeprefix("Bearer ").strip() or None if value.startswith("Bearer ") else None


def _result(payload: dict[str, Any], is_error: bool = False) -> types.CallToolResult:
    return types.CallToolResult(content=[types.TextContent(text=json.dumps(payload, ensure_ascii=False))],
                                structured_content=payload, is_error=is_error)


class _AnswersJson:
    """An MCP client that sends no Accept (or only */*) is answered in JSON rather than refused with a 406."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            accept = b", ".join(value for name, value in scope["headers"] if name == b"accept")
            if b"application/json" not in accept:
                others = [(name, value) for name, value in scope["headers"] if name != b"accept"]
                scope = {**scope, "headers": [*others, (b"accept", b"application/json, text/event-stream")]}
        await self.app(scope, receive, send)


class McpEndpoint:
    """Lists ALL_TOOLS; a call runs the plain tool function with the shopper from the bearer token (or none).

    Write tools only *propose* actions here too: confirming stays with the shopper in the chat UI.
    """

    def __init__(self, deps: Deps, quota: AgentQuota | None = None) -> None:
        # One Deps for every call: the search index and the ranker are built once, not per request.
        self.deps, self.settings = deps, deps.settings
        self.ucp = UcpTools(deps, quota)
        self.server: Server[Any] = Server("shopassist", version="1", instructions=(
            "Tools of one online shop: product search, recommendations, policies, orders and cart. Send the "
            "shop-signed shopper token as 'Authorization: Bearer <token>' to use order and cart tools. Shopping "
            "agents use the UCP tools (search_catalog, create_cart, create_checkout, complete_checkout, get_order, "
            "...) with their agent API key as the bearer token and meta.ucp-agent.profile in the arguments."),
            on_list_tools=self._list_tools, on_call_tool=self._call_tool)
        self.manager = StreamableHTTPSessionManager(app=self.server, stateless=True, json_response=True,
                                                    max_request_body_size=max(self.settings.max_frame_bytes, 65_536))
        self.asgi_app = _AnswersJson(StreamableHTTPASGIApp(self.manager))

    @asynccontextmanager
    async def run(self) -> AsyncIterator[None]:
        async with self.manager.run():
            yield

    async def _list_tools(self, _ctx: Any, _params: Any) -> types.ListToolsResult:
        return types.ListToolsResult(tools=[
            types.Tool(name=tool.name, description=tool.description, input_schema=tool.input_model.model_json_schema())
            for tool in ALL_TOOLS
        ] + [types.Tool(name=name, description=operation.description, input_schema=self.ucp.input_schema(operation))
             for name, operation in self.ucp.by_name.items()])

    async def _call_tool(self, ctx: Any, params: types.CallToolRequestParams) -> types.CallToolResult:
        operation = self.ucp.by_name.get(params.name)
        if operation is not None:
            headers = getattr(ctx.request, "headers", None) or {}
            answered = await self.ucp.run(operation, dict(params.arguments or {}), headers)
            return _result(answered.body, is_error=answered.status_code >= 400)
        tool = tool_by_name(params.name)
        if tool is None:
            return _result({"code": "unknown_tool", "error": f"no tool named {params.name!r}"}, is_error=True)
        try:
            shopper_id = shopper_from_token(self.settings, _bearer(ctx.request))
        except IdentityError as error:
            return _result({"code": error.code, "error": error.message}, is_error=True)
        context = ToolContext(self.deps, shopper_id=shopper_id)
        output = await asyncio.to_thread(tool.run, context, dict(params.arguments or {}))
        return _result(output.model_dump(mode="json"), is_error=isinstance(output, ToolError))
