"""Handing over to a human agent queues the conversation for an operator and is audited."""

from __future__ import annotations

from sqlalchemy import select

from commerce.tables import AuditRow, ConversationRow
from tests.tools.conftest import Shop
from tools.handoff import HandoffRequest, transfer_to_human_agents


def test_transfer_queues_the_conversation_and_audits_the_summary(shop: Shop) -> None:
    with shop.db.session() as session:
        session.add(ConversationRow(id="conv_1", shopper_id="alice_1"))
    context = shop.context()
    context.conversation_id = "conv_1"
    result = transfer_to_human_agents(context, HandoffRequest(summary="wants to undo a cancellation"))
    assert result.status == "transferred"
    with shop.db.session() as session:
        assert session.get_one(ConversationRow, "conv_1").state == "queued"
        entry = session.scalars(select(AuditRow)).one()
    assert entry.before == {"state": "bot"} and entry.after["summary"] == "wants to undo a cancellation"
