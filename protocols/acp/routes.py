"""The ACP checkout_sessions REST binding: create, retrieve, update, complete and cancel over the checkout core."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from commerce import checkout as core
from commerce.checkout_models import PaymentInput
from commerce.idempotency import StoredResponse
from commerce.order_events import queue_order_event
from protocols.acp.errors import AcpError
from protocols.acp.http import Gate, parse, respond
from protocols.acp.models import CancelRequest, CompleteRequest, CreateRequest, UpdateRequest
from protocols.acp.sessions import checkout_input, session_body
from protocols.common.gate import AgentQuota
from protocols.common.payments import payment_handlers
from tools.deps import Deps


def acp_router(deps: Deps, quota: AgentQuota | None = None) -> APIRouter:
    settings = deps.settings
    handlers = payment_handlers(settings)
    gate = Gate(deps.db, settings.ucp_max_body_bytes, quota)
    router = APIRouter(prefix="/checkout_sessions", tags=["acp"])
    review_above = settings.agent_review_above_minor

    def answer(checkout: core.Checkout, language: str, status_code: int = 200) -> StoredResponse:
        return StoredResponse(status_code=status_code, body=session_body(checkout, settings, language))

    @router.post("")
    async def create(request: Request) -> JSONResponse:
        def work(session: Session, agent_id: str, raw: bytes, language: str) -> StoredResponse:
            wanted = parse(CreateRequest, raw)
            if wanted.currency.upper() != settings.shop_currency:
                raise AcpError(400, "unsupported_currency", f"This shop sells in {settings.shop_currency.lower()}",
                               param="$.currency")
            checkout = core.create_checkout(session, agent_id, settings.shop_currency, checkout_input(wanted),
                                            review_above=review_above)
            return answer(checkout, language, 201)

        return await respond(request, gate, work)

    @router.get("/{checkout_id}")
    async def read(checkout_id: str, request: Request) -> JSONResponse:
        return await respond(request, gate, lambda session, agent_id, _raw, language: answer(
            core.get_checkout(session, agent_id, checkout_id), language))

    @router.post("/{checkout_id}")
    async def update(checkout_id: str, request: Request) -> JSONResponse:
        def work(session: Session, agent_id: str, raw: bytes, language: str) -> StoredResponse:
            previous = core.get_checkout(session, agent_id, checkout_id)
            wanted = checkout_input(parse(UpdateRequest, raw), previous.request)
            return answer(core.update_checkout(session, agent_id, checkout_id, wanted, review_above=review_above),
                          language)

        return await respond(request, gate, work)

    @router.post("/{checkout_id}/complete")
    async def complete(checkout_id: str, request: Request) -> JSONResponse:
        def work(session: Session, agent_id: str, raw: bytes, language: str) -> StoredResponse:
            wanted = parse(CompleteRequest, raw)
            if wanted.buyer is not None:  # the buyer may come with the payment: set it first, in this transaction
                previous = core.get_checkout(session, agent_id, checkout_id)
                core.update_checkout(session, agent_id, checkout_id, checkout_input(wanted, previous.request),
                                     review_above=review_above)
            payment = PaymentInput(handler_id=wanted.payment_data.handler_id,
                                   token=wanted.payment_data.instrument.credential.token)
            done = core.complete_checkout(session, agent_id, checkout_id, payment, handlers, review_above=review_above)
            if done.order_id:
                queue_order_event(session, agent_id, done.order_id, "created", protocol="acp")
            return answer(done, language)

        return await respond(request, gate, work)

    @router.post("/{checkout_id}/cancel")
    async def cancel(checkout_id: str, request: Request) -> JSONResponse:
        def work(session: Session, agent_id: str, raw: bytes, language: str) -> StoredResponse:
            parse(CancelRequest, raw)
            return answer(core.cancel_checkout(session, agent_id, checkout_id), language)

        return await respond(request, gate, work)

    return router
