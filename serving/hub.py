"""Fan-out of a conversation's frames to every socket watching it: in-process, and across replicas via Redis."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from serving.protocol import server_frames

log = logging.getLogger(__name__)
_CHANNEL = "shopassist:conversation:"


class Hub:
    """`subscribe(conversation)` gives a queue of frames; `publish` reaches local queues and other replicas."""

    def __init__(self, redis: Any | None = None) -> None:
        self._local: dict[str, set[asyncio.Queue[BaseModel]]] = {}
        self._redis = redis
        self._origin = secrets.token_hex(8)
        self._listener: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if self._redis is not None:
            pubsub = self._redis.pubsub()
            await pubsub.psubscribe(f"{_CHANNEL}*")
            self._listener = asyncio.create_task(self._listen(pubsub))

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
        if self._redis is not None:
            message = json.dumps({"origin": self._origin, "frame": frame.model_dump(mode="json")})
            await self._redis.publish(f"{_CHANNEL}{conversation_id}", message)

    def _deliver(self, conversation_id: str, frame: BaseModel) -> None:
        for queue in list(self._local.get(conversation_id, ())):
            queue.put_nowait(frame)

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
