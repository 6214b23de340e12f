"""What every ACP route shares: API-Version, bearer agent keys, Idempotency-Key on every POST (replays flagged with
Idempotent-Replayed), bounded bodies, and an ACP error body for every refusal."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from commerce.agents import agent_for_key
from commerce.checkout import CheckoutError
from commerce.db import Database
from commerce.idempotency import IdempotencyConflict, StoredResponse, body_hash
from protocols.acp.errors import AcpError
from protocols.acp.models import VERSION
from protocols.common.gate import AgentQuota, Refused, quota_key, read_body, run_idempotent, within_quota

log = logging.getLogger(__name__)
Body = TypeVar("Body", bound=BaseModel)
MAX_KEY_CHARS = 255
Work = Callable[[Session, str, bytes], StoredResponse]


@dataclass(frozen=True)
class Gate:
    db: Database
    limit: int
    quota: AgentQuota | None = None  # shared with UCP: one key, one quota


@dataclass(frozen=True)
class Call:
    """One request's checked headers."""

    api_key: str
    idempotency_key: str | None
    language: str


def _checked(request: Request) -> Call:
    version = request.headers.get("api-version", "").strip()
    if not version:
        raise AcpError(400, "missing", f"The API-Version header is required, e.g. API-Version: {VERSION}",
                       param="API-Version")
    if version != VERSION:
        raise AcpError(400, "unsupported_api_version", f"API-Version {version} is not supported; use {VERSION}",
                       param="API-Version")
    scheme, _, key = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise AcpError(401, "unauthorized", "An agent API key is required: Authorization: Bearer <key>")
    idempotency_key = request.headers.get("idempotency-key") or None
    if request.method == "POST" and idempotency_key is None:
        raise AcpError(400, "idempotency_key_required", "Idempotency-Key header is required", param="Idempotency-Key")
    if idempotency_key is not None and len(idempotency_key) > MAX_KEY_CHARS:
        raise AcpError(400, "invalid", f"Idempotency-Key is limited to {MAX_KEY_CHARS} characters",
                       param="Idempotency-Key")
    language = "zh" if request.headers.get("accept-language", "").lower().startswith("zh") else "en"
    return Call(key.strip(), idempotency_key if request.method == "POST" else None, language)


def parse(model: type[Body], raw: bytes) -> Body:
    try:
        return model.model_validate_json(raw or b"{}")
    except ValidationError as error:
        raise AcpError.of_validation(error) from None


def _agent(call: Call) -> Callable[[Session], str]:
    def authenticate(session: Session) -> str:
        agent_id = agent_for_key(session, call.api_key)
        if agent_id is None:
            raise AcpError(401, "unauthorized", "Unknown agent API key")
        return agent_id

    return authenticate


def _to_acp(error: Exception) -> AcpError:
    if isinstance(error, AcpError):
        return error
    if isinstance(error, Refused):  # the shared bounded body reader
        return AcpError(error.status_code, error.code, error.message)
    if isinstance(error, CheckoutError):
        return AcpError.of_checkout(error)
    if isinstance(error, IdempotencyConflict):
        return AcpError(422, "idempotency_conflict", "Idempotency-Key has already been used with a different "
                        "request body", param="Idempotency-Key")
    if isinstance(error, ValidationError):  # requests are checked by parse(): this one is the shop's own fault
        log.error("an ACP response failed its own schema: %s", error)
        return AcpError(500, "processing_error", "The seller could not build a valid response; the request may be "
                        "retried")
    if isinstance(error, IntegrityError):  # the same key sent twice at once: the other one stored its response first
        return AcpError(409, "idempotency_in_flight", "A request with this Idempotency-Key is being processed",
                        param="Idempotency-Key", headers={"Retry-After": "1"})
    raise error


async def respond(request: Request, gate: Gate, work: Callable[[Session, str, bytes, str], StoredResponse]
                  ) -> JSONResponse:
    """Checks, then `work(session, agent_id, body, language)` in a worker thread; the request's Idempotency-Key and
    Request-Id are echoed."""
    echo = {name: request.headers[name] for name in ("Idempotency-Key", "Request-Id") if name in request.headers}
    try:
        call = _checked(request)
        if not await within_quota(gate.quota, quota_key(call.api_key)):
            raise AcpError(429, "rate_limited", "Too many requests from this agent: wait a minute and try again",
                           headers={"Retry-After": "60"})
        raw = await read_body(request, gate.limit)
        digest = body_hash(f"{request.method} {request.url.path}\n".encode() + raw)
        response, replayed = await asyncio.to_thread(
            run_idempotent, gate.db, _agent(call), call.idempotency_key, digest,
            lambda session, agent_id: work(session, agent_id, raw, call.language))
    except Exception as error:  # _to_acp re-raises what is not a refusal
        refusal = _to_acp(error)
        refusal.headers = {**echo, **refusal.headers}
        return refusal.response()
    headers = {**echo, **({"Idempotent-Replayed": "true"} if replayed else {})}
    return JSONResponse(response.body, status_code=response.status_code, headers=headers)
