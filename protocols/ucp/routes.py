"""The UCP REST binding: discovery, checkout sessions, orders, catalog, and a test-only shipping simulation."""

from __future__ import annotations

import hmac
from collections.abc import Mapping

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session
from ucp_sdk.models.schemas.shopping.checkout_complete_request import CheckoutCompleteRequest

from commerce import checkout as core
from commerce.payments import MockTokenHandler, PaymentHandler
from protocols.ucp.catalog import CatalogApi
from protocols.ucp.errors import UcpError
from protocols.ucp.http import Gate, StoredResponse, ok, parse, respond
from protocols.ucp.orders import order_response, simulate_shipping
from protocols.ucp.profile import business_profile
from protocols.ucp.requests import CreateRequest, UpdateRequest, checkout_input, payment_input
from protocols.ucp.responses import checkout_body
from tools.deps import Deps


def payment_handlers(deps: Deps) -> Mapping[str, PaymentHandler]:
    handlers: list[PaymentHandler] = [MockTokenHandler()] if deps.settings.mock_payments else []
    return {handler.id: handler for handler in handlers}


def ucp_router(deps: Deps) -> APIRouter:
    settings, handlers = deps.settings, payment_handlers(deps)
    gate = Gate(deps.db, settings.ucp_max_body_bytes, settings.ucp_keyless_agents)
    router = APIRouter(tags=["ucp"])

    def checkout_response(checkout: core.Checkout, status_code: int = 200) -> StoredResponse:
        return ok(checkout_body(checkout, settings), status_code)

    @router.get("/.well-known/ucp")
    async def profile() -> JSONResponse:
        return JSONResponse(business_profile(settings), headers={"Cache-Control": "public, max-age=300"})

    @router.post("/checkout-sessions")
    async def create(request: Request) -> JSONResponse:
        def work(session: Session, agent_id: str, raw: bytes) -> StoredResponse:
            wanted = checkout_input(parse(CreateRequest, raw))
            return checkout_response(core.create_checkout(session, agent_id, settings.shop_currency, wanted), 201)

        return await respond(request, gate, work)

    @router.get("/checkout-sessions/{checkout_id}")
    async def read(checkout_id: str, request: Request) -> JSONResponse:
        return await respond(request, gate, lambda session, agent_id, _raw: checkout_response(
            core.get_checkout(session, agent_id, checkout_id)))

    @router.put("/checkout-sessions/{checkout_id}")
    async def replace(checkout_id: str, request: Request) -> JSONResponse:
        def work(session: Session, agent_id: str, raw: bytes) -> StoredResponse:
            previous = core.get_checkout(session, agent_id, checkout_id)
            wanted = checkout_input(parse(UpdateRequest, raw), previous.request)
            return checkout_response(core.update_checkout(session, agent_id, checkout_id, wanted))

        return await respond(request, gate, work)

    @router.post("/checkout-sessions/{checkout_id}/complete")
    async def complete(checkout_id: str, request: Request) -> JSONResponse:
        def work(session: Session, agent_id: str, raw: bytes) -> StoredResponse:
            payment = payment_input(parse(CheckoutCompleteRequest, raw))
            return checkout_response(core.complete_checkout(session, agent_id, checkout_id, payment, handlers))

        return await respond(request, gate, work)

    @router.post("/checkout-sessions/{checkout_id}/cancel")
    async def cancel(checkout_id: str, request: Request) -> JSONResponse:
        return await respond(request, gate, lambda session, agent_id, _raw: checkout_response(
            core.cancel_checkout(session, agent_id, checkout_id)))

    @router.get("/orders/{order_id}")
    async def order(order_id: str, request: Request) -> JSONResponse:
        return await respond(request, gate, lambda session, agent_id, _raw: ok(
            order_response(session, agent_id, order_id, settings)))

    CatalogApi(deps).mount(router, gate)
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
