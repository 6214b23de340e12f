"""Stored conversations → the versioned dialogue-log JSONL (serving/dialogue_log.py) that the replay harness reads."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select

from agent.transcript import Feedback, LoggedTurn
from commerce.db import Database
from commerce.tables import ConversationRow, FeedbackRow, MessageRow
from serving.dialogue_log import DialogueLog


def _turns(messages: list[MessageRow], feedback: dict[int, FeedbackRow]) -> tuple[list[LoggedTurn], int]:
    by_reply = {row.payload.get("reply_to"): row for row in messages if row.role == "assistant"}
    turns: list[LoggedTurn] = []
    operator_messages = 0
    for row in messages:
        if row.role == "operator":
            operator_messages += 1
        if row.role != "user":
            continue
        answer = by_reply.get(row.id)
        if answer is None:
            # Sent while a human operator had the conversation: logged without a bot answer.
            turns.append(LoggedTurn(index=len(turns), user_text=row.text, handoff=True))
            continue
        turn = LoggedTurn.model_validate(answer.payload["turn"]).model_copy(update={"index": len(turns)})
        rated = feedback.get(answer.id)
        if rated is not None:
            turn.feedback = Feedback(rating=rated.rating, comment=rated.comment)  # type: ignore[arg-type]
        turns.append(turn)
    return turns, operator_messages


def dialogue_logs(db: Database) -> Iterator[DialogueLog]:
    with db.session() as session:
        conversations = session.scalars(select(ConversationRow).order_by(ConversationRow.created_at)).all()
        for conversation in conversations:
            messages = list(session.scalars(select(MessageRow).where(MessageRow.conversation_id == conversation.id)
                                            .order_by(MessageRow.id)))
            feedback = {row.message_id: row for row in session.scalars(
                select(FeedbackRow).where(FeedbackRow.conversation_id == conversation.id).order_by(FeedbackRow.id))}
            turns, operator_messages = _turns(messages, feedback)
            if not turns:
                continue
            yield DialogueLog(conversation_id=conversation.id, shopper_id=conversation.shopper_id,
                              started_at=conversation.created_at, turns=turns,
                              metadata={"state": conversation.state, "operator_messages": operator_messages})
