"""Order webhooks for both protocols, from one outbox (commerce.order_events): each event POSTed to its agent's URL
in its protocol's shape and signature (UCP: the order, RFC 9421 with the key in /.well-known/ucp; ACP: an
order_create/order_update event with a Merchant-Signature HMAC), retried with exponential backoff, marked
delivered exactly once.

The URL is the one the shop's operator registered for the agent (`shopassist agents webhook`), else, for UCP, the
order capability's config.webhook_url in the agent's UCP profile (the UCP-Agent profile its checkout came with,
fetched at sending time).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx

from commerce.db import Database
from commerce.order_events import claim_event, due_events, mark_delivered, mark_failed
from commerce.tables import OrderEventRow
from protocols.acp.webhooks import AcpWebhookUnsigned, acp_request
from protocols.ucp.webhooks import WebhookUnreachable, profile_webhook_url, ucp_request
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

    def _url(self, event: OrderEventRow) -> str:
        if event.url:
            return event.url
        if event.profile_url is None:  # an event is queued with one or the other
            raise WebhookUnreachable("no webhook URL registered for this agent")
        return profile_webhook_url(self.client, event.profile_url)

    def _request(self, event: OrderEventRow, url: str) -> tuple[bytes, dict[str, str]]:
        if event.protocol == "acp":
            return acp_request(self.db, self.settings, event)
        return ucp_request(self.db, self.settings, event, url)

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
        except (httpx.HTTPError, OSError, ValueError, WebhookUnreachable, AcpWebhookUnsigned) as error:
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
