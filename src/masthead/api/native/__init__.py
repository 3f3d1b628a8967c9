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
    router = APIRouter(prefix=PREFIX, responses=_ERRORS)
    router.include_router(auth.router)
    router.include_router(types.router)
    router.include_router(documents.router)
    router.include_router(singletons.router)
    router.include_router(media.router)
    router.include_router(accounts.router)
    router.include_router(navigation.router)
    router.include_router(forms.router)
    router.include_router(publishing.router)
    return router
