"""Abuse limits: messages per minute (per session, per IP; in memory or in Redis) and concurrent streams."""

from __future__ import annotations

import time
from collections import deque
from typing import Any, Protocol

WINDOW_S = 60.0


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
    """Fixed one-minute windows shared by every replica (INCR + EXPIRE)."""

    def __init__(self, redis: Any, prefix: str = "shopassist:rate:") -> None:
        self._redis = redis
        self._prefix = prefix

    async def allow(self, key: str, limit: int) -> bool:
        window = int(time.time() // WINDOW_S)
        name = f"{self._prefix}{key}:{window}"
        async with self._redis.pipeline(transaction=True) as pipe:
            count, _ = await pipe.incr(name).expire(name, int(WINDOW_S) + 5).execute()
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
