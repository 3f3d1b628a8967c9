"""create_app(settings) → the ASGI app serving every dialect.

All dialects are routers of one FastAPI app (not mounted sub-apps), so ``/openapi.json``
describes every route; each dialect's error format is chosen by path prefix in
``api/errors.py``. Resources are built eagerly here, since httpx's ASGI transport sends no
lifespan events.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

from fastapi import FastAPI

import masthead
from masthead.api import media_files, native
from masthead.api.context import AppServices, Services
from masthead.api.errors import ErrorRenderers, install_error_handlers
from masthead.api.middleware import (
    BodyLimitMiddleware,
    RateLimitMiddleware,
    RequestContextMiddleware,
)
from masthead.api.native.errors import render_native_error
from masthead.api.native.media import UPLOAD_PATHS
from masthead.api.native.schemas import WireModel
from masthead.core.blobs import BlobStore
from masthead.core.ports import Clock, RateLimiter
from masthead.core.security import TokenSigner
from masthead.core.services.auth import AuthPolicy
from masthead.media.setup import build_media_context, media_urls
from masthead.ratelimit import LimitsRateLimiter
from masthead.settings import Settings
from masthead.storage.database import make_engine, ping
from masthead.storage.uow import Database


def utc_now() -> datetime:
    return datetime.now(UTC)


class HealthResponse(WireModel):
    status: str


def create_app(
    settings: Settings,
    *,
    clock: Clock = utc_now,
    limiter: RateLimiter | None = None,
    database: Database | None = None,
    blobs: BlobStore | None = None,
) -> FastAPI:
    database = database or Database(make_engine(settings.effective_database_url))
    limiter = limiter or LimitsRateLimiter(settings.rate_limit_storage_uri)
    policy = AuthPolicy(
        signer=TokenSigner(
            settings.signing_key(), timedelta(seconds=settings.access_token_ttl_seconds)
        ),
        clock=clock,
        limiter=limiter,
        refresh_ttl=timedelta(seconds=settings.refresh_token_ttl_seconds),
        login_limit=settings.login_rate_limit,
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        database.dispose()

    app = FastAPI(
        title="Masthead",
        version=masthead.__version__,
        summary="Headless CMS: one content core, several HTTP APIs.",
        lifespan=lifespan,
        # Clients of the /v1 contract send Content-Type: application/json on every request.
        strict_content_type=False,
    )
    app.state.services = AppServices(
        settings=settings,
        database=database,
        auth=policy,
        clock=clock,
        media=build_media_context(settings, clock, blobs),
        media_urls=media_urls(settings),
    )

    renderers = ErrorRenderers(default=render_native_error)
    renderers.register(native.PREFIX, render_native_error)
    install_error_handlers(app, renderers)

    app.include_router(native.build_router())
    app.include_router(media_files.router)

    @app.get("/health", response_model=HealthResponse, tags=["operations"])
    def health(services: Services) -> HealthResponse:
        """200 when the database answers."""
        ping(services.database.engine)
        return HealthResponse(status="ok")

    # Added last = outermost: the request id wraps even rate-limited and too-large answers.
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        renderers=renderers,
        # Uploads carry files: their own limit, plus room for multipart framing and fields.
        overrides=[(pattern, settings.media_max_bytes + 64 * 1024) for pattern in UPLOAD_PATHS],
    )
    app.add_middleware(
        RateLimitMiddleware, limiter=limiter, limit=settings.rate_limit, renderers=renderers
    )
    app.add_middleware(RequestContextMiddleware)
    return app
