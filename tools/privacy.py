"""`forget_me`: the signed-in shopper asks to have everything stored about them deleted, once they confirm."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from ranking.privacy import erase_shopper, stored_about
from tools.access import load_shopper, require_shopper
from tools.actions import ChangeFacts, Plan, WriteOperation
from tools.base import ToolContext

# How a table's rows read to the shopper. A shopper has at most one account, profile and cart row.
WHOLE_RECORDS = {"shoppers": "your account", "profiles": "your profile", "carts": "your cart"}
COUNTED_RECORDS = {
    "events": ("behaviour event", "behaviour events"),
    "orders": ("order", "orders"),
    "reviews": ("review", "reviews"),
    "conversations": ("conversation", "conversations"),
    "messages": ("chat message", "chat messages"),
    "feedback": ("answer rating", "answer ratings"),
    "pending_actions": ("request awaiting confirmation", "requests awaiting confirmation"),
    "audit_log": ("audit-log entry", "audit-log entries"),
    "watches": ("price or stock alert", "price or stock alerts"),
    "watch_notifications": ("alert notification", "alert notifications"),
}


class ForgetMeInput(BaseModel):
    """Delete everything this shop stores about the signed-in shopper: account, profile, behaviour history, orders
    and conversations. Use only when the shopper asks to be forgotten; they must confirm."""

    model_config = ConfigDict(extra="forbid")


class ForgetMeResult(BaseModel):
    deleted: dict[str, int] = Field(description="Records deleted per kind, e.g. {'events': 312, 'orders': 4}")


def describe(stored: dict[str, int]) -> str:
    """'Delete everything we store about you: your account, your profile, 312 behaviour events, … .'"""
    parts = [phrase for table, phrase in WHOLE_RECORDS.items() if stored.get(table)]
    for table, (one, several) in COUNTED_RECORDS.items():
        if count := stored.get(table):
            parts.append(f"{count} {one if count == 1 else several}")
    # Tables without words here (e.g. a running turn's lease) still count: the summary covers all that goes.
    named = WHOLE_RECORDS.keys() | COUNTED_RECORDS.keys()
    if others := sum(count for table, count in stored.items() if table not in named):
        parts.append(f"{others} other record{'' if others == 1 else 's'}")
    return f"Delete everything we store about you: {', '.join(parts)}. This cannot be undone."


def plan_forget_me(session: Session, context: ToolContext, arguments: ForgetMeInput) -> Plan:
    shopper_id = require_shopper(context)
    load_shopper(session, shopper_id)
    stored = stored_about(session, shopper_id)

    def erase(confirming: Session) -> dict[str, int]:
        context.deps.ranker.recorder.discard(shopper_id)
        return erase_shopper(confirming, shopper_id)

    return Plan(summary=describe(stored), result=ForgetMeResult(deleted=stored), erase=erase,
                facts=ChangeFacts(operation="forget_me"),
                after_commit=context.deps.ranker.forget)


FORGET_ME = WriteOperation(
    name="forget_me",
    description="Propose deleting everything stored about the signed-in shopper (their right to be forgotten). "
                "Nothing is deleted until the shopper confirms.",
    input_model=ForgetMeInput,
    plan=plan_forget_me,
)
