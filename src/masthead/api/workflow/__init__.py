"""The workflow API (``workflow-content-api.txt``): content items under ``/api/v1/content``
moved through review (submit, approve never by the submitter, reject, publish only from
approved), archived, versioned and reverted. Its own error format (``errors.py``) covers
every path under the prefix."""

from __future__ import annotations

from fastapi import APIRouter

from masthead.api.routing import ClaimedRouter
from masthead.api.wire import error_responses
from masthead.api.workflow import content
from masthead.api.workflow.errors import render_workflow_error
from masthead.api.workflow.schemas import WorkflowErrorResponse

PREFIX = "/api/v1/content"
__all__ = ["PREFIX", "build_router", "render_workflow_error"]

_ERRORS = error_responses(
    WorkflowErrorResponse,
    {
        401: "UNAUTHORIZED: no token, or an invalid one",
        403: "FORBIDDEN (the role table), SELF_APPROVAL_FORBIDDEN",
        404: "NOT_FOUND: the id names no item (here)",
        409: "INVALID_STATUS (currentStatus, requiredStatus), VERSION_NOT_OLDER, CONFLICT",
        422: "VALIDATION_ERROR, with details [{field, message}]",
        429: "RATE_LIMITED, with Retry-After and retryAfter",
    },
)


def build_router() -> APIRouter:
    router = ClaimedRouter(claims=(PREFIX,), responses=_ERRORS)
    router.include_router(content.router)
    return router
