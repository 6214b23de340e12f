"""Finding and verifying the shopper: by the session's signed-in identity, by email, or by name and zip code.

A successful lookup returns a `VerifiedShopper`; the serving layer stores its `user_id` as the session's identity
(`verified_identity`), and every later tool reads the shopper only from the session, never from arguments.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import func, select

from commerce.tables import ShopperRow
from tools.base import Tool, ToolContext, ToolFailure


class VerifiedShopper(BaseModel):
    user_id: str = Field(description="The verified shopper's id, e.g. 'sara_doe_496'")
    verified_by: Literal["session", "email", "name_zip"]


class SessionLookup(BaseModel):
    pass


class EmailLookup(BaseModel):
    email: str = Field(description="The shopper's email, e.g. 'something@example.com'", min_length=3, max_length=256)


class NameZipLookup(BaseModel):
    first_name: str = Field(description="e.g. 'John'", min_length=1, max_length=128)
    last_name: str = Field(description="e.g. 'Doe'", min_length=1, max_length=128)
    zip: str = Field(description="e.g. '12345'", min_length=1, max_length=16)


def verified_identity(result: object) -> str | None:
    """The shopper id a tool result verified, for the serving layer to store in the session; else None."""
    return result.user_id if isinstance(result, VerifiedShopper) else None


def _verified(context: ToolContext, user_id: str | None, how: Literal["email", "name_zip"]) -> VerifiedShopper:
    if user_id is None:
        raise ToolFailure("user_not_found", "user not found")
    if context.shopper_id and context.shopper_id != user_id:
        raise ToolFailure(
            "one_shopper_per_conversation",
            "This conversation is already verified for another shopper; I can only help one shopper per conversation.",
        )
    return VerifiedShopper(user_id=user_id, verified_by=how)


def find_user_by_session(context: ToolContext, _: SessionLookup) -> VerifiedShopper:
    if not context.shopper_id:
        raise ToolFailure("not_signed_in", "The shopper is not signed in; ask for their email, or name and zip code.")
    return VerifiedShopper(user_id=context.shopper_id, verified_by="session")


def find_user_by_email(context: ToolContext, lookup: EmailLookup) -> VerifiedShopper:
    with context.db.session() as session:
        query = select(ShopperRow.id).where(func.lower(ShopperRow.email) == lookup.email.strip().lower())
        user_id = session.scalars(query.order_by(ShopperRow.created_at, ShopperRow.id)).first()
    return _verified(context, user_id, "email")


def find_user_by_name_zip(context: ToolContext, lookup: NameZipLookup) -> VerifiedShopper:
    with context.db.session() as session:
        candidates = session.scalars(
            select(ShopperRow)
            .where(func.lower(ShopperRow.first_name) == lookup.first_name.strip().lower())
            .where(func.lower(ShopperRow.last_name) == lookup.last_name.strip().lower())
            .order_by(ShopperRow.created_at, ShopperRow.id)
        ).all()
    user_id = next((row.id for row in candidates if (row.address or {}).get("zip") == lookup.zip.strip()), None)
    return _verified(context, user_id, "name_zip")


IDENTITY_TOOLS: list[Tool[Any, Any]] = [
    Tool(
        "find_user_id_by_session",
        "Return the signed-in shopper of this session, if any. Try this first; otherwise verify by email.",
        SessionLookup, find_user_by_session,
    ),
    Tool(
        "find_user_id_by_email",
        "Find and verify the shopper by email. Returns an error if no shopper has this email.",
        EmailLookup, find_user_by_email,
    ),
    Tool(
        "find_user_id_by_name_zip",
        "Find and verify the shopper by first name, last name and zip code. Use only if the shopper cannot be "
        "found by email or does not remember it.",
        NameZipLookup, find_user_by_name_zip,
    ),
]
