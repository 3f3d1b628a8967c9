"""The rate limiters (ratelimit.py): the exact one, and the batched one several processes
share a budget through (Redis in production; here one shared in-memory limiter stands for it,
and one test uses the machine's Redis)."""

from __future__ import annotations

import uuid

import pytest
import redis

from masthead.ratelimit import BatchedRateLimiter, LimitsRateLimiter


class Ticks:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _allowed(limiter: BatchedRateLimiter | LimitsRateLimiter, limit: str, hits: int) -> int:
    return sum(limiter.hit(limit, "client", "10.0.0.1") is None for _ in range(hits))


def test_the_exact_limiter_refuses_the_first_hit_over_the_limit() -> None:
    limiter = LimitsRateLimiter()
    assert _allowed(limiter, "50/minute", 50) == 50
    retry_after = limiter.hit("50/minute", "client", "10.0.0.1")
    assert retry_after is not None
    assert 1 <= retry_after <= 60


def test_a_small_limit_is_counted_exactly() -> None:
    batched = BatchedRateLimiter(LimitsRateLimiter(), clock=Ticks())
    assert _allowed(batched, "10/minute", 10) == 10
    assert batched.hit("10/minute", "client", "10.0.0.1") is not None


def test_a_batched_limit_passes_by_at_most_one_batch() -> None:
    batched = BatchedRateLimiter(LimitsRateLimiter(), max_batch=5, clock=Ticks())
    allowed = _allowed(batched, "100/minute", 200)
    assert 100 <= allowed < 105
    assert batched.hit("100/minute", "client", "10.0.0.1") is not None  # refused from then on


def test_processes_sharing_a_budget_pass_it_by_at_most_a_batch_each() -> None:
    shared = LimitsRateLimiter()
    ticks = Ticks()
    processes = [BatchedRateLimiter(shared, max_batch=5, clock=ticks) for _ in range(2)]
    allowed = sum(_allowed(p, "100/minute", 1) for _ in range(200) for p in processes)
    assert 100 <= allowed < 110


def test_hits_older_than_the_interval_are_sent_with_the_next_one() -> None:
    shared = LimitsRateLimiter()
    ticks = Ticks()
    batched = BatchedRateLimiter(shared, max_batch=16, interval=0.25, clock=ticks)
    assert _allowed(batched, "400/minute", 3) == 3  # gathered, not sent yet
    ticks.now += 0.3
    assert _allowed(batched, "400/minute", 1) == 1  # sends all four
    assert _allowed(shared, "400/minute", 400) == 396


class CountingLimiter(LimitsRateLimiter):
    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def hit(self, limit: str, *identifiers: str, cost: int = 1) -> int | None:
        self.calls += 1
        return super().hit(limit, *identifiers, cost=cost)


def test_a_refused_client_is_refused_here_until_its_window_resets() -> None:
    ticks = Ticks()
    shared = CountingLimiter()
    batched = BatchedRateLimiter(shared, max_batch=5, clock=ticks)
    _allowed(batched, "100/minute", 120)
    retry_after = batched.hit("100/minute", "client", "10.0.0.1")
    assert retry_after is not None
    calls = shared.calls
    assert _allowed(batched, "100/minute", 50) == 0
    assert shared.calls == calls  # refused here, without asking the shared limiter
    ticks.now += retry_after + 1
    batched.hit("100/minute", "client", "10.0.0.1")
    assert shared.calls == calls + 1  # the window is over: asked again
    assert batched.hit("100/minute", "client", "10.0.0.2") is None  # others never were refused


def test_the_batched_limiter_counts_in_redis() -> None:
    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url).ping()
    except redis.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    shared = LimitsRateLimiter(url)
    client = f"c-{uuid.uuid4().hex}"
    processes = [BatchedRateLimiter(shared, max_batch=5) for _ in range(2)]
    allowed = sum(
        p.hit("100/minute", "client", client) is None for _ in range(100) for p in processes
    )
    assert 100 <= allowed < 110
