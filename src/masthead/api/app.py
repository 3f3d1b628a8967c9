"""create_app(settings) → the ASGI app serving every dialect.

All dialects are routers of one FastAPI app (not mounted sub-apps), so ``/openapi.json``
describes every route; each dialect's error format is chosen by path prefix in
``api/errors.py``. Resources are built eagerly here, since httpx's ASGI transport sends no
lifespan events.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

from fastapi import FastAPI, Request, Response
from starlette.concurrency import run_in_threadpool

import masthead
from masthead.api import apps, media_files, native, openapi, toast, trokky, workflow
from masthead.api.context import AppServices, DatabaseProbe
from masthead.api.cors import CorsMiddleware, OptionsMiddleware
from masthead.api.delivery import DeliveryCache, PublishedFastPath
from masthead.api.errors import ErrorRenderers, UnexpectedErrorMiddleware, install_error_handlers
from masthead.api.middleware import (
    BodyLimitMiddleware,
    NulGuardMiddleware,
    RateLimitMiddleware,
    RequestContextMiddleware,
)
from masthead.api.routing import UnownedPathGuard
from masthead.api.wire import HealthResponse
from masthead.core.blobs import BlobStore
from masthead.core.ports import Clock, RateLimiter
from masthead.core.security import DEFAULT_PASSWORDS, Passwords, TokenSigner, UrlSigner
from masthead.core.services import media
from masthead.core.services.actors import ActorCache
from masthead.core.services.auth import AuthPolicy
from masthead.core.services.media_store import MediaContext
from masthead.core.services.publishing import ReleaseFileCache
from masthead.media.setup import build_media_context, media_urls
from masthead.ratelimit import BatchedRateLimiter, LimitsRateLimiter
from masthead.settings import Settings
from masthead.storage.database import make_engine
from masthead.storage.uow import Database
from masthead.workers import EmbeddedWorker, build_runner, publish_deps

SWEEP_INTERVAL_SECONDS = 900.0
HEALTHY = HealthResponse(status="ok").model_dump_json().encode()
# Routes answering through api/delivery.published_answer: what the fast path may answer.
PUBLISHED_PREFIXES = (f"{native.PREFIX}/documents", f"{native.PREFIX}/private/")
log = logging.getLogger("masthead.app")


def utc_now() -> datetime:
    return datetime.now(UTC)


async def _sweep_uploads_periodically(
    database: Database, context: MediaContext, interval: float
) -> None:
    """The embedded share of the worker's chores: forget abandoned uploads now and then."""
    while True:
        try:
            await run_in_threadpool(media.sweep_abandoned_uploads, database.uow, context)
        except Exception:
            log.exception("sweeping abandoned uploads failed; retrying later")
        await asyncio.sleep(interval)


def build_services(
    settings: Settings,
    *,
    clock: Clock = utc_now,
    limiter: RateLimiter,
    database: Database,
    blobs: BlobStore | None = None,
    passwords: Passwords = DEFAULT_PASSWORDS,
) -> AppServices:
    """What the request handlers reach through ``app.state.services``."""
    policy = AuthPolicy(
        signer=TokenSigner(
            settings.signing_key(), timedelta(seconds=settings.access_token_ttl_seconds)
        ),
        clock=clock,
        limiter=limiter,
        refresh_ttl=timedelta(seconds=settings.refresh_token_ttl_seconds),
        login_limit=settings.login_rate_limit,
        passwords=passwords,
        refresh_grace=timedelta(seconds=settings.refresh_reuse_grace_seconds),
    )
    media = build_media_context(settings, clock, blobs)
    urls = media_urls(settings)
    publishing = publish_deps(settings, database, clock, media.blobs, urls)
    worker = (
        EmbeddedWorker(build_runner(settings, publishing), settings.worker_poll_seconds)
        if settings.embedded_worker
        else None
    )
    return AppServices(
        settings=settings,
        database=database,
        auth=policy,
        clock=clock,
        media=media,
        media_urls=urls,
        limiter=limiter,
        publishing=publishing,
        release_files=ReleaseFileCache(media.blobs),
        delivery=DeliveryCache(),
        actors=ActorCache(database.freshness),
        database_probe=DatabaseProbe(database.engine),
        preview_signer=UrlSigner(settings.signing_key().encode()),
        worker=worker,
    )


