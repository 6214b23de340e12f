"""Order webhooks: the sender that POSTs each outbox event (commerce.order_events) to its agent's URL, signed
(RFC 9421, the key in /.well-known/ucp), retried with exponential backoff, marked delivered exactly once.

The body is the order as GET /orders/{id} shows it at sending time (the UCP order webhook carries the full
order); the headers say which event it was: Webhook-Id, Webhook-Timestamp, Webhook-Event ('order.created',
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
from protocols.ucp.responses import public_order_id
from protocols.ucp.signing import signed_headers
from shopassist.settings import Settings

log = logging.getLogger(__name__)
MAX_BACKOFF = timedelta(hours=1)
LEASE = timedelta(seconds=60)  # a sender that dies mid-delivery leaves its event to another after this


def backoff(settings: Settings, attempts: int) -> timedelta:
    return min(timedelta(seconds=settings.ucp_webhook_retry_s * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)


class WebhookSender:
    def __init__(self, db: Database, settings: Settings, client: httpx.Client | None = None) -> None:
        self.db, self.settings = db, settings
        self.client = client or httpx.Client(timeout=10.0, follow_redirects=False)

    def _request(self, event: OrderEventRow) -> tuple[bytes, dict[str, str]]:
        with self.db.session() as session:
            order = order_response(session, event.agent_id, public_order_id(event.order_id), self.settings)
        body = json.dumps(order, ensure_ascii=False, separators=(",", ":")).encode()
        created = event.created_at if event.created_at.tzinfo else event.created_at.replace(tzinfo=UTC)
        base = self.settings.public_base_url.rstrip("/")
        headers = {"Content-Type": "application/json", "Webhook-Id": event.id,
                   "Webhook-Timestamp": str(int(created.timestamp())), "Webhook-Event": f"order.{event.kind}",
                   "UCP-Agent": f'profile="{base}/.well-known/ucp"',
                   **signed_headers(self.settings, "POST", event.url, body)}
        return body, headers

    def _deliver(self, event_id: str, now: datetime) -> bool:
        with self.db.session() as session:
            token = claim_event(session, event_id, now, LEASE)
            event = session.get_one(OrderEventRow, event_id) if token else None
        if token is None or event is None:
            return False  # another sender has it
        try:
            body, headers = self._request(event)
            response = self.client.post(event.url, content=body, headers=headers)
            failure = None if response.is_success else f"HTTP {response.status_code}"
        except (httpx.HTTPError, OSError) as error:
            failure = f"{type(error).__name__}: {error}"
        with self.db.session() as session:
            if failure is None:
                return mark_delivered(session, event_id, token, datetime.now(UTC))
            log.warning("order webhook %s to %s failed (%s)", event_id, event.url, failure)
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
