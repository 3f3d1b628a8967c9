"""The apps API (``apps-content-api.txt``): content of an app under ``/api/v1/apps/:app_slug``,
with JSON-Schema validation messages, single schemas, ids generated from content, and the
Uploads, Schemas and Deployments APIs the document names (deployments are publish jobs that
build releases).

App = space (named by the path), schema = content type, entry = document (its id is its
slug). Its error format (``errors.py``) covers every path under ``/api/v1/apps``.
"""

from __future__ import annotations

from fastapi import APIRouter

from masthead.api.apps import content, deployments, schema_routes, uploads
from masthead.api.apps.content import PREFIX
from masthead.api.apps.errors import render_apps_error
from masthead.api.apps.schemas import AppsError, AppsValidationError
from masthead.api.routing import ClaimedRouter
from masthead.api.wire import error_responses

__all__ = ["PREFIX", "build_router", "render_apps_error"]

_ERRORS = {
    **error_responses(AppsValidationError, {400: "Validation failed: messages by path"}),
    **error_responses(
        AppsError,
        {
            401: "No token, or an invalid one",
            403: "Your role may not do this in this app",
            404: "No such app (for you), schema, entry, upload or deployment",
            409: "Conflict: id or schema taken, or the workflow refuses the change",
            413: "Request body too large",
            429: "Too many requests (Retry-After)",
        },
    ),
}


def build_router() -> APIRouter:
    router = ClaimedRouter(claims=(PREFIX,), responses=_ERRORS)
    router.include_router(content.router)
    router.include_router(uploads.router)
    router.include_router(schema_routes.router)
    router.include_router(deployments.router)
    return router
