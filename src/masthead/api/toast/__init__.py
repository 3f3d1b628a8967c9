"""The Toast API (``toast-content-api.txt``): site-scoped content with SEO fields, paging and
numbered versions, under ``/api/content``.

Site = space (the caller's default space, or the one ``X-Space`` names), content type = the
built-in ``post`` and ``page`` types, version = revision. Its routes and its error format
cover ``/api/content`` only, so Trokky's ``/api`` and the workflow API's ``/api/v1/content``
share no path with it.
"""

from __future__ import annotations

from fastapi import APIRouter

from masthead.api.routing import ClaimedRouter
from masthead.api.toast import content
from masthead.api.toast.content import PREFIX
from masthead.api.toast.errors import render_toast_error
from masthead.api.toast.schemas import ToastError, ToastValidationError
from masthead.api.wire import error_responses

__all__ = ["PREFIX", "build_router", "render_toast_error"]

_ERRORS = {
    **error_responses(ToastValidationError, {400: "Invalid request, with Zod issues"}),
    **error_responses(
        ToastError,
        {
            401: "Authentication required, or the token is invalid",
            403: "Your role may not do this on this site",
            404: "No such content (on this site) or version",
            409: "Conflict: slug taken, or the workflow refuses the change",
            413: "Request body too large",
            429: "Too many requests (Retry-After)",
        },
    ),
}


def build_router() -> APIRouter:
    router = ClaimedRouter(claims=(PREFIX,), responses=_ERRORS)
    router.include_router(content.router)
    return router
