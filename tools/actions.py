"""Proposed actions: every write is planned, shown to the shopper, and only applied once they confirm it.

A write operation is a `plan` function that validates against the current store and describes the records it
would change, without changing anything. Proposing runs the plan and stores a pending action (id, plain summary,
expiry). Confirming (tools/confirm.py) runs the plan again inside one transaction, writes the changed records and
their audit entries, and marks the action executed; any failure rolls all of it back.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from commerce.models import Cart, Order, OrderStatus, Shopper
from commerce.order_events import queue_event_of_order
from commerce.store import order_row, record_audit
from commerce.tables import CartRow, OrderRow, PendingActionRow, ShopperRow
from tools.access import require_shopper
from tools.base import Tool, ToolContext

In = TypeVar("In", bound=BaseModel)
Record = Order | Shopper | Cart
# The audit log's actor and target for an erasure: the erased shopper is not named anywhere any more.
ERASED = "erased-shopper"


class ChangeFacts(BaseModel):
    """A proposed change as facts (no ids but the order's), for the agent to word in the shopper's language."""

    operation: str
    order_id: str | None = None
    items: list[str] = Field(default_factory=list, description="Names with options, e.g. 'Trail Boot (10, blue)'")
    new_items: list[str] = Field(default_factory=list)
    amount: float | None = Field(None, description="Refund, charge or price difference in the shop's currency")
    method: str | None = Field(None, description="Masked payment method, e.g. 'Visa ending 1234'")
    address: str | None = None
    quantity: int | None = None


@dataclass
class Plan:
    """What a confirmed action will do: a summary for the shopper, the records before/after, and the result."""

    summary: str
    changes: list[tuple[Record, Record]] = field(default_factory=list)
    result: BaseModel | None = None
    # Erasing a shopper (forget-me) deletes rows instead of changing records: run in the confirming transaction,
    # it returns rows deleted per table. Its audit entry cannot name the shopper, whose own trail it deletes.
    erase: Callable[[Session], dict[str, int]] | None = None
    # Runs once the confirming transaction has committed, e.g. dropping in-process caches of erased data.
    after_commit: Callable[[], None] | None = None
    # Rows the action writes itself (a watch made or cancelled), in the confirming transaction, with the audit
    # entry `(target, after)` it returns.
    write: Callable[[Session], tuple[str, dict[str, Any]]] | None = None
    facts: ChangeFacts | None = None


@dataclass(frozen=True)
class WriteOperation(Generic[In]):
    name: str
    description: str
    input_model: type[In]
    plan: Callable[[Session, ToolContext, In], Plan]
    # Offered to the LLM planner only when the message matches (tools.base.Tool.asked_for); the router plans it too.
    asked_for: re.Pattern[str] | None = None


class ProposedAction(BaseModel):
    action_id: str = Field(description="e.g. 'act_3f9c2a1b7d4e8f60'")
    action: str
    summary: str = Field(description="What will happen once the shopper confirms")
    facts: ChangeFacts | None = Field(None, description="The same change as facts, for wording it in any language")
    expires_at: datetime
    status: str = "awaiting_confirmation"
    next_step: str = "Show the summary to the shopper and ask them to confirm; nothing has changed yet."


def propose(context: ToolContext, operation: WriteOperation[In], arguments: In) -> ProposedAction:
    shopper_id = require_shopper(context)
    now = context.now()
    with context.db.session() as session:
        plan = operation.plan(session, context, arguments)
        row = PendingActionRow(
            id=f"act_{secrets.token_hex(8)}", shopper_id=shopper_id, tool=operation.name,
            arguments=arguments.model_dump(mode="json"), summary=plan.summary, status="proposed",
            expires_at=now + timedelta(seconds=context.settings.confirmation_ttl_s), created_at=now,
        )
        session.add(row)
    return ProposedAction(action_id=row.id, action=operation.name, summary=plan.summary, facts=plan.facts,
                          expires_at=row.expires_at)


def write_tool(operation: WriteOperation[Any]) -> Tool[Any, ProposedAction]:
    """The agent-facing tool for a write: it only ever proposes."""

    def run(context: ToolContext, arguments: BaseModel) -> ProposedAction:
        return propose(context, operation, arguments)

    return Tool(operation.name, operation.description, operation.input_model, run, writes=True,
                asked_for=operation.asked_for)


def _target(record: Record) -> str:
    if isinstance(record, Order):
        return f"order:{record.id}"
    if isinstance(record, Shopper):
        return f"shopper:{record.id}"
    return f"cart:{record.shopper_id}"


def _write(session: Session, record: Record) -> None:
    if isinstance(record, Order):
        row, new = session.get_one(OrderRow, record.id), order_row(record)
        if new.status == OrderStatus.CANCELLED.value != row.status:  # an agent's order: its webhook is told
            queue_event_of_order(session, record.id, "canceled")
        row.status, row.address, row.lines = new.status, new.address, new.lines
        row.payments, row.fulfilments, row.details = new.payments, new.fulfilments, new.details
    elif isinstance(record, Shopper):
        shopper = session.get_one(ShopperRow, record.id)
        shopper.address = record.address.model_dump() if record.address else None
        shopper.payment_methods = [method.model_dump() for method in record.payment_methods]
    else:
        cart = session.get(CartRow, record.shopper_id) or CartRow(shopper_id=record.shopper_id)
        cart.lines = [line.model_dump() for line in record.lines]
        session.add(cart)


def apply_plan(session: Session, actor: str, action: str, plan: Plan) -> None:
    """Write each changed record (or erase the shopper) and the audit entries in the caller's transaction."""
    for before, after in plan.changes:
        if before == after:
            continue
        _write(session, after)
        record_audit(
            session, actor=actor, action=action, target=_target(after),
            before=before.model_dump(mode="json"), after=after.model_dump(mode="json"),
        )
    if plan.write is not None:
        target, written = plan.write(session)
        record_audit(session, actor=actor, action=action, target=target, before=None, after=written)
    if plan.erase is not None:
        deleted = plan.erase(session)
        record_audit(session, actor=ERASED, action=action, target=ERASED, before={"deleted": deleted}, after=None)
    session.flush()
