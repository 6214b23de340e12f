"""Forget-me: delete every stored row about a shopper and every derived signal cached in this process."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, CursorResult, Delete, String, Table, Text, cast, delete, func, or_, select
from sqlalchemy.orm import Session

from commerce.db import Database
from commerce.tables import AuditRow, Base, ConversationRow, ShopperRow
from ranking.service import Ranker


def _rows_about(shopper_id: str) -> list[tuple[Table, ColumnElement[bool]]]:
    """Each table with the rows about the shopper, dependent tables first so deleting in order never breaks a key:
    events, profile, reviews, carts, conversations (with their messages), orders, pending actions, audit entries
    naming them, and their account."""
    owned = select(ConversationRow.id).where(ConversationRow.shopper_id == shopper_id)
    rows: list[tuple[Table, ColumnElement[bool]]] = []
    for table in reversed(Base.metadata.sorted_tables):
        clauses = []
        if "conversation_id" in table.c:
            clauses.append(table.c.conversation_id.in_(owned))
        if "shopper_id" in table.c:
            clauses.append(table.c.shopper_id == shopper_id)
        if clauses:
            rows.append((table, or_(*clauses)))
    pattern = f"%{shopper_id}%"
    rows.append((Base.metadata.tables[AuditRow.__tablename__], or_(
        AuditRow.actor == shopper_id, AuditRow.target.like(pattern),
        cast(AuditRow.before, Text).like(pattern), cast(AuditRow.after, String).like(pattern))))
    rows.append((Base.metadata.tables[ShopperRow.__tablename__], ShopperRow.id == shopper_id))
    return rows


def stored_about(session: Session, shopper_id: str) -> dict[str, int]:
    """Rows per table that forgetting the shopper would delete now (tables with none are left out)."""
    counts = {table.name: session.scalar(select(func.count()).select_from(table).where(where)) or 0
              for table, where in _rows_about(shopper_id)}
    return {table: count for table, count in counts.items() if count}


def erase_shopper(session: Session, shopper_id: str) -> dict[str, int]:
    """Delete every row about the shopper in the caller's transaction; rows deleted per table. The caller runs
    `Ranker.forget()` once it has committed."""
    deleted = {table.name: _deleted(session, delete(table).where(where)) for table, where in _rows_about(shopper_id)}
    return {table: count for table, count in deleted.items() if count}


def forget_shopper(db: Database, shopper_id: str, ranker: Ranker | None = None) -> dict[str, int]:
    """Erase the shopper (and their events the ranker has not stored yet) and drop the ranker's fitted signals.
    Returns rows deleted per table."""
    if ranker is not None:
        ranker.recorder.discard(shopper_id)
    with db.session() as session:
        deleted = erase_shopper(session, shopper_id)
    if ranker is not None:
        ranker.forget()
    return deleted


def _deleted(session: Session, statement: Delete) -> int:
    result: CursorResult[Any] = session.execute(statement)  # type: ignore[assignment]
    return result.rowcount or 0
