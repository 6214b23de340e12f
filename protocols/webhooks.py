"""Order webhooks: the sender that POSTs each outbox event (commerce.order_events) to its agent's URL, signed
(RFC 9421, the key in /.well-known/ucp), retried with exponential backoff, marked delivered exactly once.

The URL is the one the shop's operator registered for the agent (`shopassist agents webhook`), else the
order capability's config.webhook_url in the agent's UCP profile (the UCP-Agent profile its checkout came with,
fetched at sending time). The body is the order as GET /orders/{id} shows it then (UCP webhooks carry the full
order); headers: Idempotency-Key and Webhook-Id (the event id), Webhook-Timestamp, Webhook-Event ('order.created',
'order.shipped', 'order.canceled'), and UCP-Agent with the business's profile.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx

from commerce.db import Database
from commerce.order_events import claim_event, due_events, mark_delivered, mark_failed
from commerce.tables import OrderEventRow
from protocols.ucp.orders import order_response
from protocols.ucp.profile import ORDER
from protocols.ucp.responses import public_order_id
from protocols.ucp.signing import signed_headers
from shopassist.settings import Settings

log = logging.getLogger(__name__)
MAX_BACKOFF = timedelta(hours=1)
LEASE = timedelta(seconds=60)  # a sender that dies mid-delivery leaves its event to another after this


def backoff(settings: Settings, attempts: int) -> timedelta:
    return min(timedelta(seconds=settings.ucp_webhook_retry_s * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)


class WebhookUnreachable(Exception):
    """The agent's profile names no order webhook URL."""


class WebhookSender:
    def __init__(self, db: Database, settings: Settings, client: httpx.Client | None = None) -> None:
        self.db, self.settings = db, settings
        self.client = client or httpx.Client(timeout=10.0, follow_redirects=False)

    def _url(self, event: OrderEventRow) -> str:
        """The registered URL, else the order capability's webhook_url in the agent's profile (fetched now)."""
        if event.url:
            return event.url
        assert event.profile_url is not None  # an event is queued with one or the other
        response = self.client.get(event.profile_url, headers={"Accept": "application/json"})
        response.raise_for_status()
        profile = response.json()
        profile = profile.get("ucp", profile) if isinstance(profile, dict) else {}
        for entry in (profile.get("capabilities") or {}).get(ORDER) or []:
            url = ((entry or {}).get("config") or {}).get("webhook_url")
            if isinstance(url, str) and url.startswith(("https://", "http://")):
                return url
        raise WebhookUnreachable(f"the agent profile {event.profile_url} declares no order webhook_url")

    def _request(self, event: OrderEventRow, url: str) -> tuple[bytes, dict[str, str]]:
        with self.db.session() as session:
            order = order_response(session, event.agent_id, public_order_id(event.order_id), self.settings)
        body = json.dumps(order, ensure_ascii=False, separators=(",", ":")).encode()
        created = event.created_at if event.created_at.tzinfo else event.created_at.replace(tzinfo=UTC)
        base = self.settings.public_base_url.rstrip("/")
        headers = {"Content-Type": "application/json", "Idempotency-Key": event.id,
                   "UCP-Agent": f'profile="{base}/.well-known/ucp"'}
        return body, {**signed_headers(self.settings, url, body, headers), "Webhook-Id": event.id,
                      "Webhook-Timestamp": str(int(created.timestamp())), "Webhook-Event": f"order.{event.kind}"}

    def _deliver(self, event_id: str, now: datetime) -> bool:
        with self.db.session() as session:
            token = claim_event(session, event_id, now, LEASE)
            event = session.get_one(OrderEventRow, event_id) if token else None
        if token is None or event is None:
            return False  # another sender has it
        try:
            url = self._url(event)
            body, headers = self._request(event, url)
            response = self.client.post(url, content=body, headers=headers)
            failure = None if response.is_success else f"HTTP {response.status_code}"
        except (httpx.HTTPError, OSError, ValueError, WebhookUnreachable) as error:
            failure = f"{type(error).__name__}: {error}"
        with self.db.session() as session:
            if failure is None:
                return mark_delivered(session, event_id, token, datetime.now(UTC))
            log.warning("order webhook %s of order %s failed (%s)", event_id, event.order_id, failure)
            mark_failed(session, event_id, token, datetime.now(UTC) + backoff(self.settings, event.attempts + 1),
                        failure)
            return False

    def deliver_due(self, now: datetime | None = None) -> int:
        """One pass over the due events; how many were delivered."""
        now = now or datetime.now(UTC)
        with self.db.session() as session:
            due = [event.id for event in due_events(session, now, self.settings.ucp_webhook_max_attempts)]
        return sum(self._deliver(event_id, now) for event_id in due)

    @contextlib.asynccontextmanager
    async def run(self) -> AsyncIterator[None]:
        async def loop() -> None:
            while True:
                try:
                    await asyncio.to_thread(self.deliver_due)
                except Exception:  # a database hiccup must not stop the sender for good
                    log.exception("order webhook pass failed")
                await asyncio.sleep(self.settings.ucp_webhook_poll_s)

        task = asyncio.create_task(loop())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            self.client.close()
