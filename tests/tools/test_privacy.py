"""forget_me: proposing deletes nothing and says what would go; only the shopper's own confirmation erases them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from agent.leaks import find_leaks
from commerce.models import BehaviourEvent, EventKind
from commerce.tables import AuditRow, ConversationRow, MessageRow
from ranking.privacy import stored_about
from ranking.profile_store import record_events
from tests.ranking.test_privacy import everything_stored
from tests.tools.conftest import ALICE, BOB, Shop
from tools.actions import ERASED, ProposedAction
from tools.base import ToolError, ToolFailure
from tools.confirm import confirm_action, reject_action
from tools.privacy import describe
from tools.registry import tool_by_name


def rows_about_alice(shop: Shop) -> dict[str, int]:
    """Alice's rows, leaving out her requests awaiting confirmation (proposing adds one)."""
    with shop.db.session() as session:
        rows = stored_about(session, ALICE.id)
    return {table: count for table, count in rows.items() if table != "pending_actions"}


def give_history(shop: Shop, shopper_id: str = ALICE.id) -> None:
    events = [BehaviourEvent(shopper_id=shopper_id, kind=EventKind.VIEW, product_id="p_mug", at=shop.clock.now)
              for _ in range(3)]
    record_events(shop.db, events, shop.settings.profile_half_life_days)
    with shop.db.session() as session:
        for conversation in (f"c_{shopper_id}_1", f"c_{shopper_id}_2"):
            session.add(ConversationRow(id=conversation, shopper_id=shopper_id))
            session.flush()
            session.add(MessageRow(conversation_id=conversation, role="user", text=f"my mug please {shopper_id}"))


def propose(shop: Shop, shopper_id: str | None = ALICE.id) -> ProposedAction | ToolError:
    tool = tool_by_name("forget_me")
    assert tool is not None and tool.writes
    return tool.run(shop.context(shopper_id), {})


@pytest.fixture
def proposal(shop: Shop) -> ProposedAction:
    give_history(shop)
    give_history(shop, BOB.id)
    proposed = propose(shop)
    assert isinstance(proposed, ProposedAction)
    return proposed


def test_proposing_deletes_nothing_and_says_plainly_what_will_go(shop: Shop, proposal: ProposedAction) -> None:
    assert proposal.summary == (
        "Delete everything we store about you: your account, your profile, 3 behaviour events, 4 orders, "
        "2 conversations, 2 chat messages. This cannot be undone.")
    assert shop.shopper(ALICE.id) and shop.order("#W1")
    assert "my mug please alice_1" in everything_stored(shop.db)


def test_confirming_erases_the_session_shopper_only_and_keeps_an_anonymous_audit_entry(
        shop: Shop, proposal: ProposedAction) -> None:
    outcome = confirm_action(shop.context(), proposal.action_id)

    assert outcome.status == "executed" and outcome.action == "forget_me"
    assert outcome.result == {"deleted": {"events": 3, "profiles": 1, "orders": 4, "messages": 2,
                                          "conversations": 2, "pending_actions": 1, "shoppers": 1}}
    everything = everything_stored(shop.db)
    assert ALICE.id not in everything and "alice@example.com" not in everything
    assert BOB.id in everything and "my mug please bob_2" in everything and shop.order("#W9")
    with shop.db.session() as session:
        entries = list(session.scalars(select(AuditRow)))
    assert [(entry.actor, entry.action, entry.target) for entry in entries] == [(ERASED, "forget_me", ERASED)]
    assert entries[0].before == {"deleted": outcome.result["deleted"]}


def test_rejected_or_expired_forget_me_deletes_nothing(shop: Shop, proposal: ProposedAction) -> None:
    before = rows_about_alice(shop)
    assert before["shoppers"] == 1 and before["events"] == 3
    assert reject_action(shop.context(), proposal.action_id).status == "rejected"
    later = propose(shop)
    assert isinstance(later, ProposedAction)
    shop.clock.advance(shop.settings.confirmation_ttl_s + 1)
    with pytest.raises(ToolFailure) as expired:
        confirm_action(shop.context(), later.action_id)
    assert expired.value.code == "action_expired"
    assert rows_about_alice(shop) == before


def test_another_shopper_or_a_guest_cannot_confirm_it(shop: Shop, proposal: ProposedAction) -> None:
    with pytest.raises(ToolFailure) as other:
        confirm_action(shop.context(BOB.id), proposal.action_id)
    assert other.value.code == "action_not_found"
    with pytest.raises(ToolFailure) as guest:
        confirm_action(shop.context(None), proposal.action_id)
    assert guest.value.code == "not_verified"
    assert "my mug please alice_1" in everything_stored(shop.db)
    assert confirm_action(shop.context(), proposal.action_id).status == "executed"  # still open for Alice


def test_the_summary_names_no_internals_and_counts_every_table() -> None:
    summary = describe({"shoppers": 1, "events": 1, "audit_log": 2, "turn_leases": 1, "new_table": 2})
    assert summary == ("Delete everything we store about you: your account, 1 behaviour event, 2 audit-log entries, "
                       "3 other records. This cannot be undone.")
    assert find_leaks(summary) == []


def test_a_guest_cannot_ask_to_be_forgotten(shop: Shop) -> None:
    refused = propose(shop, None)
    assert isinstance(refused, ToolError) and refused.code == "not_verified"
