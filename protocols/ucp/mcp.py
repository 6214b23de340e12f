"""The UCP MCP binding: each shared operation as a tool (the spec's names), its arguments made into the same Call
the REST route would get, and its answer (a UCP body, or a UCP error body) as the tool result.

Arguments: `meta` ({"ucp-agent": {"profile": URL}, "idempotency-key": KEY}; `_meta.ucp.profile` and a top-level
`idempotency_key` are read too), `id` for a resource's operations, and the body under the operation's payload name
('checkout', 'cart', 'catalog') or, without it, as the other top-level arguments. The agent key comes from the MCP
HTTP request's Authorization header, as over REST.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from protocols.common.gate import AgentQuota
from protocols.ucp.handlers import Operation, operations
from protocols.ucp.http import Call, Gate, StoredResponse, answer
from protocols.ucp.routes import gate_of
from tools.deps import Deps

RESERVED = frozenset({"meta", "_meta", "id", "idempotency_key"})
META_SCHEMA = {"type": "object", "description": "UCP request metadata", "properties": {
    "ucp-agent": {"type": "object", "properties": {"profile": {"type": "string", "format": "uri"}},
                  "required": ["profile"]},
    "idempotency-key": {"type": "string", "maxLength": 255}}, "required": ["ucp-agent"]}


def _meta(arguments: Mapping[str, Any]) -> dict[str, Any]:
    meta = arguments.get("meta")
    return meta if isinstance(meta, dict) else {}


def ucp_agent_header(arguments: Mapping[str, Any], header: str) -> str:
    meta = _meta(arguments)
    agent = meta.get("ucp-agent")
    legacy = (arguments.get("_meta") or {}).get("ucp") if isinstance(arguments.get("_meta"), dict) else None
    profile = (agent or {}).get("profile") if isinstance(agent, dict) else None
    profile = profile or ((legacy or {}).get("profile") if isinstance(legacy, dict) else None)
    version = (agent or {}).get("version") if isinstance(agent, dict) else None
    declared = f'; version="{version}"' if isinstance(version, str) else ""
    return f'profile="{profile}"{declared}' if isinstance(profile, str) and profile.strip() else header


def _idempotency_key(arguments: Mapping[str, Any]) -> str | None:
    meta = _meta(arguments)
    key = meta.get("idempotency-key") or arguments.get("idempotency_key")
    return str(key) if key else None


class UcpTools:
    def __init__(self, deps: Deps, quota: AgentQuota | None = None) -> None:
        self.gate: Gate = gate_of(deps, quota)
        self.by_name: dict[str, Operation] = {operation.tool: operation for operation in operations(deps)}

    def input_schema(self, operation: Operation) -> dict[str, Any]:
        properties: dict[str, Any] = {"meta": META_SCHEMA}
        required = ["meta"]
        if "{id}" in operation.path:
            properties["id"] = {"type": "string", "description": "The resource's id"}
            required.append("id")
        if operation.payload is not None:
            properties[operation.payload] = (operation.body.model_json_schema() if operation.body is not None
                                             else {"type": "object"})
            required.append(operation.payload)
        return {"type": "object", "properties": properties, "required": required}

    def call(self, operation: Operation, arguments: Mapping[str, Any], headers: Mapping[str, str]) -> Call:
        resource_id = str(arguments.get("id") or "")
        if operation.payload is None:
            body: Any = None
        elif operation.payload in arguments:
            body = arguments[operation.payload]
        else:
            body = {name: value for name, value in arguments.items() if name not in RESERVED}
        return Call(method=operation.method, path=operation.path.replace("{id}", resource_id),
                    body=json.dumps(body).encode() if body is not None else b"",
                    ucp_agent=ucp_agent_header(arguments, headers.get("ucp-agent", "")),
                    authorization=headers.get("authorization", ""), idempotency_key=_idempotency_key(arguments))

    async def run(self, operation: Operation, arguments: Mapping[str, Any],
                  headers: Mapping[str, str]) -> StoredResponse:
        resource_id, call = str(arguments.get("id") or ""), self.call(operation, arguments, headers)
        return await answer(self.gate, call,
                            lambda session, agent_id, _raw: operation.work(session, agent_id, resource_id, call),
                            authenticated=operation.authenticated)
