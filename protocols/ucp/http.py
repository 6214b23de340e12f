"""What every UCP request shares, over REST or MCP: the UCP-Agent header, bearer agent keys, bounded bodies,
idempotent writes, and a UCP error body for every refusal."""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections.abc import Awaitable, Callable
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
from commerce.idempotency import IdempotencyConflict, StoredResponse, body_hash, store_response, stored_response
from protocols.ucp.errors import UcpError

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


# Counts one request of the agent known by this key; False when it is over its quota (the shop's rate limiter).
AgentQuota = Callable[[str], Awaitable[bool]]


async def within_quota(quota: AgentQuota | None, who: str) -> bool:
    return quota is None or await quota(who)


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


def quota_key(api_key: str) -> str:
    return f"key_{hashlib.sha256(api_key.encode()).hexdigest()[:32]}"


def caller(call: Call, gate: Gate) -> Caller:
    scheme, _, key = call.authorization.partition(" ")
    if scheme.lower() == "bearer" and key.strip():
        return Caller(api_key=key.strip())
    if gate.keyless_agents:
        profile = call.ucp_agent.strip()
        return Caller(keyless_owner=f"profile_{hashlib.sha256(profile.encode()).hexdigest()[:40]}")
    raise UcpError(401, "unauthorized", "An agent API key is required: Authorization: Bearer <key>",
                   severity="unrecoverable")


async def read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise UcpError(413, "payload_too_large", f"Request bodies are limited to {limit} bytes")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise UcpError(413, "payload_too_large", f"Request bodies are limited to {limit} bytes")
    return body


def parse(model: type[Body], raw: bytes) -> Body:
    try:
        return model.model_validate_json(raw or b"{}")
    except ValidationError as error:
        raise UcpError.of_validation(error) from None


def _run(db: Database, who: Caller | None, idempotency_key: str | None, digest: str, work: Work) -> StoredResponse:
    """Authenticate, replay or do the work, and store its response: one transaction. No caller: an anonymous read."""
    with db.session() as session:
        if who is None:
            return work(session, "")
        agent_id = who.agent_id(session)
        if idempotency_key:
            stored = stored_response(session, agent_id, idempotency_key, digest)
            if stored is not None:
                return stored
        response = work(session, agent_id)
        if idempotency_key:
            store_response(session, agent_id, idempotency_key, digest, response)
        return response


def _to_ucp(error: Exception) -> UcpError:
    if isinstance(error, UcpError):
        return error
    if isinstance(error, CheckoutError):
        return UcpError.of_checkout(error)
    if isinstance(error, IdempotencyConflict):
        return UcpError.conflict(error)
    if isinstance(error, ValidationError):
        return UcpError.of_validation(error)
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
    except UcpError as error:
        return error.response()
    response = await answer(gate, call, work, authenticated)
    return JSONResponse(response.body, status_code=response.status_code)


def ok(body: dict[str, Any], status_code: int = 200) -> StoredResponse:
    return StoredResponse(status_code=status_code, body=body)
