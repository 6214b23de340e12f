"""The shopper's answer to a proposed action: confirm (run it, once, before it expires) or reject it.

These are called by the serving layer when the shopper's confirm/reject message arrives, bound to an action id;
they are deliberately not agent tools, so the model can never confirm on the shopper's behalf.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from commerce.models import BehaviourEvent, EventKind
from commerce.tables import PendingActionRow
from ranking.profile_store import record_events
from tools.access import require_shopper
from tools.actions import Plan, apply_plan
from tools.base import ToolContext, ToolFailure
from tools.cart import cart_additions
from tools.registry import write_operation

log = logging.getLogger(__name__)


class ActionOutcome(BaseModel):
    action_id: str = Field(description="e.g. 'act_3f9c2a1b7d4e8f60'")
    action: str
    status: Literal["executed", "rejected"]
    summary: str
    result: dict[str, Any] | None = Field(default=None, description="The changed record as the tool shows it")


def _open_action(session: Session, shopper_id: str, action_id: str) -> PendingActionRow:
    row = session.get(PendingActionRow, action_id, with_for_update=True)
    if row is None or row.shopper_id != shopper_id:
        raise ToolFailure("action_not_found", "There is no such action awaiting this shopper's confirmation.")
    if row.status != "proposed":
        raise ToolFailure("action_closed", f"This action is already {row.status}; nothing was changed.")
    return row


def _expired(row: PendingActionRow, now: datetime) -> bool:
    expires_at = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=UTC)
    return now >= expires_at


def _close(context: ToolContext, shopper_id: str, action_id: str, status: str) -> PendingActionRow:
    with context.db.session() as session:
        row = _open_action(session, shopper_id, action_id)
        row.status = status
    return row


def _record_cart_adds(context: ToolContext, shopper_id: str, plan: Plan, at: datetime) -> None:
    """Confirmed cart adds are behaviour for the shopper's profile (opted-out shoppers are not tracked)."""
    events = [BehaviourEvent(shopper_id=shopper_id, kind=EventKind.ADD_TO_CART, product_id=product_id, at=at)
              for product_id in cart_additions(plan)]
    if not events:
        return
    try:
        record_events(context.db, events, context.settings.profile_half_life_days)
    except SQLAlchemyError:
        # The cart change is committed and must be reported as done; a lost profile signal is not worth failing it.
        log.exception("could not record add_to_cart events for a confirmed action")


def confirm_action(context: ToolContext, action_id: str) -> ActionOutcome:
    """Run a proposed action for the session's shopper; raises ToolFailure (and changes nothing) otherwise."""
    shopper_id = require_shopper(context)
    now = context.now()
    with context.db.session() as session:
        row = _open_action(session, shopper_id, action_id)
        expired = _expired(row, now)
    if expired:
        _close(context, shopper_id, action_id, "expired")
        raise ToolFailure("action_expired", "This confirmation has expired; nothing was changed. Ask again.")
    try:
        with context.db.session() as session:
            row = _open_action(session, shopper_id, action_id)
            claimed = session.execute(
                update(PendingActionRow)
                .where(PendingActionRow.id == action_id, PendingActionRow.status == "proposed")
                .values(status="executed")
            )
            if claimed.rowcount != 1:  # type: ignore[attr-defined]
                raise ToolFailure("action_closed", "This action was already handled; nothing was changed.")
            operation = write_operation(row.tool)
            plan = operation.plan(session, context, operation.input_model.model_validate(row.arguments))
            apply_plan(session, actor=shopper_id, action=row.tool, plan=plan)
    except ToolFailure as failure:
        if failure.code not in ("action_closed", "action_not_found"):
            _close(context, shopper_id, action_id, "failed")
        raise
    if plan.after_commit is not None:
        plan.after_commit()
    _record_cart_adds(context, shopper_id, plan, now)
    result = plan.result.model_dump(mode="json") if plan.result else None
    return ActionOutcome(action_id=action_id, action=row.tool, status="executed", summary=plan.summary, result=result)


def reject_action(context: ToolContext, action_id: str) -> ActionOutcome:
    """The shopper said no: the action is closed and nothing changes."""
    row = _close(context, require_shopper(context), action_id, "rejected")
    return ActionOutcome(action_id=action_id, action=row.tool, status="rejected", summary=row.summary)
