"""Letting an agent's request in, for either protocol: a bounded body, its quota, and an idempotent run of the work
in one transaction (authenticate, replay a stored response or do the work and store it)."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable

from fastapi import Request
from sqlalchemy.orm import Session

from commerce.db import Database
from commerce.idempotency import StoredResponse, store_response, stored_response

# Counts one request of the agent known by this key; False when it is over its quota (the shop's rate limiter).
AgentQuota = Callable[[str], Awaitable[bool]]


class Refused(Exception):
    """A refusal before any protocol work: each adapter answers it in its own error shape."""

    def __init__(self, status_code: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status_code, self.code, self.message = status_code, code, message


async def within_quota(quota: AgentQuota | None, who: str) -> bool:
    return quota is None or await quota(who)


def quota_key(api_key: str) -> str:
    """One quota per agent key, whichever protocol it speaks."""
    return f"key_{hashlib.sha256(api_key.encode()).hexdigest()[:32]}"


async def read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise Refused(413, "payload_too_large", f"Request bodies are limited to {limit} bytes")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise Refused(413, "payload_too_large", f"Request bodies are limited to {limit} bytes")
    return body


def run_idempotent(db: Database, authenticate: Callable[[Session], str], idempotency_key: str | None, digest: str,
                   work: Callable[[Session, str], StoredResponse]) -> tuple[StoredResponse, bool]:
    """Authenticate, then replay the response stored under the agent's key or do the work and store its response:
    one transaction. True when replayed."""
    with db.session() as session:
        agent_id = authenticate(session)
        if idempotency_key:
            stored = stored_response(session, agent_id, idempotency_key, digest)
            if stored is not None:
                return stored, True
        response = work(session, agent_id)
        if idempotency_key:
            store_response(session, agent_id, idempotency_key, digest, response)
        return response, False
