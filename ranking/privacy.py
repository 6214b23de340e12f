"""Forget-me: delete every stored row about a shopper and every derived signal cached in this process."""

from __future__ import annotations

from typing import Any

from sqlalchemy import CursorResult, Delete, String, Text, cast, delete, or_, select
from sqlalchemy.orm import Session

from commerce.db import Database
from commerce.tables import AuditRow, Base, ConversationRow, ShopperRow
from ranking.service import forget_everywhere


def forget_shopper(db: Database, shopper_id: str) -> dict[str, int]:
    """Erase the shopper: events, profile, reviews, carts, conversations (with their messages), orders, account,
    audit entries naming them; then drop fitted signals. Returns rows deleted per table."""
    deleted: dict[str, int] = {}
    with db.session() as session:
        owned = select(ConversationRow.id).where(ConversationRow.shopper_id == shopper_id)
        conversations = list(session.scalars(owned))
        for table in reversed(Base.metadata.sorted_tables):
            if "conversation_id" in table.c and conversations:
                count = _deleted(session, delete(table).where(table.c.conversation_id.in_(conversations)))
                deleted[table.name] = deleted.get(table.name, 0) + count
        for table in reversed(Base.metadata.sorted_tables):
            if "shopper_id" in table.c:
                count = _deleted(session, delete(table).where(table.c.shopper_id == shopper_id))
                deleted[table.name] = deleted.get(table.name, 0) + count
        pattern = f"%{shopper_id}%"
        deleted["audit_log"] = _deleted(session, delete(AuditRow).where(or_(
            AuditRow.actor == shopper_id, AuditRow.target.like(pattern),
            cast(AuditRow.before, Text).like(pattern), cast(AuditRow.after, String).like(pattern))))
        deleted["shoppers"] = _deleted(session, delete(ShopperRow).where(ShopperRow.id == shopper_id))
    forget_everywhere()
    return {table: count for table, count in deleted.items() if count}


def _deleted(session: Session, statement: Delete) -> int:
    result: CursorResult[Any] = session.execute(statement)  # type: ignore[assignment]
    return result.rowcount or 0
