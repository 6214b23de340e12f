"""Fan-out of a conversation's frames to every socket watching it: in-process, and across replicas via Redis.

Redis down degrades fan-out to this replica (a warning, once per outage): turns never fail for it, and the
listener reconnects with backoff."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel
from redis.exceptions import RedisError

from serving.protocol import server_frames

log = logging.getLogger(__name__)
_CHANNEL = "shopassist:conversation:"
_BACKOFF_S = (0.5, 1.0, 2.0, 5.0)


class Hub:
    """`subscribe(conversation)` gives a queue of frames; `publish` reaches local queues and other replicas."""

    def __init__(self, redis: Any | None = None) -> None:
        self._local: dict[str, set[asyncio.Queue[BaseModel]]] = {}
        self._redis = redis
        self._origin = secrets.token_hex(8)
        self._listener: asyncio.Task[None] | None = None
        self.shared = redis is not None  # False while Redis is unreachable

    async def start(self) -> None:
        if self._redis is not None:
            self._listener = asyncio.create_task(self._listen_forever())

    async def stop(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener

    @contextlib.contextmanager
    def subscribe(self, conversation_id: str) -> Iterator[asyncio.Queue[BaseModel]]:
        queue: asyncio.Queue[BaseModel] = asyncio.Queue()
        self._local.setdefault(conversation_id, set()).add(queue)
        try:
            yield queue
        finally:
            watchers = self._local.get(conversation_id, set())
            watchers.discard(queue)
            if not watchers:
                self._local.pop(conversation_id, None)

    def watchers(self, conversation_id: str) -> int:
        return len(self._local.get(conversation_id, ()))

    async def publish(self, conversation_id: str, frame: BaseModel) -> None:
        self._deliver(conversation_id, frame)
        if self._redis is not None and self.shared:
            message = f'{{"origin":"{self._origin}","frame":{frame.model_dump_json()}}}'
            try:
                await self._redis.publish(f"{_CHANNEL}{conversation_id}", message)
            except (RedisError, OSError) as error:
                self._degraded(error)

    def _degraded(self, error: BaseException) -> None:
        if self.shared:
            log.warning("Redis unavailable (%s): fan-out and rate limits are per replica until it is back",
                        type(error).__name__)
        self.shared = False

    def _deliver(self, conversation_id: str, frame: BaseModel) -> None:
        for queue in list(self._local.get(conversation_id, ())):
            queue.put_nowait(frame)

    async def _listen_forever(self) -> None:
        assert self._redis is not None
        failures = 0
        while True:
            pubsub = self._redis.pubsub()
            try:
                await pubsub.psubscribe(f"{_CHANNEL}*")
                if not self.shared:
                    log.warning("Redis is back: fan-out across replicas again")
                self.shared, failures = True, 0
                await self._listen(pubsub)
            except (RedisError, OSError) as error:
                self._degraded(error)
                await asyncio.sleep(_BACKOFF_S[min(failures, len(_BACKOFF_S) - 1)])
                failures += 1
            finally:
                with contextlib.suppress(RedisError, OSError):
                    await pubsub.aclose()

    async def _listen(self, pubsub: Any) -> None:
        async for message in pubsub.listen():
            if message.get("type") != "pmessage":
                continue
            try:
                data = json.loads(message["data"])
                if data["origin"] == self._origin:
                    continue
                channel = message["channel"]
                channel = channel.decode() if isinstance(channel, bytes) else channel
                self._deliver(channel.removeprefix(_CHANNEL), server_frames.validate_python(data["frame"]))
            except (ValueError, KeyError):
                log.warning("dropped a malformed fan-out message")
