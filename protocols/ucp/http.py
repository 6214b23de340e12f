"""What every UCP request shares, over REST or MCP: the UCP-Agent header, bearer agent keys, bounded bodies,
idempotent writes, and a UCP error body for every refusal."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from commerce.agents import agent_for_key
from commerce.checkout import CheckoutError
from commerce.db import Database
from commerce.idempotency import IdempotencyConflict, StoredResponse, body_hash
from protocols.common.gate import AgentQuota, Refused, quota_key, read_body, run_idempotent, within_quota
from protocols.ucp.errors import UcpError
from protocols.ucp.versions import negotiate

log = logging.getLogger(__name__)
Body = TypeVar("Body", bound=BaseModel)
MAX_KEY_CHARS = 255
PROFILE = re.compile(r'profile\s*=\s*"([^"]{1,2000})"')
Work = Callable[[Session, str], StoredResponse]


@dataclass(frozen=True)
class Call:
    """One UCP request as either binding carried it: REST headers and body, or an MCP tool call's arguments (its
    `method` and `path` are those of the REST route it shares, so idempotency keys mean the same over both)."""

    method: str
    path: str
    body: bytes
    ucp_agent: str
    authorization: str = ""
    idempotency_key: str | None = None

    @property
    def profile_url(self) -> str | None:
        """The agent's UCP profile, from `UCP-Agent: profile="https://…"` (an RFC 8941 dictionary member)."""
        found = PROFILE.search(self.ucp_agent)
        return found.group(1) if found and found.group(1).startswith(("https://", "http://")) else None

    @classmethod
    async def of(cls, request: Request, limit: int) -> Call:
        return cls(method=request.method, path=request.url.path, body=await read_body(request, limit),
                   ucp_agent=request.headers.get("ucp-agent", ""),
                   authorization=request.headers.get("authorization", ""),
                   idempotency_key=request.headers.get("idempotency-key") or None)


def require_ucp_agent(call: Call) -> None:
    if not call.ucp_agent.strip():
        raise UcpError(400, "missing_header", 'The UCP-Agent header is required, e.g. UCP-Agent: profile="https://'
                       'agent.example/.well-known/ucp"', severity="unrecoverable")


@dataclass(frozen=True)
class Gate:
    """How requests are let in: the database, the body limit, whether agents without a key may shop, and each
    agent's request quota."""

    db: Database
    limit: int
    keyless_agents: bool = False
    quota: AgentQuota | None = None


@dataclass(frozen=True)
class Caller:
    api_key: str | None = None
    keyless_owner: str | None = None  # an agent without a key is known by its UCP-Agent profile

    def agent_id(self, session: Session) -> str:
        if self.api_key is None:
            return self.keyless_owner or ""
        agent_id = agent_for_key(session, self.api_key)
        if agent_id is None:
            raise UcpError(401, "unauthorized", "Unknown agent API key", severity="unrecoverable")
        return agent_id


def caller(call: Call, gate: Gate) -> Caller:
    scheme, _, key = call.authorization.partition(" ")
    if scheme.lower() == "bearer" and key.strip():
        return Caller(api_key=key.strip())
    if gate.keyless_agents:
        profile = call.ucp_agent.strip()
        return Caller(keyless_owner=f"profile_{hashlib.sha256(profile.encode()).hexdigest()[:40]}")
    raise UcpError(401, "unauthorized", "An agent API key is required: Authorization: Bearer <key>",
                   severity="unrecoverable")


def parse(model: type[Body], raw: bytes) -> Body:
    try:
        return model.model_validate_json(raw or b"{}")
    except ValidationError as error:
        raise UcpError.of_validation(error) from None


def _run(db: Database, who: Caller | None, idempotency_key: str | None, digest: str, work: Work) -> StoredResponse:
    """No caller: an anonymous read, nothing stored."""
    if who is None:
        with db.session() as session:
            return work(session, "")
    return run_idempotent(db, who.agent_id, idempotency_key, digest, work)[0]


def _to_ucp(error: Exception) -> UcpError:
    if isinstance(error, UcpError):
        return error
    if isinstance(error, Refused):
        return UcpError.of_refusal(error)
    if isinstance(error, CheckoutError):
        return UcpError.of_checkout(error)
    if isinstance(error, IdempotencyConflict):
        return UcpError.conflict(error)
    if isinstance(error, ValidationError):  # requests are checked by parse(): this one is the shop's own fault
        log.error("a UCP response failed its own schema: %s", error)
        return UcpError(500, "internal_error", "The business could not build a valid response; the request may be "
                        "retried", severity="recoverable")
    if isinstance(error, IntegrityError):  # the same Idempotency-Key sent twice at once: one of them stored first
        return UcpError(409, "idempotency_conflict", "This Idempotency-Key is already in use", severity="recoverable")
    raise error


def _quota_key(call: Call) -> str:
    """Who a request counts against, known before the database is asked: its key (a catalog read too), else the
    agent's UCP profile."""
    scheme, _, key = call.authorization.partition(" ")
    if scheme.lower() == "bearer" and key.strip():
        return quota_key(key.strip())
    return f"profile_{body_hash(call.ucp_agent.encode())[:32]}"


async def answer(gate: Gate, call: Call, work: Callable[[Session, str, bytes], StoredResponse],
                 authenticated: bool = True) -> StoredResponse:
    """Checks, then `work(session, agent_id, body)` in a worker thread; a refusal is answered as a UCP error body."""
    try:
        require_ucp_agent(call)
        negotiate(call.ucp_agent)
        who = caller(call, gate) if authenticated else None
        if not await within_quota(gate.quota, _quota_key(call)):
            raise UcpError(429, "rate_limited", "Too many requests from this agent: wait a minute and try again",
                           severity="recoverable")
        if len(call.body) > gate.limit:
            raise UcpError(413, "payload_too_large", f"Request bodies are limited to {gate.limit} bytes")
        # Reads are idempotent by nature: a key on a GET is not stored, or a later GET would replay stale data.
        key = call.idempotency_key if call.method != "GET" else None
        if key is not None and len(key) > MAX_KEY_CHARS:
            raise UcpError(400, "invalid_request", f"Idempotency-Key is limited to {MAX_KEY_CHARS} characters")
        digest = body_hash(f"{call.method} {call.path}\n".encode() + call.body)
        return await asyncio.to_thread(_run, gate.db, who, key, digest,
                                       lambda session, agent_id: work(session, agent_id, call.body))
    except Exception as error:  # _to_ucp re-raises what is not a refusal
        refusal = _to_ucp(error)
        return StoredResponse(status_code=refusal.status_code, body=refusal.body())


async def respond(request: Request, gate: Gate, work: Callable[[Session, str, bytes], StoredResponse],
                  authenticated: bool = True) -> JSONResponse:
    try:
        call = await Call.of(request, gate.limit)
    except Refused as refused:
        return UcpError.of_refusal(refused).response()
    response = await answer(gate, call, work, authenticated)
    return JSONResponse(response.body, status_code=response.status_code)


def ok(body: dict[str, Any], status_code: int = 200) -> StoredResponse:
    return StoredResponse(status_code=status_code, body=body)
