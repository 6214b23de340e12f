"""What every transport shares: settings, storage, the agent runner, fan-out, limits; session opening and checks."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from agent.runner import TurnRunner
from commerce.db import Database
from serving import conversations as store
from serving.conversations import Conversation, ConversationError
from serving.hub import Hub
from serving.identity import IdentityError, shopper_from_token
from serving.limits import MemoryRateLimiter, RateLimiter, RedisRateLimiter
from serving.notifications import Notifier
from serving.protocol import ErrorFrame, HelloFrame, SessionFrame
from serving.turns import TurnManager, error_frame
from shopassist.settings import Settings
from tools.deps import Deps


@dataclass
class Services:
    settings: Settings
    db: Database
    hub: Hub
    limiter: RateLimiter
    turns: TurnManager
    deps: Deps
    notifier: Notifier
    redis: Any | None = None

    @classmethod
    def build(cls, settings: Settings, db: Database, runner: TurnRunner, deps: Deps) -> Services:
        redis = None
        if settings.redis_url:
            import redis.asyncio as redis_asyncio

            redis = redis_asyncio.from_url(settings.redis_url, socket_connect_timeout=2)
        hub = Hub(redis)
        limiter: RateLimiter = RedisRateLimiter(redis) if redis is not None else MemoryRateLimiter()
        return cls(settings, db, hub, limiter, TurnManager(settings, db, runner, hub), deps, Notifier(settings, db),
                   redis)

    async def open_session(self, hello: HelloFrame) -> tuple[Conversation, SessionFrame, list[ErrorFrame]]:
        """Verify the token (a bad one leaves the session anonymous) and resume or start the conversation."""
        errors: list[ErrorFrame] = []
        try:
            shopper_id = shopper_from_token(self.settings, hello.token)
        except IdentityError as error:
            errors.append(error_frame(error.code, error.message))
            shopper_id = None
        try:
            conversation = await store.in_db_thread(self.db, store.open_conversation, hello.session_id, shopper_id,
                                                   hello.language)
        except ConversationError as error:
            errors.append(error_frame(error.code, error.message))
            conversation = await store.in_db_thread(self.db, store.open_conversation, None, shopper_id,
                                                   hello.language)
        items = await store.in_db_thread(self.db, store.history, conversation.id) if conversation.resumed else []
        session = SessionFrame(session_id=conversation.id, resumed=conversation.resumed,
                               authenticated=shopper_id is not None, state=conversation.state, history=items)
        return conversation, session, errors

    async def agent_quota(self, agent_key: str) -> bool:
        """One UCP/ACP request of an agent (REST or MCP): within `agent_requests_per_minute`, counted across
        replicas when Redis is configured."""
        return await self.limiter.allow(f"agent:{agent_key}", self.settings.agent_requests_per_minute)

    async def check_rate(self, conversation_id: str, client_ip: str, client_message_id: str) -> ErrorFrame | None:
        if not await self.limiter.allow(f"session:{conversation_id}", self.settings.messages_per_minute):
            return error_frame("rate_limited", "You are sending messages too quickly. Please wait a moment.",
                               client_message_id)
        if not await self.limiter.allow(f"ip:{client_ip}", self.settings.messages_per_minute_per_ip):
            return error_frame("rate_limited", "Too many messages from your network. Please wait a moment.",
                               client_message_id)
        return None

    async def start(self) -> None:
        await self.hub.start()
        self.turns.leases.start()
        self.turns.attribution.start()
        await self.notifier.start()

    async def stop(self) -> None:
        await self.notifier.stop()
        await self.turns.drain()
        await asyncio.to_thread(self.turns.attribution.stop)
        await self.turns.leases.stop()
        await self.hub.stop()
        if self.redis is not None:
            await self.redis.aclose()
