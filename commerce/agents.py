"""Shopping agents' API keys: issued once, stored as a SHA-256 hash, looked up by the hash."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from commerce.models import Model
from commerce.tables import AgentRow, ShopperRow


class IssuedKey(Model):
    agent_id: str
    name: str
    api_key: str


def key_hash(api_key: str) -> str:
    return hashlib.sha256(api_key.encode()).hexdigest()


class UnknownShopper(ValueError):
    """The shopper a key was to act for does not exist."""


def issue_agent_key(session: Session, name: str, shopper_id: str | None = None) -> IssuedKey:
    """`shopper_id`: the one shopper this key acts for (a linked identity, e.g. their own assistant): their saved
    addresses are offered to it at checkout."""
    if shopper_id is not None and session.get(ShopperRow, shopper_id) is None:
        raise UnknownShopper(shopper_id)
    agent_id = f"agent_{secrets.token_hex(6)}"
    api_key = f"sa_{secrets.token_urlsafe(32)}"
    session.add(AgentRow(id=agent_id, name=name, key_hash=key_hash(api_key), shopper_id=shopper_id))
    return IssuedKey(agent_id=agent_id, name=name, api_key=api_key)


def agent_for_key(session: Session, api_key: str) -> str | None:
    return session.scalar(select(AgentRow.id).where(AgentRow.key_hash == key_hash(api_key)))
