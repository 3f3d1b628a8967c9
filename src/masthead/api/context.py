"""Request dependencies: the app's services, the caller (principal), and the actor in a space.

Handlers declare these through the ``Annotated`` aliases at the bottom, so they all read alike.
Dependencies that do no I/O are ``async def``: FastAPI runs plain ``def`` ones in its thread
pool, and each hop there costs more than the work itself.
"""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from masthead.api.delivery import DeliveryCache
from masthead.api.http import parse_bearer
from masthead.api.middleware import client_address
from masthead.core.media import MediaUrls
from masthead.core.models import Actor, Principal
from masthead.core.ports import Clock, Freshness, RateLimiter, UnitOfWork
from masthead.core.security import UrlSigner
from masthead.core.services import actors, auth
from masthead.core.services.actors import ActorCache
from masthead.core.services.media_store import MediaContext
from masthead.core.services.publishing import ReleaseFileCache
from masthead.core.services.release_builder import PublishDeps
from masthead.settings import Settings
from masthead.storage.database import ping
from masthead.storage.uow import Database
from masthead.workers import EmbeddedWorker


class DatabaseProbe:
    """The database check of ``/health``: a ping at most ``max_age`` seconds old that
    succeeded, else a new one. Checks that arrive while one runs share it, and a failed ping
    is never reused, so a load balancer's or a load test's probes cost at most one ping a
    second and a database that stops answering is reported by the next check after it."""

    def __init__(self, engine: Engine, max_age: float = 1.0):
        self._engine = engine
        self._max_age = max_age
        self._running: asyncio.Future[None] | None = None
        self._answered_at = -math.inf

    async def check(self) -> None:
        """Raise if the database does not answer."""
        loop = asyncio.get_running_loop()
        if loop.time() - self._answered_at < self._max_age:
            return
        if self._running is None:
            self._running = asyncio.ensure_future(run_in_threadpool(ping, self._engine))
            self._running.add_done_callback(self._finished)
        await asyncio.shield(self._running)

    def _finished(self, done: asyncio.Future[None]) -> None:
        self._running = None
        if not done.cancelled() and done.exception() is None:
            self._answered_at = asyncio.get_running_loop().time()


@dataclass(frozen=True)
class AppServices:
    """Everything a request handler may hand to a core service; built once by create_app."""

    settings: Settings
    database: Database
    auth: auth.AuthPolicy
    clock: Clock
    media: MediaContext
    media_urls: MediaUrls
    limiter: RateLimiter  # the one the middleware and logins count in, shared by every limit
    publishing: PublishDeps
    release_files: ReleaseFileCache  # immutable files of releases, kept in memory
    delivery: DeliveryCache  # published reads' answers, by publish generation
    actors: ActorCache  # resolved bearer tokens, by auth generation
    database_probe: DatabaseProbe  # /health's
    preview_signer: UrlSigner
    worker: EmbeddedWorker | None  # None when `masthead worker` processes run the jobs

    # How handlers get a unit of work: always through these, never through ``database``
    # (tests/core/test_boundaries.py holds dialects to it), so storage stays behind the core.
    def uow(self) -> UnitOfWork:
        """A unit of work for a service that writes."""
        return self.database.uow()

    def read_uow(self) -> UnitOfWork:
        """A unit of work for a service that only reads (no write lock on SQLite)."""
        return self.database.read_uow()

    @property
    def freshness(self) -> Freshness:
        """The generations this process's caches are checked against."""
        return self.database.freshness


async def get_services(request: Request) -> AppServices:
    services: AppServices = request.app.state.services
    return services


async def get_client(request: Request) -> str:
    return client_address(request.scope)


async def get_bearer(authorization: Annotated[str | None, Header()] = None) -> str | None:
    return parse_bearer(authorization)


def get_principal(
    services: Annotated[AppServices, Depends(get_services)],
    bearer: Annotated[str | None, Depends(get_bearer)],
) -> Principal:
    db = services.database
    return auth.authenticate(db.read_uow(), db.uow(), services.auth, bearer)


# Which API a path belongs to (longest prefix first): the provenance recorded on what a
# request creates (``Actor.via``). Trokky's base path is a setting, so it is matched apart.
API_NAMES: tuple[tuple[str, str], ...] = (
    ("/api/v1/apps", "apps"),
    ("/api/v1/content", "workflow"),
    ("/api/content", "toast"),
    ("/v1", "v1"),
)


def api_name(path: str, trokky_base: str) -> str | None:
    """The API serving ``path``, or None outside every dialect."""
    for prefix, name in API_NAMES:
        if path == prefix or path.startswith(prefix + "/"):
            return name
    base = trokky_base.rstrip("/")
    return "trokky" if path.startswith(base + "/") else None


async def get_actor(
    request: Request,
    authorization: Annotated[str | None, Header()] = None,
    x_space: Annotated[str | None, Header(description="Space slug; else the token's")] = None,
) -> Actor:
    # Every content request's first step, so it declares its headers itself rather than
    # through sub-dependencies: each one FastAPI solves costs more than the lookup below.
    # A token seen lately is answered from memory on the event loop; only a new one (or one
    # whose generation moved) is resolved, in the thread pool (core/services/actors.py).
    services: AppServices = request.app.state.services
    bearer = parse_bearer(authorization)
    db = services.database
    now = services.clock()
    hit = services.actors.lookup(bearer, x_space, now)
    if hit is None:
        actor = await run_in_threadpool(
            actors.resolve, services.actors, db.read_uow(), db.uow(), services.auth, bearer, x_space
        )
    else:
        actor = hit.actor
        if hit.touch_due and actor.api_token_id is not None:
            await run_in_threadpool(auth.record_api_token_use, db.uow(), actor.api_token_id, now)
    via = api_name(request.scope["path"], services.settings.trokky_base_path)
    return actor.model_copy(update={"via": via}) if via else actor


Services = Annotated[AppServices, Depends(get_services)]
Client = Annotated[str, Depends(get_client)]
CurrentPrincipal = Annotated[Principal, Depends(get_principal)]
CurrentActor = Annotated[Actor, Depends(get_actor)]
