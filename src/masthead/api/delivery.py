"""Published reads served from memory: answers cached by space, publish generation and URL.

A published read (``perspective=published``, the default of frontends' viewer tokens and
anonymous readers) answers the same to every reader of the space until something published
changes, and then the space's generation changes (``core/services/delivery.py``). So the
answer's bytes are kept under (space, generation, path, query): a hit costs the caller's
authentication and one generation lookup, no query and no serialisation; a stale entry is
never found again and ages out. Every answer carries an ``ETag``; a matching
``If-None-Match`` gets 304.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from masthead.api.http import etag_matches
from masthead.core.models import Actor, TokenKind

CacheKey = tuple[UUID, int, str, str]


@dataclass(frozen=True)
class CachedAnswer:
    body: bytes
    etag: str


class DeliveryCache:
    """A bounded LRU of published answers (by bytes); one per process.

    Single flight: when many readers miss the same key at once (right after a publish, every
    key of the space is new), one builds the answer and the others wait for it, instead of
    each running the same query."""

    def __init__(
        self,
        max_bytes: int = 16 * 1024 * 1024,
        max_entry: int = 1024 * 1024,
        wait_seconds: float = 10.0,
    ):
        self._max = max_bytes
        self._max_entry = max_entry
        self._wait = wait_seconds
        self._entries: OrderedDict[CacheKey, CachedAnswer] = OrderedDict()
        self._building: dict[CacheKey, threading.Event] = {}
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: CacheKey) -> CachedAnswer | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: CacheKey, answer: CachedAnswer) -> None:
        if len(answer.body) > self._max_entry:
            return
        with self._lock:
            if key in self._entries:
                return
            self._entries[key] = answer
            self._size += len(answer.body)
            while self._size > self._max:
                _, dropped = self._entries.popitem(last=False)
                self._size -= len(dropped.body)

    def get_or_build(
        self, key: CacheKey, build: Callable[[], CachedAnswer]
    ) -> tuple[CachedAnswer, str]:
        """The cached answer ("hit"), or the one this caller or a concurrent one built
        ("miss"). A builder that fails lets the waiters build for themselves."""
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                return found, "hit"
            building = self._building.get(key)
            if building is None:
                self._building[key] = threading.Event()
        if building is not None:
            building.wait(self._wait)
            found = self.get(key)
            return (found, "miss") if found is not None else (build(), "miss")
        try:
            answer = build()
            self.put(key, answer)
            return answer, "miss"
        finally:
            with self._lock:
                self._building.pop(key).set()


def _key(request: Request, actor: Actor, generation: int) -> CacheKey:
    query = "&".join(sorted(f"{k}={v}" for k, v in request.query_params.multi_items()))
    return (actor.space_id, generation, request.url.path, query)


async def published_answer(
    request: Request,
    cache: DeliveryCache,
    actor: Actor,
    generation: int,
    build: Callable[[], tuple[bytes, str | None]],
) -> Response:
    """The answer of a published read: from ``cache`` when this generation has it (on the
    event loop: a hit waits for no thread), else ``build()`` in the thread pool (its JSON
    bytes and ETag, or None for one made from the bytes). Read the generation *before*
    building, so an answer is never filed under a newer generation than the data it was
    built from."""

    def answer() -> CachedAnswer:
        body, etag = build()
        return CachedAnswer(body, etag or f'W/"{hashlib.sha256(body).hexdigest()[:24]}"')

    key = _key(request, actor, generation)
    found = cache.get(key)
    if found is not None:
        cached, state = found, "hit"
    else:
        cached, state = await run_in_threadpool(cache.get_or_build, key, answer)
    scope = "public" if actor.kind is TokenKind.ANONYMOUS else "private"
    headers = {"ETag": cached.etag, "Cache-Control": f"{scope}, no-cache", "X-Cache": state}
    if etag_matches(request.headers.get("if-none-match"), cached.etag):
        return Response(status_code=304, headers=headers)
    return Response(cached.body, media_type="application/json", headers=headers)
