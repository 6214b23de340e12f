"""Watch notifications reach the shopper: pushed to their open sockets and streams on this replica, held for their
next session otherwise, and POSTed to the shop's webhook when one is set. The same loop runs the standing orders
that offer changes triggered (commerce/standing_order_runs.py: each run claimed by one replica), tells their
shoppers how each went, claimed the same way, and makes the recurring orders' due periods (each period claimed by
one replica: commerce/recurring_orders.py).

Each replica polls the outbox (`watch_notifications`) for the shoppers connected to it and claims their rows with
one conditional UPDATE, so with several replicas a notification is shown exactly once, by whichever claims it.
A claimed frame goes into the connection's queue; a socket that dies in that instant loses it (it was shown to
no one, but it is marked delivered)."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
from collections.abc import Callable, Iterator

import httpx
from pydantic import BaseModel

from agent.prompts import PROMPTS_DIR
from agent.render_standing_orders import run_notice_text
from agent.render_watches import notification_text
from agent.state import Language
from agent.templates import Templates, load_templates
from commerce.db import Database
from commerce.notifications import Notification, claim_for_webhook, claim_notifications, release_for_webhook
from commerce.recurring_orders import run_due_recurring
from commerce.standing_order_runs import RunNotice, claim_run_notices, run_due
from commerce.watches import purge_expired
from serving import conversations as store
from serving.chat_checkout import payment_handlers
from serving.protocol import NotificationFrame
from shopassist.settings import Settings

log = logging.getLogger(__name__)
Reply = Callable[[BaseModel], None]
WEBHOOK_RETRY_S = 5.0
PURGE_EVERY_S = 3600.0  # expired watches are deleted (and never evaluated before that)


def frame_of(note: Notification, templates: Templates, held: bool) -> NotificationFrame:
    return NotificationFrame(kind=note.kind, product_id=note.product_id, title=note.title, price=note.price,
                             reference_price=note.reference_price, currency=note.currency, at=note.created_at,
                             held=held, text=notification_text(note, templates, away=held))


def order_frame(notice: RunNotice, templates: Templates, cancel_minutes: int, held: bool) -> NotificationFrame:
    return NotificationFrame(kind="auto_order", product_id=notice.product_id, title=notice.title, price=notice.price,
                             reference_price=notice.total, currency=notice.currency, at=notice.at, held=held,
                             order_id=notice.order_id, text=run_notice_text(notice, templates, cancel_minutes, held))


def _claim(db: Database, shopper_ids: list[str]) -> list[Notification]:
    with db.session() as session:
        return claim_notifications(session, shopper_ids)


def _claim_orders(db: Database, shopper_ids: list[str]) -> list[RunNotice]:
    with db.session() as session:
        return claim_run_notices(session, shopper_ids)


def _claim_webhook(db: Database) -> list[Notification]:
    with db.session() as session:
        return claim_for_webhook(session)


def _release_webhook(db: Database, ids: list[int]) -> None:
    with db.session() as session:
        release_for_webhook(session, ids)


def _purge(db: Database) -> int:
    with db.session() as session:
        return purge_expired(session)


class Notifier:
    def __init__(self, settings: Settings, db: Database, templates: dict[Language, Templates] | None = None) -> None:
        self.settings, self.db = settings, db
        self.templates = templates or load_templates(PROMPTS_DIR)
        self._listeners: dict[str, dict[int, tuple[str, Reply]]] = {}
        self._ids = itertools.count()
        self._task: asyncio.Task[None] | None = None
        self._webhook_after = 0.0
        self._purge_after = 0.0

    def _words(self, language: str) -> Templates:
        return self.templates.get(language, self.templates["en"])  # type: ignore[call-overload]

    @contextlib.contextmanager
    def listen(self, shopper_id: str | None, language: str, reply: Reply) -> Iterator[None]:
        """While inside, the shopper's notifications claimed by this replica are put through `reply`."""
        if shopper_id is None:
            yield
            return
        key = next(self._ids)
        self._listeners.setdefault(shopper_id, {})[key] = (language, reply)
        try:
            yield
        finally:
            listeners = self._listeners.get(shopper_id, {})
            listeners.pop(key, None)
            if not listeners:
                self._listeners.pop(shopper_id, None)

    async def held(self, shopper_id: str | None, language: str) -> list[NotificationFrame]:
        """What triggered while the shopper was away, claimed now for the session that is opening."""
        if shopper_id is None:
            return []
        claimed = await store.in_db_thread(self.db, _claim, [shopper_id])
        orders = await store.in_db_thread(self.db, _claim_orders, [shopper_id])
        return ([frame_of(note, self._words(language), held=True) for note in claimed]
                + [self._order_frame(notice, language, held=True) for notice in orders])

    def _order_frame(self, notice: RunNotice, language: str, held: bool) -> NotificationFrame:
        return order_frame(notice, self._words(language), self.settings.standing_order_cancel_minutes, held)

    async def poll_once(self) -> int:
        """Push what is waiting for the shoppers connected here; returns notifications claimed."""
        pushed = 0
        handlers = payment_handlers(self.settings)
        await store.in_db_thread(self.db, run_due, handlers)
        await store.in_db_thread(self.db, run_due_recurring, handlers)
        if self._listeners:
            claimed = await store.in_db_thread(self.db, _claim, list(self._listeners))
            for note in claimed:
                for language, reply in list(self._listeners.get(note.shopper_id, {}).values()):
                    reply(frame_of(note, self._words(language), held=False))
            orders = await store.in_db_thread(self.db, _claim_orders, list(self._listeners))
            for notice in orders:
                for language, reply in list(self._listeners.get(notice.shopper_id, {}).values()):
                    reply(self._order_frame(notice, language, held=False))
            pushed = len(claimed) + len(orders)
        if self.settings.notification_webhook_url and time.monotonic() >= self._webhook_after:
            await self._send_webhooks()
        if time.monotonic() >= self._purge_after:
            self._purge_after = time.monotonic() + PURGE_EVERY_S
            await store.in_db_thread(self.db, _purge)
        return pushed

    async def _send_webhooks(self) -> None:
        claimed = await store.in_db_thread(self.db, _claim_webhook)
        if not claimed:
            return
        failed: list[int] = []
        async with httpx.AsyncClient(timeout=5.0) as client:
            for note in claimed:
                body = {"shopper_id": note.shopper_id,
                        "notification": frame_of(note, self.templates["en"], held=False).model_dump(mode="json")}
                try:
                    response = await client.post(self.settings.notification_webhook_url, json=body)
                    response.raise_for_status()
                except httpx.HTTPError as error:
                    log.warning("notification webhook failed (%s); retrying in %.0f s", type(error).__name__,
                                WEBHOOK_RETRY_S)
                    failed.append(note.id)
        if failed:
            self._webhook_after = time.monotonic() + WEBHOOK_RETRY_S
            await store.in_db_thread(self.db, _release_webhook, failed)

    async def _run(self) -> None:
        while True:
            try:
                await self.poll_once()
            except Exception:  # the outbox stays: the next poll tries again
                log.exception("notification poll failed")
            await asyncio.sleep(self.settings.notification_poll_s)

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
