"""A UCP order webhook: the order as GET /orders/{id} shows it then (UCP webhooks carry the full order), signed
(RFC 9421, the key in /.well-known/ucp), sent to the order capability's webhook_url in the agent's UCP profile
unless its operator registered a URL. Headers: Idempotency-Key and Webhook-Id (the event id), Webhook-Timestamp,
Webhook-Event ('order.created', 'order.shipped', 'order.canceled'), and UCP-Agent with the business's profile."""

from __future__ import annotations

import json
from datetime import UTC

import httpx

from commerce.db import Database
from commerce.tables import OrderEventRow
from protocols.common.orders import public_order_id
from protocols.ucp.orders import order_response
from protocols.ucp.profile import ORDER
from protocols.ucp.signing import signed_headers
from shopassist.settings import Settings


class WebhookUnreachable(Exception):
    """The agent's profile names no order webhook URL."""


def profile_webhook_url(client: httpx.Client, profile_url: str) -> str:
    """The order capability's config.webhook_url in the agent's UCP profile (fetched now)."""
    response = client.get(profile_url, headers={"Accept": "application/json"})
    response.raise_for_status()
    profile = response.json()
    profile = profile.get("ucp", profile) if isinstance(profile, dict) else {}
    for entry in (profile.get("capabilities") or {}).get(ORDER) or []:
        url = ((entry or {}).get("config") or {}).get("webhook_url")
        if isinstance(url, str) and url.startswith(("https://", "http://")):
            return url
    raise WebhookUnreachable(f"the agent profile {profile_url} declares no order webhook_url")


def ucp_request(db: Database, settings: Settings, event: OrderEventRow, url: str) -> tuple[bytes, dict[str, str]]:
    with db.session() as session:
        order = order_response(session, event.agent_id, public_order_id(event.order_id), settings)
    body = json.dumps(order, ensure_ascii=False, separators=(",", ":")).encode()
    created = event.created_at if event.created_at.tzinfo else event.created_at.replace(tzinfo=UTC)
    base = settings.public_base_url.rstrip("/")
    headers = {"Content-Type": "application/json", "Idempotency-Key": event.id,
               "UCP-Agent": f'profile="{base}/.well-known/ucp"'}
    return body, {**signed_headers(settings, url, body, headers), "Webhook-Id": event.id,
                  "Webhook-Timestamp": str(int(created.timestamp())), "Webhook-Event": f"order.{event.kind}"}
