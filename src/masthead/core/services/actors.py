"""Actors kept in memory, so a request whose bearer token was seen lately needs no query.

Resolving a bearer token (checking an API token's hash or a JWT's signature and deny-list,
loading the user, their memberships and the space) cost more than the rest of a cached
published read. An actor resolved once is kept under (the token's hash, the requested space)
with the ``auth`` generation read *before* it was resolved; it is used while that generation
is current and, for an access token, until the token expires. Every change of who a token is
or what it may do (a role, a deactivation, a revoked token, a logout, a space's settings)
raises the generation in the same transaction (``storage/uow.py``), so the next request after
it resolves the token again: at once in the process that made the change, within
``MASTHEAD_FRESHNESS_SECONDS`` in others.

An API token's last use is still written at most once a minute
(``auth.API_TOKEN_TOUCH_INTERVAL``): a hit that finds it due says so, once, to its caller,
which writes it with ``auth.record_api_token_use``.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

from masthead.core.models import Actor
from masthead.core.ports import Freshness, UnitOfWork
from masthead.core.services import auth

DEFAULT_MAX_ACTORS = 10_000

CacheKey = tuple[bytes, str | None]


@dataclass
class _Entry:
    actor: Actor
    generation: int
    expires_at: datetime | None  # an access token's expiry; None for API tokens and anonymous
    touched_at: datetime | None  # an API token's last use as last written


@dataclass(frozen=True)
class CachedActor:
    actor: Actor
    touch_due: bool  # an API token whose last use should be written now


class ActorCache:
    """A bounded LRU of resolved actors; one per process (per app)."""

    def __init__(self, freshness: Freshness, max_entries: int = DEFAULT_MAX_ACTORS):
        self.freshness = freshness
        self._max = max_entries
        self._entries: OrderedDict[CacheKey, _Entry] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def key(bearer: str | None, space_slug: str | None) -> CacheKey:
        # The token's hash, not the token: the cache holds no secret a memory dump would give.
        digest = hashlib.sha256(bearer.encode()).digest() if bearer else b""
        return digest, space_slug

    def lookup(
        self,
        bearer: str | None,
        space_slug: str | None,
        now: datetime,
        *,
        claim_touch: bool = True,
    ) -> CachedActor | None:
        """The actor ``bearer`` resolved to in ``space_slug``, if still current. A hit whose
        API token's last use is due says so, and (``claim_touch``) only to this caller: it
        is taken to write it."""
        key = self.key(bearer, space_slug)
        generation = self.freshness.auth_generation()
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry.generation != generation or (
                entry.expires_at is not None and entry.expires_at <= now
            ):
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            touch_due = entry.touched_at is not None and auth.touch_due(entry.touched_at, now)
            if touch_due and claim_touch:
                entry.touched_at = now  # this caller writes it; the others need not
            return CachedActor(entry.actor, touch_due)

    def store(
        self,
        bearer: str | None,
        space_slug: str | None,
        resolved: auth.ResolvedActor,
        generation: int,
        now: datetime,
    ) -> None:
        api_token = resolved.principal.api_token
        touched_at = None
        if api_token is not None:
            # resolve() wrote the last use when it was due, so it is recent either way.
            touched_at = (
                now if auth.touch_due(api_token.last_used_at, now) else api_token.last_used_at
            )
        entry = _Entry(resolved.actor, generation, resolved.expires_at, touched_at)
        key = self.key(bearer, space_slug)
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)


def resolve(
    cache: ActorCache,
    uow: UnitOfWork,
    write_uow: UnitOfWork,
    policy: auth.AuthPolicy,
    bearer: str | None,
    space_slug: str | None,
) -> Actor:
    """Resolve ``bearer`` in ``space_slug`` (``auth.authenticate_actor``) and keep the actor.
    The generation is read first, so an actor resolved from rows that a concurrent change is
    replacing is kept under the old generation and never found again."""
    generation = cache.freshness.auth_generation()
    resolved = auth.resolve_bearer(uow, write_uow, policy, bearer, space_slug)
    cache.store(bearer, space_slug, resolved, generation, policy.clock())
    return resolved.actor
