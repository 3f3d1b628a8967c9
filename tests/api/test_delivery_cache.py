"""The delivery cache itself: one build for many concurrent misses of a key (no stampede
after a publish), waiters that build for themselves when the builder fails, and the bounds
on what it keeps."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from uuid import uuid4

import pytest

from masthead.api.delivery import CachedAnswer, CacheKey, DeliveryCache

SPACE = uuid4()


def _key(path: str = "/v1/documents", generation: int = 1) -> CacheKey:
    return (SPACE, generation, path, "")


def test_concurrent_misses_of_one_key_build_it_once() -> None:
    cache = DeliveryCache()
    builds: list[int] = []

    def build() -> CachedAnswer:
        builds.append(1)
        time.sleep(0.2)
        return CachedAnswer(b"[]", '"e"')

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: cache.get_or_build(_key(), build), range(8)))
    assert len(builds) == 1
    assert {a.body for a, _ in answers} == {b"[]"}
    assert cache.get_or_build(_key(), build)[1] == "hit"
    assert len(builds) == 1


def test_waiters_build_for_themselves_when_the_builder_fails() -> None:
    cache = DeliveryCache()
    started = threading.Event()
    results: list[str] = []

    def failing() -> CachedAnswer:
        started.set()
        time.sleep(0.1)
        raise RuntimeError("the query failed")

    def waiter() -> None:
        started.wait()
        answer, _ = cache.get_or_build(_key(), lambda: CachedAnswer(b"ok", '"w"'))
        results.append(answer.body.decode())

    thread = threading.Thread(target=waiter)
    thread.start()
    with pytest.raises(RuntimeError):
        cache.get_or_build(_key(), failing)
    thread.join(5)
    assert results == ["ok"]


def test_the_cache_keeps_at_most_its_bytes_and_skips_large_answers() -> None:
    cache = DeliveryCache(max_bytes=100, max_entry=60)
    for number in range(5):
        cache.put(_key(f"/{number}"), CachedAnswer(b"x" * 40, '"a"'))
    kept = [n for n in range(5) if cache.get(_key(f"/{n}")) is not None]
    assert kept == [3, 4]  # the least recently used went first
    cache.put(_key("/big"), CachedAnswer(b"x" * 61, '"b"'))
    assert cache.get(_key("/big")) is None
