"""The UCP REST binding: discovery, every shared operation as a route, and a test-only shipping simulation."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from protocols.common.gate import AgentQuota, Refused
from protocols.ucp.errors import UcpError
from protocols.ucp.handlers import Operation, operations
from protocols.ucp.http import Call, Gate, answer, ok, respond
from protocols.ucp.orders import simulate_shipping
from protocols.ucp.profile import business_profile
from tools.deps import Deps


def gate_of(deps: Deps, quota: AgentQuota | None = None) -> Gate:
    settings = deps.settings
    return Gate(deps.db, settings.ucp_max_body_bytes, settings.ucp_keyless_agents, quota)


def _route(router: APIRouter, gate: Gate, operation: Operation) -> None:
    async def endpoint(request: Request) -> JSONResponse:
        resource_id = request.path_params.get("id", "")
        try:
            call = await Call.of(request, gate.limit)
        except Refused as refused:
            return UcpError.of_refusal(refused).response()
        answered = await answer(gate, call, lambda session, agent_id, _raw: operation.work(
            session, agent_id, resource_id, call), authenticated=operation.authenticated)
        return JSONResponse(answered.body, status_code=answered.status_code)

    router.add_api_route(operation.path, endpoint, methods=[operation.method], name=operation.tool)


def ucp_router(deps: Deps, quota: AgentQuota | None = None) -> APIRouter:
    settings, gate = deps.settings, gate_of(deps, quota)
    router = APIRouter(tags=["ucp"])

    @router.get("/.well-known/ucp")
    async def profile() -> JSONResponse:
        return JSONResponse(business_profile(settings), headers={"Cache-Control": "public, max-age=300"})

    for operation in operations(deps):
        _route(router, gate, operation)

    secret = settings.ucp_simulation_secret
    if secret is not None:
        @router.post("/testing/simulate-shipping/{order_id}", include_in_schema=False)
        async def simulate(order_id: str, request: Request) -> JSONResponse:
            given = request.headers.get("simulation-secret", "")
            if not hmac.compare_digest(given.encode(), secret.get_secret_value().encode()):
                return UcpError(403, "forbidden", "A valid Simulation-Secret header is required",
                                severity="unrecoverable").response()
            return await respond(request, gate, lambda session, agent_id, _raw: ok(
                simulate_shipping(session, agent_id, order_id, settings)))

    return router
