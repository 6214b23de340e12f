"""An ACP order webhook (openapi.agentic_checkout_webhook, 2026-04-17): an `order_create` or `order_update` event
carrying the whole order, signed with the platform's shared secret as `Merchant-Signature: t=<unix>,v1=<hex>`, the
HMAC-SHA256 of `t + "." + raw body`."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import UTC, datetime
from typing import cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from commerce.checkout import checkout_of_order
from commerce.checkout_models import Checkout
from commerce.db import Database
from commerce.tables import AgentRow, OrderEventRow
from protocols.acp import models as acp
from protocols.common.orders import public_order_id
from shopassist.settings import Settings


class AcpWebhookUnsigned(Exception):
    """The agent has no shared secret to sign its ACP webhooks with (`shopassist agents webhook --secret`)."""


def merchant_signature(secret: str, body: bytes, at: int) -> str:
    digest = hmac.new(secret.encode(), f"{at}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={at},v1={digest}"


def _event(checkout: Checkout, kind: str, settings: Settings) -> acp.WebhookEvent:
    public_id = public_order_id(checkout.order_id or "")
    canceled, shipped = kind == "canceled", kind == "shipped"
    amounts = checkout.totals
    totals = [("subtotal", "Subtotal", amounts.subtotal), ("discount", "Discount", amounts.discount),
              ("fulfillment", "Shipping", amounts.fulfillment), ("total", "Total", amounts.total)]
    return acp.WebhookEvent(type="order_create" if kind == "created" else "order_update", data=acp.EventOrder(
        id=public_id, checkout_session_id=checkout.id, status=cast(acp.OrderEventStatus, kind),
        permalink_url=f"{settings.public_base_url.rstrip('/')}/orders/{public_id}",
        line_items=[acp.OrderLine(id=line.id, title=line.title, unit_price=line.unit_price, subtotal=line.subtotal,
                                  quantity=acp.OrderLineQuantity(ordered=line.quantity,
                                                                 current=0 if canceled else line.quantity,
                                                                 fulfilled=line.quantity if shipped else 0),
                                  status="canceled" if canceled else "fulfilled" if shipped else "processing")
                    for line in checkout.lines],
        totals=[acp.Total(type=kind_, display_text=text, amount=amount) for kind_, text, amount in totals
                if amount or kind_ in ("subtotal", "total")]))


def _secret(session: Session, agent_id: str) -> str:
    secret = session.scalar(select(AgentRow.webhook_secret).where(AgentRow.id == agent_id))
    if not secret:
        raise AcpWebhookUnsigned(f"agent {agent_id} has no ACP webhook secret")
    return secret


def acp_request(db: Database, settings: Settings, event: OrderEventRow) -> tuple[bytes, dict[str, str]]:
    with db.session() as session:
        secret = _secret(session, event.agent_id)
        checkout = checkout_of_order(session, event.agent_id, event.order_id)
    body = json.dumps(_event(checkout, event.kind, settings).model_dump(mode="json", exclude_none=True),
                      ensure_ascii=False, separators=(",", ":")).encode()
    now = int(time.time())
    return body, {"Content-Type": "application/json", "Merchant-Signature": merchant_signature(secret, body, now),
                  "Request-Id": event.id, "Idempotency-Key": event.id,
                  "Timestamp": datetime.fromtimestamp(now, UTC).isoformat()}
