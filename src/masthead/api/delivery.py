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
from urllib.parse import parse_qsl
from uuid import UUID

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from masthead.api.http import etag_matches, parse_bearer
from masthead.api.middleware import header
from masthead.core.access import Permission, can
from masthead.core.documents import Perspective
from masthead.core.errors import InvalidToken
from masthead.core.listing import default_perspective
from masthead.core.models import Actor, TokenKind

CacheKey = tuple[UUID, int, str, str]


@dataclass(frozen=True)
class CachedAnswer:
    body: bytes
    etag: str
    # What a reader must hold to be given it (the fast path checks it before answering).
    permission: Permission = Permission.READ_PUBLISHED


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


QueryPairs = list[tuple[str, str]]


def query_pairs(scope: Scope) -> QueryPairs:
    """The request's query parameters, decoded as Starlette decodes them."""
    return parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)


def cache_key(space_id: UUID, generation: int, path: str, query: QueryPairs) -> CacheKey:
    """The key of a published answer: the request's path and its query parameters (decoded,
    in sorted order, so their order and spelling do not matter)."""
    return (space_id, generation, path, "&".join(sorted(f"{k}={v}" for k, v in query)))


async def published_answer(
    request: Request,
    cache: DeliveryCache,
    actor: Actor,
    generation: int,
    build: Callable[[], tuple[bytes, str | None]],
    permission: Permission = Permission.READ_PUBLISHED,
) -> Response:
    """The answer of a published read: from ``cache`` when this generation has it (on the
    event loop: a hit waits for no thread), else ``build()`` in the thread pool (its JSON
    bytes and ETag, or None for one made from the bytes). Read the generation *before*
    building, so an answer is never filed under a newer generation than the data it was
    built from."""

    def answer() -> CachedAnswer:
        body, etag = build()
        etag = etag or f'W/"{hashlib.sha256(body).hexdigest()[:24]}"'
        return CachedAnswer(body, etag, permission)

    scope = request.scope
    key = cache_key(actor.space_id, generation, scope["path"], query_pairs(scope))
    found = cache.get(key)
    if found is not None:
        cached, state = found, "hit"
    else:
        cached, state = await run_in_threadpool(cache.get_or_build, key, answer)
    return _response(cached, state, actor, request.headers.get("if-none-match"))


def _response(
    cached: CachedAnswer, state: str, actor: Actor, if_none_match: str | None
) -> Response:
    visibility = "public" if actor.kind is TokenKind.ANONYMOUS else "private"
    headers = {"ETag": cached.etag, "Cache-Control": f"{visibility}, no-cache", "X-Cache": state}
    if etag_matches(if_none_match, cached.etag):
        return Response(status_code=304, headers=headers)
    return Response(cached.body, media_type="application/json", headers=headers)


class PublishedFastPath:
    """Answers a published read the delivery cache holds before FastAPI routes the request
    and solves its parameters, which cost several times the answer itself.

    Only what would be answered the same by the route: a GET whose bearer token is a cached
    actor (``core/services/actors.py``, no query) allowed to read it, whose answer the route
    filed under the space's current generation for this very path and query. Everything
    else (a miss, a new token, an API token's last use due to be written, a reader whose
    perspective is not the published one) goes on to the route, which answers and files it.
    Sits inside the request-id, rate-limit and NUL middleware, so those hold for it too.
    """

    def __init__(self, app: ASGIApp, prefixes: tuple[str, ...]):
        self.app = app
        self.prefixes = prefixes  # routes answered through published_answer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and self._claims(scope["path"]):
            response = self._answer(scope)
            if response is not None:
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def _claims(self, path: str) -> bool:
        return any(path.startswith(prefix) for prefix in self.prefixes)

    def _answer(self, scope: Scope) -> Response | None:
        services = scope["app"].state.services
        try:
            bearer = parse_bearer(_header(scope, b"authorization"))
        except InvalidToken:
            return None
        space = _header(scope, b"x-space")
        # An API token's last use due to be written: the route writes it (claim_touch=False
        # leaves the claim to the route's own lookup).
        hit = services.actors.lookup(bearer, space, services.clock(), claim_touch=False)
        if hit is None or hit.touch_due:
            return None
        actor = hit.actor
        generation = services.freshness.publish_generation(actor.space_id)
        query = query_pairs(scope)
        cached = services.delivery.get(cache_key(actor.space_id, generation, scope["path"], query))
        if cached is None or not can(actor, cached.permission):
            return None
        if cached.permission is Permission.READ_PUBLISHED and not _reads_published(query, actor):
            return None
        return _response(cached, "hit", actor, _header(scope, b"if-none-match"))


def _header(scope: Scope, name: bytes) -> str | None:
    value = header(scope, name)
    return None if value is None else value.decode("latin-1")


def _reads_published(query: QueryPairs, actor: Actor) -> bool:
    """Whether the request reads the published perspective: asked for, or the actor's own
    default (as the document routes decide it)."""
    asked = [v for k, v in query if k == "perspective"]
    if not asked:
        return default_perspective(actor) is Perspective.PUBLISHED
    return asked == [Perspective.PUBLISHED.value]
