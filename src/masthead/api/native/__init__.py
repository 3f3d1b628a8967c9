"""The native /v1 API: Masthead's own contract (``native-v1-routes.md``)."""

from __future__ import annotations

from fastapi import APIRouter

from masthead.api.native import (
    accounts,
    auth,
    documents,
    forms,
    media,
    navigation,
    preview_page,
    publishing,
    singletons,
    types,
)
from masthead.api.native.errors import render_native_error
from masthead.api.routing import ClaimedRouter, claiming_segments
from masthead.api.wire import ErrorResponse, error_responses

PREFIX = "/v1"
__all__ = ["PREFIX", "build_router", "preview_page", "render_native_error"]

_ERRORS = error_responses(
    ErrorResponse,
    {
        401: "Authentication required or token invalid",
        403: "Not allowed",
        404: "Not found",
        409: "Conflict",
        413: "Request body too large",
        422: "Validation failed",
        429: "Rate limited",
    },
)


def build_router() -> APIRouter:
    router = ClaimedRouter(claims=(PREFIX,), prefix=PREFIX, responses=_ERRORS)
    # Each part claims its first path segments, so a request is matched against its part's
    # routes only (api/routing.py).
    for part in (
        auth,
        types,
        documents,
        singletons,
        media,
        accounts,
        navigation,
        forms,
        publishing,
    ):
        router.include_router(claiming_segments(part.router, PREFIX))
    return router
