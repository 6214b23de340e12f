"""The stream manager: one shopper message → one agent turn, fanned out as frames, always closed and persisted."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime

from pydantic import BaseModel

from agent.events import (
    AgentEvent,
    CitationsEvent,
    DoneEvent,
    ErrorEvent,
    HandoffEvent,
    IdentityEvent,
    ProductsEvent,
    TokenEvent,
    ToolCallEvent,
)
from agent.runner import TurnRunner
from agent.state import TurnRequest
from agent.transcript import turn_from_events
from commerce.db import Database
from commerce.events import EventWriter
from serving import conversations as store
from serving import leases, metrics
from serving.assignments import Assignment, Assignments
from serving.attribution import Attribution, RecentTurns, turn_events
from serving.coalesce import Coalescer
from serving.conversations import Conversation
from serving.hub import Hub
from serving.limits import StreamSlots
from serving.logs import event
from serving.protocol import AckFrame, DoneFrame, ErrorFrame, MessageFrame, StateFrame, UserEchoFrame
from shopassist.settings import Settings

Reply = Callable[[BaseModel], None]
INTERRUPTED = "The assistant was interrupted before it answered (a server restarted). Send your message again."


def error_frame(code: str, message: str, client_message_id: str | None = None) -> ErrorFrame:
    metrics.ERRORS.labels(code).inc()
    return ErrorFrame(code=code, message=message, client_message_id=client_message_id)


class TurnManager:
    """Turns run as tasks owned here, not by a socket: a dropped connection does not lose the answer."""

    def __init__(self, settings: Settings, db: Database, runner: TurnRunner, hub: Hub) -> None:
        self.settings, self.db, self.runner, self.hub = settings, db, runner, hub
        self.slots = StreamSlots(settings.max_concurrent_streams)
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self.leases = leases.Leases(db, settings.turn_lease_s)
        self._watchers: set[asyncio.Task[None]] = set()
        self.attribution = EventWriter(db, settings.insights_flush_s, enabled=settings.insights_events)
        self.assignments = Assignments(db, settings.experiments_refresh_s)
        self.recent = RecentTurns()

    async def accept(self, conversation: Conversation, frame: MessageFrame, reply: Reply, transport: str) -> bool:
        """Store the message (once per client_message_id), answer the sender; True when its answer is still to come
        (a new turn started, or the first send of it still runs and is watched)."""
        cid = frame.client_message_id
        if len(frame.text) > self.settings.max_message_chars:
            reply(error_frame("message_too_long", f"Messages are limited to {self.settings.max_message_chars} "
                                                  "characters.", cid))
            return False
        if not self.slots.try_acquire():
            reply(error_frame("too_many_streams", "The assistant is busy right now. Please try again shortly.", cid))
            return False
        started = time.perf_counter()
        stored = await store.in_db_thread(self.db, store.store_user_message, conversation.id, cid, frame.text,
                                          (self.leases.owner, self.leases.ttl_s))
        state = stored.conversation.state
        if (stored.duplicate and not stored.taken_over) or state != "bot":
            self.slots.release()
            reply(AckFrame(client_message_id=cid, message_id=stored.id, duplicate=stored.duplicate))
            if stored.reply is not None:
                reply(_replayed(stored.reply, cid))
            elif stored.running:
                self._watch(stored.id, cid, reply)
            elif not stored.duplicate:
                await self.hub.publish(conversation.id, UserEchoFrame(message_id=stored.id, client_message_id=cid,
                                                                      text=frame.text))
            event("message", conversation=conversation.id, duplicate=stored.duplicate, state=state)
            return stored.reply is None and stored.running
        reply(AckFrame(client_message_id=cid, message_id=stored.id, duplicate=stored.duplicate))
        metrics.TURNS.labels(transport).inc()
        task = asyncio.create_task(self._run(stored, frame, started))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return True

    async def _run(self, stored: store.StoredMessage, frame: MessageFrame, started: float) -> None:
        # One turn at a time per conversation, in arrival order (asyncio.Lock is FIFO); the count drops the lock.
        conversation = stored.conversation
        lock, users = self._locks.get(conversation.id, (asyncio.Lock(), 0))
        self._locks[conversation.id] = (lock, users + 1)
        self.leases.running += 1
        try:
            async with lock:
                if users:  # an earlier turn ran meanwhile: it may have verified the shopper
                    current = await store.in_db_thread(self.db, store.get_conversation, conversation.id)
                    conversation = current or conversation
                await self._turn(conversation, frame, stored, started)
        except Exception:
            logging.getLogger(__name__).exception("turn bookkeeping failed")
            await self.hub.publish(conversation.id, error_frame("internal", "Something went wrong on our side.",
                                                                frame.client_message_id))
        finally:
            self.leases.running -= 1
            self.slots.release()
            lock, users = self._locks[conversation.id]
            if users == 1:
                del self._locks[conversation.id]
            else:
                self._locks[conversation.id] = (lock, users - 1)

    async def _turn(self, conversation: Conversation, frame: MessageFrame, stored: store.StoredMessage,
                    started: float) -> None:
        began_at = datetime.now(UTC)
        language = frame.language or conversation.language
        assignment = await self._assign(conversation, language)
        request = TurnRequest(text=frame.text, conversation_id=conversation.id, shopper_id=conversation.shopper_id,
                              history=store.agent_history(stored.earlier), language=frame.language,
                              settings=assignment.settings)
        events, first_token_ms = await self._stream(conversation.id, request, started)
        final = events[-1]
        latency_ms = round((time.perf_counter() - started) * 1000, 1)
        index = sum(1 for item in stored.earlier if item.role == "user")
        turn = turn_from_events(index, frame.text, events, language=frame.language, started_at=began_at,
                                finished_at=datetime.now(UTC), first_token_ms=first_token_ms)
        turn.latency_ms = latency_ms
        products = [card for e in events if isinstance(e, ProductsEvent) for card in e.products]
        citations = [c for e in events if isinstance(e, CitationsEvent) for c in e.citations]
        reply_id = await store.in_db_thread(self.db, store.store_reply, conversation.id, stored.id, turn, products,
                                           citations, self.leases.owner)
        if reply_id is None:
            event("turn_taken_over", logging.WARNING, conversation=conversation.id)
            return
        if any(isinstance(e, HandoffEvent) for e in events):
            await store.in_db_thread(self.db, store.set_state, conversation.id, "queued")
            await self.hub.publish(conversation.id, StateFrame(state="queued"))
        cid = frame.client_message_id
        if isinstance(final, DoneEvent):
            closing: BaseModel = DoneFrame(**final.model_dump(), message_id=reply_id, client_message_id=cid)
        else:
            closing = error_frame(final.code, final.message, cid)
        await self.hub.publish(conversation.id, closing)
        outcome = "done" if isinstance(final, DoneEvent) else final.code
        metrics.TURN_SECONDS.labels(outcome).observe(latency_ms / 1000)
        attribution = Attribution(conversation.id, conversation.shopper_id, language, variant=assignment.variant)
        self.attribution.add([*assignment.exposures,
                              *turn_events(attribution, frame.text, events, stored.earlier, latency_ms)])
        self.recent.keep(attribution)
        event("turn", conversation=conversation.id, code=outcome, latency_ms=latency_ms,
              first_token_ms=first_token_ms, tools=[call.name for call in turn.tool_calls], products=len(products))

    async def _assign(self, conversation: Conversation, language: str) -> Assignment:
        """The conversation's experiment buckets; none (default settings) when experiments cannot be read."""
        if not self.settings.insights_events:
            return Assignment()
        try:
            return await self.assignments.for_turn(conversation.id, conversation.shopper_id, language)
        except Exception:
            logging.getLogger(__name__).exception("experiments not read: the turn runs on the default settings")
            return Assignment()

    async def _stream(self, conversation_id: str, request: TurnRequest,
                      started: float) -> tuple[list[AgentEvent], float | None]:
        """Forward the agent's events; the list always ends with exactly one DoneEvent or ErrorEvent."""
        events: list[AgentEvent] = []
        first_token_ms: float | None = None
        final: DoneEvent | ErrorEvent | None = None
        frames = Coalescer(lambda item: self.hub.publish(conversation_id, item), self.settings.stream_frame_ms / 1000)
        try:
            async with asyncio.timeout(self.settings.turn_timeout_s):
                async with contextlib.aclosing(self.runner.stream(request)) as stream:  # type: ignore[type-var]
                    async for item in stream:
                        if isinstance(item, DoneEvent | ErrorEvent):
                            final = item
                            break
                        if isinstance(item, TokenEvent) and first_token_ms is None:
                            first_token_ms = round((time.perf_counter() - started) * 1000, 1)
                            metrics.FIRST_TOKEN_SECONDS.observe(first_token_ms / 1000)
                        if isinstance(item, ToolCallEvent):
                            metrics.TOOL_SECONDS.labels(item.name).observe(item.latency_ms / 1000)
                        if isinstance(item, IdentityEvent):  # internal: stored, never sent to clients
                            await self._keep_identity(conversation_id, item.shopper_id)
                            continue
                        events.append(item)
                        frames.put(item)
        except TimeoutError:
            final = ErrorEvent(code="turn_timeout", message="The assistant took too long to answer. Please try again.")
        except Exception:
            logging.getLogger(__name__).exception("agent stream failed")
            final = ErrorEvent(code="internal", message="Something went wrong on our side. Please try again.")
        await frames.close()
        events.append(final or ErrorEvent(code="internal", message="The answer ended unexpectedly."))
        return events, first_token_ms

    async def _keep_identity(self, conversation_id: str, shopper_id: str) -> None:
        """The shopper verified in this turn is the conversation's shopper id for its later turns."""
        kept = await store.in_db_thread(self.db, store.verify_shopper, conversation_id, shopper_id)
        if not kept:
            event("identity_not_changed", logging.WARNING, conversation=conversation_id)

    async def report_pending(self, conversation_id: str, reply: Reply) -> None:
        """On resuming a session: its turns that died with their replica are reported interrupted (the client
        resends them); those still running elsewhere are watched until they end."""
        for item in await store.in_db_thread(self.db, leases.pending, conversation_id):
            if item.live:
                self._watch(item.message_id, item.client_message_id, reply)
            else:
                reply(error_frame("interrupted", INTERRUPTED, item.client_message_id))

    def _watch(self, message_id: int, client_message_id: str, reply: Reply) -> None:
        """A turn running on another replica: its frames come through the hub; if its lease expires unanswered,
        that replica died and the client hears `interrupted`."""
        async def watch() -> None:
            state: leases.LeaseState = "live"
            while state == "live":
                await asyncio.sleep(self.leases.ttl_s / 3)
                state = await store.in_db_thread(self.db, leases.state, message_id)
            if state == "expired":
                reply(error_frame("interrupted", INTERRUPTED, client_message_id))

        task = asyncio.create_task(watch())
        self._watchers.add(task)
        task.add_done_callback(self._watchers.discard)

    async def drain(self) -> None:
        """Wait for running turns (shutdown and tests)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
        for watcher in list(self._watchers):
            watcher.cancel()


def _replayed(reply: store.HistoryItem, client_message_id: str) -> BaseModel:
    if reply.error:
        return ErrorFrame(code=reply.error, message="This message already failed; send it again with a new id.",
                          client_message_id=client_message_id)
    return DoneFrame(text=reply.text, message_id=reply.message_id, client_message_id=client_message_id)