def create_app(
    settings: Settings,
    *,
    clock: Clock = utc_now,
    limiter: RateLimiter | None = None,
    database: Database | None = None,
    blobs: BlobStore | None = None,
    sweep_interval: float = SWEEP_INTERVAL_SECONDS,
    passwords: Passwords = DEFAULT_PASSWORDS,
) -> FastAPI:
    database = database or Database(
        make_engine(settings.effective_database_url),
        settings.freshness_seconds,
        redis_url=settings.redis_url,
    )
    limiter = limiter or LimitsRateLimiter(settings.rate_limit_storage_uri)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services: AppServices = app.state.services
        sweeper = asyncio.create_task(
            _sweep_uploads_periodically(services.database, services.media, sweep_interval)
        )
        if services.worker is not None:
            services.worker.start()
        yield
        if services.worker is not None:
            await run_in_threadpool(services.worker.stop)
        sweeper.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sweeper
        services.database.dispose()

    app = FastAPI(
        title="Masthead",
        version=masthead.__version__,
        summary="Headless CMS: one content core, several HTTP APIs.",
        lifespan=lifespan,
        # Clients of the /v1 contract send Content-Type: application/json on every request.
        strict_content_type=False,
    )
    app.state.services = build_services(
        settings,
        clock=clock,
        limiter=limiter,
        database=database,
        blobs=blobs,
        passwords=passwords,
    )

    renderers = ErrorRenderers()
    app.state.error_renderers = renderers  # a dialect mounted later registers its format here
    renderers.register(native.PREFIX, native.render_native_error)
    renderers.register("/preview", native.render_native_error)
    for prefix in trokky.owned_prefixes(settings.trokky_base_path):
        renderers.register(prefix, trokky.render_trokky_error)
    renderers.register(apps.PREFIX, apps.render_apps_error)
    renderers.register(workflow.PREFIX, workflow.render_workflow_error)
    renderers.register(toast.PREFIX, toast.render_toast_error)
    install_error_handlers(app, renderers)

    app.include_router(native.build_router())
    # Dialects under /api, most specific prefix first (/api/v1/apps, /api/v1/content,
    # /api/content), then Trokky's /api, whose routes claim only its four resources.
    app.include_router(apps.build_router())
    app.include_router(workflow.build_router())
    app.include_router(toast.build_router())
    app.include_router(trokky.build_router(settings.trokky_base_path))
    app.include_router(media_files.router)
    app.include_router(native.preview_page.router)
    openapi.install(app)

    @app.get("/health", response_model=HealthResponse, tags=["operations"])
    async def health(request: Request) -> Response:
        """200 when the database answered a ping in the last second."""
        # Probed often (load balancers): no dependency to solve, the answer's bytes made once.
        await request.app.state.services.database_probe.check()
        return Response(HEALTHY, media_type="application/json")

    # Added last = outermost: the request id wraps even rate-limited and too-large answers.
    # OPTIONS is answered innermost, so it is guarded, limited and given an id like any request.
    # Innermost: paths no route owns, and cached published answers, before routing and
    # parameter solving.
    app.add_middleware(UnownedPathGuard, router=app.router, renderers=renderers)
    app.add_middleware(PublishedFastPath, prefixes=PUBLISHED_PREFIXES)
    app.add_middleware(OptionsMiddleware, router=app.router)
    app.add_middleware(NulGuardMiddleware, renderers=renderers, max_bytes=settings.max_body_bytes)
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        # Routes that carry files: the media limit, plus room for multipart framing and fields.
        file_max_bytes=settings.media_max_bytes + 64 * 1024,
    )
    # Shared by several processes (Redis), the general limit is counted in batches.
    general_limiter: RateLimiter = (
        BatchedRateLimiter(limiter)
        if settings.redis_url and isinstance(limiter, LimitsRateLimiter)
        else limiter
    )
    app.add_middleware(
        RateLimitMiddleware,
        limiter=general_limiter,
        limit=settings.rate_limit,
        renderers=renderers,
    )
    # Inside CORS and the request id, so an unexpected 500 carries both.
    app.add_middleware(UnexpectedErrorMiddleware, renderers=renderers)
    if settings.cors_origin_list or settings.cors_origin_regex:
        # Outside the limits, so a browser may read a 429 or 413 and its Retry-After.
        app.add_middleware(
            CorsMiddleware,
            origins=settings.cors_origin_list,
            origin_regex=settings.cors_origin_regex,
        )
    app.add_middleware(RequestContextMiddleware)
    return app
