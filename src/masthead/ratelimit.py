"""The rate limiter behind ``core.ports.RateLimiter``, built on the ``limits`` library.

In-memory by default (one process); Redis when MASTHEAD_REDIS_URL is set, so several API
processes share one budget.
"""

from __future__ import annotations

import math
import time
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
        # A sliding-window counter: two counters per key, so a hit costs the same at any
        # limit. A moving window keeps one timestamp per hit, and each hit costs more as
        # the limit grows (at 1,000,000/minute a request spent most of its time there).
        self._limiter = SlidingWindowCounterRateLimiter(self._storage)

    def hit(self, limit: str, *identifiers: str) -> int | None:
        item = _parse(limit)
        if self._limiter.hit(item, *identifiers):
            return None
        stats = self._limiter.get_window_stats(item, *identifiers)
        return max(1, math.ceil(stats.reset_time - time.time()))

    def reset(self) -> None:
        self._storage.reset()


def validate_limit(limit: str) -> str:
    """Raise ValueError unless ``limit`` is a ``limits`` expression such as "10/minute"."""
    _parse(limit)
    return limit
