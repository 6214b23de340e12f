"""Forget-me: delete every stored row about a shopper and every derived signal cached in this process."""

from __future__ import annotations

from sqlalchemy import String, Text, cast, delete, or_, select

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
                result = session.execute(delete(table).where(table.c.conversation_id.in_(conversations)))
                deleted[table.name] = deleted.get(table.name, 0) + (result.rowcount or 0)
        for table in reversed(Base.metadata.sorted_tables):
            if "shopper_id" in table.c:
                result = session.execute(delete(table).where(table.c.shopper_id == shopper_id))
                deleted[table.name] = deleted.get(table.name, 0) + (result.rowcount or 0)
        pattern = f"%{shopper_id}%"
        audit = session.execute(delete(AuditRow).where(or_(
            AuditRow.actor == shopper_id, AuditRow.target.like(pattern),
            cast(AuditRow.before, Text).like(pattern), cast(AuditRow.after, String).like(pattern))))
        deleted["audit_log"] = audit.rowcount or 0
        deleted["shoppers"] = session.execute(delete(ShopperRow).where(ShopperRow.id == shopper_id)).rowcount or 0
    forget_everywhere()
    return {table: count for table, count in deleted.items() if count}
