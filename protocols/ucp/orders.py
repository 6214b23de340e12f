"""An agent's orders as UCP orders, and the test-only shipping simulation that moves one to 'processed'."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from commerce.checkout import CheckoutNotFound, checkout_of_order
from commerce.checkout_models import Checkout
from commerce.models import Fulfilment, OrderStatus
from commerce.order_events import queue_order_event
from commerce.store import order_from_row, record_audit
from commerce.tables import AuditRow, OrderRow
from protocols.common.orders import shop_order_id
from protocols.ucp.responses import order_body
from shopassist.settings import Settings

SHIP = "simulate_shipping"


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)  # SQLite hands back naive UTC


def _owned_row(session: Session, agent_id: str, public_id: str) -> tuple[OrderRow, Checkout]:
    order_id = shop_order_id(public_id)
    checkout = checkout_of_order(session, agent_id, order_id)
    row = session.get(OrderRow, order_id)
    if row is None:
        raise CheckoutNotFound(f"No order {public_id!r}")
    return row, checkout


def order_response(session: Session, agent_id: str, public_id: str, settings: Settings) -> dict[str, Any]:
    row, checkout = _owned_row(session, agent_id, public_id)
    order = order_from_row(row)
    shipped = list(session.scalars(select(AuditRow.at).where(AuditRow.target == row.id, AuditRow.action == SHIP)
                                   .order_by(AuditRow.id)))
    created = order.created_at or datetime.now(UTC)
    times = [_aware(shipped[n] if n < len(shipped) else created) for n in range(len(order.fulfilments))]
    canceled_at = None
    if order.status == OrderStatus.CANCELLED:  # the chat's confirmed cancel audits the order as 'order:<id>'
        last = session.scalar(select(func.max(AuditRow.at)).where(AuditRow.target == f"order:{row.id}"))
        canceled_at = _aware(last or created)
    return order_body(order, checkout, times, settings, canceled_at)


def simulate_shipping(session: Session, agent_id: str, public_id: str, settings: Settings) -> dict[str, Any]:
    row, checkout = _owned_row(session, agent_id, public_id)
    fulfilment = Fulfilment(tracking_id=[f"SIM{secrets.token_hex(5).upper()}"],
                            item_ids=list(dict.fromkeys(line.item_id for line in checkout.lines)))
    before = row.status
    row.fulfilments = [*row.fulfilments, fulfilment.model_dump()]
    row.status = OrderStatus.PROCESSED.value
    record_audit(session, agent_id, SHIP, row.id, {"status": before}, {"status": row.status})
    queue_order_event(session, agent_id, row.id, "shipped")
    session.flush()
    return order_response(session, agent_id, public_id, settings)
