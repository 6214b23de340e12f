"""Writes only happen on the shopper's confirmation: bound to the action id and shopper, before expiry, audited,
and all-or-nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from commerce.tables import AuditRow, PendingActionRow
from tests.tools.conftest import Shop
from tools import actions
from tools.actions import ProposedAction
from tools.base import ToolError, ToolFailure
from tools.confirm import confirm_action, reject_action
from tools.registry import tool_by_name

CANCEL = {"order_id": "#W4", "reason": "no longer needed"}


def propose(shop: Shop, name: str, arguments: dict, shopper_id: str = "alice_1") -> ProposedAction | ToolError:
    tool = tool_by_name(name)
    assert tool is not None and tool.writes
    return tool.run(shop.context(shopper_id), arguments)


def audit(shop: Shop) -> list[AuditRow]:
    with shop.db.session() as session:
        return list(session.scalars(select(AuditRow).order_by(AuditRow.id)))


def action_status(shop: Shop, action_id: str) -> str:
    with shop.db.session() as session:
        return session.get_one(PendingActionRow, action_id).status


def test_proposal_changes_nothing_until_confirmed_then_audits_before_and_after(shop: Shop) -> None:
    proposal = propose(shop, "cancel_pending_order", CANCEL)
    assert isinstance(proposal, ProposedAction) and "#W4" in proposal.summary and "12.00" in proposal.summary
    assert shop.order("#W4").status == "pending" and audit(shop) == []
    outcome = confirm_action(shop.context(), proposal.action_id)
    assert outcome.status == "executed" and outcome.result and outcome.result["status"] == "cancelled"
    assert shop.order("#W4").status == "cancelled"
    assert next(m for m in shop.shopper("alice_1").payment_methods if m.id == "gift_card_1").balance == 32.0
    entries = {row.target: row for row in audit(shop)}
    assert set(entries) == {"order:#W4", "shopper:alice_1"}
    assert entries["order:#W4"].actor == "alice_1" and entries["order:#W4"].action == "cancel_pending_order"
    assert entries["order:#W4"].before["status"] == "pending" and entries["order:#W4"].after["status"] == "cancelled"


def test_an_action_runs_at_most_once(shop: Shop) -> None:
    proposal = propose(shop, "cancel_pending_order", CANCEL)
    confirm_action(shop.context(), proposal.action_id)
    with pytest.raises(ToolFailure) as again:
        confirm_action(shop.context(), proposal.action_id)
    assert again.value.code == "action_closed" and len(audit(shop)) == 2


def test_rejected_actions_do_nothing(shop: Shop) -> None:
    proposal = propose(shop, "cancel_pending_order", CANCEL)
    assert reject_action(shop.context(), proposal.action_id).status == "rejected"
    with pytest.raises(ToolFailure):
        confirm_action(shop.context(), proposal.action_id)
    assert shop.order("#W4").status == "pending" and audit(shop) == []


def test_expired_confirmations_do_nothing(shop: Shop) -> None:
    proposal = propose(shop, "cancel_pending_order", CANCEL)
    shop.clock.advance(shop.settings.confirmation_ttl_s + 1)
    with pytest.raises(ToolFailure) as expired:
        confirm_action(shop.context(), proposal.action_id)
    assert expired.value.code == "action_expired" and action_status(shop, proposal.action_id) == "expired"
    assert shop.order("#W4").status == "pending" and audit(shop) == []


def test_another_shopper_cannot_confirm_or_reject(shop: Shop) -> None:
    proposal = propose(shop, "cancel_pending_order", CANCEL)
    for answer in (confirm_action, reject_action):
        with pytest.raises(ToolFailure) as refused:
            answer(shop.context("bob_2"), proposal.action_id)
        assert refused.value.code == "action_not_found"
    with pytest.raises(ToolFailure):
        confirm_action(shop.context(None), proposal.action_id)
    assert action_status(shop, proposal.action_id) == "proposed" and shop.order("#W4").status == "pending"


@pytest.mark.parametrize("name, arguments", [
    ("cancel_pending_order", {"order_id": "#W9", "reason": "no longer needed"}),
    ("modify_pending_order_address", {"order_id": "#W9", "address1": "x", "city": "y", "state": "", "country": "z",
                                      "zip": "1"}),
    ("modify_user_address", {"user_id": "bob_2", "address1": "x", "city": "y", "state": "", "country": "z",
                             "zip": "1"}),
])
def test_writes_on_another_shoppers_records_are_refused_before_any_proposal(shop: Shop, name: str,
                                                                           arguments: dict) -> None:
    refused = propose(shop, name, arguments)
    assert isinstance(refused, ToolError) and refused.code in {"order_not_found", "other_shopper"}
    with shop.db.session() as session:
        assert session.scalars(select(PendingActionRow)).all() == []
    assert shop.order("#W9").status == "pending" and shop.shopper("bob_2").address.address1 == "1 Main St"


@pytest.mark.parametrize("name, arguments, code", [
    ("cancel_pending_order", {"order_id": "#W2", "reason": "no longer needed"}, "wrong_status"),
    ("return_delivered_order_items", {"order_id": "#W1", "item_ids": ["mug_white"],
                                      "payment_method_id": "credit_card_1"}, "wrong_status"),
    ("exchange_delivered_order_items", {"order_id": "#W2", "item_ids": ["shirt_blue_m"],
                                        "new_item_ids": ["shirt_green_s"], "payment_method_id": "paypal_1"},
     "item_unavailable"),
    ("modify_pending_order_payment", {"order_id": "#W1", "payment_method_id": "credit_card_2"},
     "payment_method_not_found"),
])
def test_out_of_policy_requests_are_refused_with_a_reason(shop: Shop, name: str, arguments: dict, code: str) -> None:
    refused = propose(shop, name, arguments)
    assert isinstance(refused, ToolError) and refused.code == code and refused.error


def test_confirming_a_plan_the_store_no_longer_allows_changes_nothing(shop: Shop) -> None:
    first = propose(shop, "cancel_pending_order", {"order_id": "#W1", "reason": "ordered by mistake"})
    second = propose(shop, "modify_pending_order_address", {"order_id": "#W1", "address1": "2 Elm St",
                                                            "city": "Springfield", "state": "IL", "country": "USA",
                                                            "zip": "62702"})
    confirm_action(shop.context(), first.action_id)
    with pytest.raises(ToolFailure) as stale:
        confirm_action(shop.context(), second.action_id)
    assert stale.value.code == "wrong_status" and action_status(shop, second.action_id) == "failed"
    assert shop.order("#W1").address.address1 == "1 Main St"


def test_a_failure_midway_rolls_back_every_change(shop: Shop, monkeypatch: pytest.MonkeyPatch) -> None:
    proposal = propose(shop, "cancel_pending_order", CANCEL)
    real_write = actions._write
    calls: list[object] = []

    def write_then_fail(session: object, record: object) -> None:
        calls.append(record)
        real_write(session, record)  # type: ignore[arg-type]
        if len(calls) == 2:
            raise RuntimeError("disk full")

    monkeypatch.setattr(actions, "_write", write_then_fail)
    with pytest.raises(RuntimeError):
        confirm_action(shop.context(), proposal.action_id)
    assert len(calls) == 2
    assert shop.order("#W4").status == "pending"
    assert next(m for m in shop.shopper("alice_1").payment_methods if m.id == "gift_card_1").balance == 20.0
    assert audit(shop) == [] and action_status(shop, proposal.action_id) == "proposed"
    monkeypatch.undo()
    assert confirm_action(shop.context(), proposal.action_id).status == "executed"
