"""The Trokky API (``trokky-http-api.txt``): documents by type, media, auth and config under a
configurable base path (``MASTHEAD_TROKKY_BASE_PATH``, default ``/api``).

Its routes sit under four resource prefixes only (``documents``, ``media``, ``auth``,
``config``), and so does its error format: the other dialects mounted below ``/api``
(``/api/v1/apps``, ``/api/v1/content``, ``/api/content``) share no path with it.
"""

from __future__ import annotations

from fastapi import APIRouter

from masthead.api.routing import ClaimedRouter
from masthead.api.trokky import auth, config, documents, media
from masthead.api.trokky.errors import render_trokky_error
from masthead.api.wire import ErrorResponse, error_responses

PREFIX = "/api"
RESOURCES = ("/documents", "/media", "/auth", "/config")
__all__ = ["PREFIX", "RESOURCES", "build_router", "owned_prefixes", "render_trokky_error"]

_ERRORS = error_responses(
    ErrorResponse,
    {
        401: "UNAUTHORIZED: authentication required or token invalid",
        403: "FORBIDDEN: insufficient permissions",
        404: "NOT_FOUND",
        409: "CONFLICT",
        422: "VALIDATION_ERROR, with details [{field, message}]",
        429: "RATE_LIMITED, with Retry-After and retryAfter",
    },
)


def owned_prefixes(base_path: str = PREFIX) -> tuple[str, ...]:
    """The path prefixes whose errors Trokky renders."""
    base = base_path.rstrip("/")
    return tuple(base + resource for resource in RESOURCES)


def build_router(base_path: str = PREFIX) -> APIRouter:
    router = ClaimedRouter(
        claims=owned_prefixes(base_path), prefix=base_path.rstrip("/"), responses=_ERRORS
    )
    router.include_router(documents.router)
    router.include_router(media.router)
    router.include_router(auth.router)
    router.include_router(config.router)
    return router
