"""The rate limiter behind ``core.ports.RateLimiter``, built on the ``limits`` library.

In-memory by default (one process); Redis when MASTHEAD_REDIS_URL is set, so several API
processes share one budget.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import SlidingWindowCounterRateLimiter


@lru_cache(maxsize=64)
def _parse(limit: str) -> RateLimitItem:
    return parse(limit)


class LimitsRateLimiter:
    def __init__(self, storage_uri: str = "memory://"):
        self._storage = storage_from_string(storage_uri)
        # A sliding-window counter: two counters per key, so its memory and the cost of a hit
        # stay the same at any limit; a moving window keeps one timestamp per hit.
        self._limiter = SlidingWindowCounterRateLimiter(self._storage)

    def hit(self, limit: str, *identifiers: str, cost: int = 1) -> int | None:
        item = _parse(limit)
        if self._limiter.hit(item, *identifiers, cost=cost):
            return None
        stats = self._limiter.get_window_stats(item, *identifiers)
        return max(1, math.ceil(stats.reset_time - time.time()))

    def reset(self) -> None:
        self._storage.reset()


def validate_limit(limit: str) -> str:
    """Raise ValueError unless ``limit`` is a ``limits`` expression such as "10/minute"."""
    _parse(limit)
    return limit


MAX_PENDING_CLIENTS = 10_000


@dataclass
class _Pending:
    hits: int = 0
    since: float = 0.0
    refused_until: float = 0.0


class BatchedRateLimiter:
    """The general per-client limit counted in batches in a shared limiter (Redis).

    Asking Redis on every request cost about as much as answering a cached read, and blocked
    the event loop meanwhile. Each process counts a client's hits here and sends them to the
    shared limiter together: once ``batch`` have gathered, or on the first hit after
    ``interval`` seconds. A refusal there refuses the client here until its window resets.
    So a client may pass the limit by up to ``batch`` hits per process and window (16 of a
    600/minute limit, per process); a limit too small to batch (under 20 per window) is
    counted exactly. Logins keep the exact limiter.
    """

    def __init__(
        self,
        shared: LimitsRateLimiter,
        max_batch: int = 16,
        interval: float = 0.25,
        clock: Callable[[], float] = time.monotonic,
    ):
        self._shared = shared
        self._max_batch = max_batch
        self._interval = interval
        self._clock = clock
        self._pending: dict[tuple[str, ...], _Pending] = {}
        self._lock = threading.Lock()

    def hit(self, limit: str, *identifiers: str) -> int | None:
        batch = min(self._max_batch, _parse(limit).amount // 20)
        if batch <= 1:
            return self._shared.hit(limit, *identifiers)
        key = (limit, *identifiers)
        now = self._clock()
        with self._lock:
            if len(self._pending) > MAX_PENDING_CLIENTS:
                self._forget_quiet(now)
            pending = self._pending.setdefault(key, _Pending(since=now))
            if now < pending.refused_until:
                return max(1, math.ceil(pending.refused_until - now))
            pending.hits += 1
            if pending.hits < batch and now - pending.since < self._interval:
                return None
            hits, pending.hits, pending.since = pending.hits, 0, now
        retry_after = self._shared.hit(limit, *identifiers, cost=hits)
        if retry_after is not None:
            with self._lock:
                # The entry itself, kept or put back: a reset or a sweep by another thread
                # may have dropped it meanwhile.
                pending.refused_until = now + retry_after
                self._pending.setdefault(key, pending)
            return retry_after
        with self._lock:
            if self._pending.get(key) is pending and pending.hits == 0:
                del self._pending[key]  # nothing gathered: forget the client
        return None

    def _forget_quiet(self, now: float) -> None:
        """Drop the clients not seen for a while (their few unsent hits with them)."""
        quiet = [
            k for k, p in self._pending.items() if now - p.since > 60 and now >= p.refused_until
        ]
        for key in quiet:
            del self._pending[key]

    def reset(self) -> None:
        with self._lock:
            self._pending.clear()
        self._shared.reset()
