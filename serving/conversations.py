"""Conversation storage: open/resume sessions, store messages with dedupe, turns, feedback and handoff state."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, IntegrityError

from agent.events import Citation, ProductCard
from agent.state import HistoryMessage
from agent.transcript import LoggedTurn
from agent.turn_facts import searched_words
from commerce.db import Database
from commerce.tables import ConversationRow, FeedbackRow, MessageRow
from serving import leases
from serving.protocol import ConversationState, HistoryItem

T = TypeVar("T")
_EXECUTORS: dict[str, ThreadPoolExecutor] = {}
# A Postgres restart breaks pooled connections: the transaction rolled back, so the call is retried (~8 s in all).
RECONNECT_PAUSES_S = (0.2, 0.5, 1.0, 2.0, 4.0)


async def in_db_thread(db: Database, function: Callable[..., T], *args: Any) -> T:
    """`function(db, *args)` off the event loop. SQLite gets one thread: it has one writer anyway, and
    threads contending for its lock sleep in its busy handler (measured: turns queued for seconds under load).
    Postgres gets four: more only contend for the GIL with the event loop (bench serve at ~35 turns/s, two
    replicas: added p95 119-256 ms with 4 threads, 213-356 ms with 16)."""
    executor = _EXECUTORS.get(db.url)
    if executor is None:
        workers = 1 if db.url.startswith("sqlite") else 4
        executor = _EXECUTORS.setdefault(db.url, ThreadPoolExecutor(workers, thread_name_prefix="shopassist-db"))
    for pause in (*RECONNECT_PAUSES_S, None):
        try:
            return await asyncio.get_running_loop().run_in_executor(executor, function, db, *args)
        except DBAPIError as error:
            if pause is None or not error.connection_invalidated and not _server_gone(error):
                raise
            await asyncio.sleep(pause)
    raise AssertionError("unreachable")


def _server_gone(error: DBAPIError) -> bool:
    """Postgres refusing connections while it restarts (OperationalError on connect)."""
    return type(error.orig).__name__ in {"OperationalError", "AdminShutdown", "ConnectionFailure"}


class ConversationError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Conversation:
    id: str
    shopper_id: str | None
    state: ConversationState
    language: str
    resumed: bool


@dataclass(frozen=True)
class StoredMessage:
    """A stored shopper message with, read in the same transaction, what its turn needs."""

    id: int
    duplicate: bool
    conversation: Conversation
    earlier: list[HistoryItem] = field(default_factory=list)
    reply: HistoryItem | None = None
    taken_over: bool = False  # a resend whose turn's replica died: this replica runs the turn now
    running: bool = False  # a resend whose turn still runs (live lease) somewhere


def _conversation(row: ConversationRow, resumed: bool) -> Conversation:
    return Conversation(row.id, row.shopper_id, row.state, row.language, resumed)  # type: ignore[arg-type]


def open_conversation(db: Database, session_id: str | None, shopper_id: str | None,
                      language: str | None) -> Conversation:
    """Resume `session_id` when it exists and belongs to this shopper (or to nobody yet); else start a new one.

    A shopper verified in the chat resumes with the session id alone; a token must name the same shopper."""
    with db.session() as session:
        row = session.get(ConversationRow, session_id) if session_id else None
        if row is not None:
            anonymous_resume_of_chat_identity = row.verified_in_chat and shopper_id is None
            if row.shopper_id is not None and row.shopper_id != shopper_id and not anonymous_resume_of_chat_identity:
                raise ConversationError("session_forbidden", "This conversation belongs to another shopper.")
            if row.shopper_id is None and shopper_id is not None:
                row.shopper_id = shopper_id
            return _conversation(row, resumed=True)
        row = ConversationRow(id=secrets.token_urlsafe(16), shopper_id=shopper_id, state="bot",
                              language=language or "en")
        session.add(row)
        session.flush()
        return _conversation(row, resumed=False)


def get_conversation(db: Database, conversation_id: str) -> Conversation | None:
    with db.session() as session:
        row = session.get(ConversationRow, conversation_id)
        return _conversation(row, resumed=True) if row else None


def _current(session: Any, conversation_id: str) -> Conversation:
    row = session.get(ConversationRow, conversation_id)
    if row is None:
        raise ConversationError("not_found", "No such conversation.")
    return _conversation(row, resumed=True)


def verify_shopper(db: Database, conversation_id: str, shopper_id: str) -> bool:
    """Keep a shopper verified in the chat as the conversation's identity from now on. Never replaces another
    shopper (the token's or an earlier verification): False then, and nothing changes."""
    with db.session() as session:
        row = session.get(ConversationRow, conversation_id)
        if row is None:
            raise ConversationError("not_found", "No such conversation.")
        if row.shopper_id is None:
            row.shopper_id, row.verified_in_chat = shopper_id, True
        return row.shopper_id == shopper_id


def set_state(db: Database, conversation_id: str, state: ConversationState) -> None:
    with db.session() as session:
        row = session.get(ConversationRow, conversation_id)
        if row is None:
            raise ConversationError("not_found", "No such conversation.")
        row.state = state


def _item(row: MessageRow) -> HistoryItem:
    payload = row.payload or {}
    return HistoryItem(
        message_id=row.id, role=row.role, text=row.text, client_message_id=row.client_message_id,  # type: ignore[arg-type]
        products=[ProductCard.model_validate(card) for card in payload.get("products", [])],
        citations=[Citation.model_validate(citation) for citation in payload.get("citations", [])],
        error=(payload.get("turn") or {}).get("error", ""),
        searched=_searched((payload.get("turn") or {}).get("tool_calls", [])),
        dialogue=(payload.get("turn") or {}).get("dialogue"),
    )


def _searched(calls: list[dict[str, Any]]) -> str:
    searches = [call.get("arguments", {}) for call in calls if call.get("name") == "search_products" and call.get("ok")]
    return searched_words(searches[-1]) if searches else ""


def _history(session: Any, conversation_id: str, before: int | None = None) -> list[HistoryItem]:
    query = select(MessageRow).where(MessageRow.conversation_id == conversation_id)
    if before is not None:
        query = query.where(MessageRow.id < before)
    return [_item(row) for row in session.scalars(query.order_by(MessageRow.id))]


def history(db: Database, conversation_id: str) -> list[HistoryItem]:
    with db.session() as session:
        return _history(session, conversation_id)


def agent_history(items: list[HistoryItem]) -> list[HistoryMessage]:
    """What the agent sees of earlier turns; operator replies count as the assistant's."""
    return [HistoryMessage(role="user" if item.role == "user" else "assistant", text=item.text,
                           product_ids=[card.id for card in item.products], searched=item.searched,
                           dialogue=item.dialogue)
            for item in items if item.text]


def _reply_to(session: Any, conversation_id: str, message_id: int) -> HistoryItem | None:
    rows = session.scalars(select(MessageRow).where(MessageRow.conversation_id == conversation_id,
                                                    MessageRow.role == "assistant", MessageRow.id > message_id)
                           .order_by(MessageRow.id))
    return next((_item(row) for row in rows if (row.payload or {}).get("reply_to") == message_id), None)


def store_user_message(db: Database, conversation_id: str, client_message_id: str, text: str,
                       lease: tuple[str, float]) -> StoredMessage:
    """Insert once per client_message_id; a resend returns the first copy and, if finished, its reply.

    One transaction also reads the conversation (state, shopper) and the history before the message: one trip to
    the storage thread per turn start instead of three (they queued for seconds under load in `bench serve`).
    A message the bot will answer gets its turn lease (owner, seconds) in the same transaction; a resend of one
    whose lease expired unanswered takes the lease over."""
    try:
        with db.session() as session:
            row = MessageRow(conversation_id=conversation_id, client_message_id=client_message_id, role="user",
                             text=text, payload={})
            session.add(row)
            session.flush()
            conversation = _current(session, conversation_id)
            if conversation.state == "bot":
                leases.add(session, row.id, conversation_id, *lease)
            return StoredMessage(id=row.id, duplicate=False, conversation=conversation,
                                 earlier=_history(session, conversation_id, before=row.id))
    except IntegrityError:
        with db.session() as session:
            existing = session.scalars(select(MessageRow).where(
                MessageRow.conversation_id == conversation_id,
                MessageRow.client_message_id == client_message_id)).one()
            reply = _reply_to(session, conversation_id, existing.id)
            taken_over = reply is None and leases.take_over(session, existing.id, *lease)
            return StoredMessage(id=existing.id, duplicate=True, conversation=_current(session, conversation_id),
                                 reply=reply, taken_over=taken_over,
                                 running=reply is None and not taken_over and leases.held(session, existing.id),
                                 earlier=_history(session, conversation_id, before=existing.id) if taken_over else [])


def store_reply(db: Database, conversation_id: str, reply_to: int, turn: LoggedTurn,
                products: list[ProductCard], citations: list[Citation], lease_owner: str) -> int | None:
    """The answer, stored with its lease released; None (nothing stored) when another replica took the turn."""
    with db.session() as session:
        if not leases.release(session, reply_to, lease_owner) and leases.held(session, reply_to):
            return None
        row = MessageRow(conversation_id=conversation_id, role="assistant", text=turn.assistant_text, payload={
            "reply_to": reply_to, "turn": turn.model_dump(mode="json"),
            "products": [card.model_dump() for card in products],
            "citations": [citation.model_dump() for citation in citations],
        })
        session.add(row)
        session.flush()
        return row.id


def store_operator_message(db: Database, conversation_id: str, text: str) -> int:
    with db.session() as session:
        row = MessageRow(conversation_id=conversation_id, role="operator", text=text, payload={})
        session.add(row)
        session.flush()
        return row.id


def store_feedback(db: Database, conversation_id: str, message_id: int, rating: str, comment: str) -> None:
    with db.session() as session:
        message = session.get(MessageRow, message_id)
        if message is None or message.conversation_id != conversation_id or message.role != "assistant":
            raise ConversationError("not_found", "No such answer in this conversation.")
        session.add(FeedbackRow(conversation_id=conversation_id, message_id=message_id, rating=rating,
                                comment=comment))


def queue(db: Database) -> list[dict[str, Any]]:
    """Conversations waiting for or held by an operator, oldest first (no personal data)."""
    with db.session() as session:
        rows = session.scalars(select(ConversationRow).where(ConversationRow.state.in_(("queued", "human")))
                               .order_by(ConversationRow.updated_at))
        return [{"id": row.id, "state": row.state, "language": row.language, "authenticated": bool(row.shopper_id),
                 "updated_at": row.updated_at.isoformat()} for row in rows]
