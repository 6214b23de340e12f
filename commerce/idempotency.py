"""Idempotency keys: the same key and body replay the stored response; the same key with another body conflicts."""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy.orm import Session

from commerce.models import Model
from commerce.tables import IdempotencyRow


class IdempotencyConflict(Exception):
    """The key was used before with a different request body."""


class StoredResponse(Model):
    status_code: int
    body: dict[str, Any]


def body_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def stored_response(session: Session, owner: str, key: str, digest: str) -> StoredResponse | None:
    row = session.get(IdempotencyRow, (owner, key))
    if row is None:
        return None
    if row.body_hash != digest:
        raise IdempotencyConflict(key)
    return StoredResponse(status_code=row.status_code, body=row.response)


def store_response(session: Session, owner: str, key: str, digest: str, response: StoredResponse) -> None:
    session.add(IdempotencyRow(owner=owner, key=key, body_hash=digest, status_code=response.status_code,
                               response=response.body))
