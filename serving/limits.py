"""Abuse limits: messages per minute (per session, per IP; in memory or in Redis) and concurrent streams."""

from __future__ import annotations

import logging
import time
from collections import deque
from typing import Any, Protocol

from redis.exceptions import RedisError

log = logging.getLogger(__name__)

WINDOW_S = 60.0
RETRY_S = 5.0  # while Redis is down, how often a request tries it again


class RateLimiter(Protocol):
    async def allow(self, key: str, limit: int) -> bool:
        """Count one hit on `key`; False when it is over `limit` per minute."""
        ...


class MemoryRateLimiter:
    """Sliding window per key, for a single replica."""

    def __init__(self, clock: Any = time.monotonic) -> None:
        self._hits: dict[str, deque[float]] = {}
        self._clock = clock

    async def allow(self, key: str, limit: int) -> bool:
        now = self._clock()
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - WINDOW_S:
            hits.popleft()
        if len(hits) >= limit:
            return False
        hits.append(now)
        return True


class RedisRateLimiter:
    """Fixed one-minute windows shared by every replica (INCR + EXPIRE); per replica while Redis is down."""

    def __init__(self, redis: Any, prefix: str = "shopassist:rate:") -> None:
        self._redis = redis
        self._prefix = prefix
        self._fallback = MemoryRateLimiter()
        self._down = False
        self._retry_at = 0.0

    async def allow(self, key: str, limit: int) -> bool:
        if self._down and time.monotonic() < self._retry_at:
            return await self._fallback.allow(key, limit)
        window = int(time.time() // WINDOW_S)
        name = f"{self._prefix}{key}:{window}"
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                count, _ = await pipe.incr(name).expire(name, int(WINDOW_S) + 5).execute()
        except (RedisError, OSError) as error:
            if not self._down:
                log.warning("Redis unavailable (%s): rate limits are per replica until it is back",
                            type(error).__name__)
            self._down, self._retry_at = True, time.monotonic() + RETRY_S
            return await self._fallback.allow(key, limit)
        if self._down:
            log.warning("Redis is back: rate limits are shared again")
        self._down = False
        return int(count) <= limit


class StreamSlots:
    """Turns running at once in this replica (each holds the model, tools and a socket busy)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.in_use = 0

    def try_acquire(self) -> bool:
        if self.in_use >= self.limit:
            return False
        self.in_use += 1
        return True

    def release(self) -> None:
        self.in_use = max(0, self.in_use - 1)
