"""The native /v1 error body: ``{"error": {"code", "message", "details"?, "retryAfter"?}}``.

The codes are the contract's (``native-v1-behaviour.md``, Errors): a specific code where it
names one (AUTH_REQUIRED, DOCUMENT_NOT_FOUND, ...), else the generic code of the error's
category. The status comes from ``api/errors.py``; the /v1 statuses that differ from the
shared table (BLOCKS_INVALID and NAVIGATION_KEY_INVALID are 400s) are overridden here.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from masthead.api.errors import CodeTable, error_code
from masthead.api.responses import OrjsonResponse
from masthead.api.wire import ErrorResponse
from masthead.core import errors as e
from masthead.core.forms import FormNotFound
from masthead.core.jobs import PublishJobNotFound
from masthead.core.navigation import MenuNotFound, NavigationKeyInvalid
from masthead.core.previews import PreviewExpired, PreviewNotFound, PreviewTokenInvalid
from masthead.core.releases import ReleaseNotActive, ReleaseNotFound, ReleaseRouteNotFound
from masthead.core.workflow import SelfApprovalForbidden

# The codes native-v1-behaviour.md names, most specific class first; the categories'
# generic codes (api/errors.py CATEGORY_CODES) follow them.
NATIVE_CODES: CodeTable = (
    (e.DocumentNotFound, "DOCUMENT_NOT_FOUND"),
    (e.MediaNotFound, "MEDIA_NOT_FOUND"),
    (PublishJobNotFound, "PUBLISH_JOB_NOT_FOUND"),
    (ReleaseNotFound, "RELEASE_NOT_FOUND"),
    (ReleaseNotActive, "RELEASE_NOT_ACTIVE"),
    (ReleaseRouteNotFound, "ROUTE_NOT_FOUND"),
    (PreviewNotFound, "PREVIEW_NOT_FOUND"),
    (PreviewTokenInvalid, "PREVIEW_TOKEN_INVALID"),
    (PreviewExpired, "PREVIEW_EXPIRED"),
    (MenuNotFound, "MENU_NOT_FOUND"),
    (FormNotFound, "FORM_NOT_FOUND"),
    (NavigationKeyInvalid, "NAVIGATION_KEY_INVALID"),
    (e.AuthRequired, "AUTH_REQUIRED"),
    (e.InvalidToken, "AUTH_INVALID_TOKEN"),
    (e.InvalidCredentials, "AUTH_INVALID"),
    (e.InvalidRefreshToken, "AUTH_INVALID_REFRESH"),
    (e.UploadTokenInvalid, "MEDIA_UPLOAD_TOKEN_INVALID"),
    (e.BlocksInvalid, "BLOCKS_INVALID"),
    (SelfApprovalForbidden, "FORBIDDEN"),
)

STATUS_OVERRIDES: tuple[tuple[type[e.MastheadError], int], ...] = (
    (e.BlocksInvalid, 400),  # native-v1-behaviour.md: "blocks not in the block-editor shape"
    (NavigationKeyInvalid, 400),  # native-v1-behaviour.md: "menu key missing or invalid"
)

BLOCKS_INVALID_RESPONSE: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorResponse, "description": "BLOCKS_INVALID: blocks not in the editor's shape"}
}
"""The OpenAPI ``responses`` of the routes that write blocks, for the override above."""


def native_code(error: e.MastheadError) -> str:
    return error_code(error, NATIVE_CODES)


def native_status(error: e.MastheadError, status: int) -> int:
    for cls, override in STATUS_OVERRIDES:
        if isinstance(error, cls):
            return override
    return status


def render_native_error(error: e.MastheadError, status: int) -> Response:
    body: dict[str, Any] = {"code": native_code(error), "message": error.message}
    if error.details:
        body["details"] = [{"field": d.field, "message": d.message} for d in error.details]
    if isinstance(error, e.RateLimited):
        body["retryAfter"] = error.retry_after
    return OrjsonResponse({"error": body}, status_code=native_status(error, status))
