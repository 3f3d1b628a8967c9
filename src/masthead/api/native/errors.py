"""The native /v1 error body: ``{"error": {"code", "message", "details"?, "retryAfter"?}}``.

Codes are the specific ones of ``native-v1-behaviour.md`` (AUTH_REQUIRED, DOCUMENT_NOT_FOUND,
...) carried by each domain error; the status comes from ``api/errors.py``.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from masthead.api.responses import OrjsonResponse
from masthead.core.errors import MastheadError, RateLimited


def render_native_error(error: MastheadError, status: int) -> Response:
    body: dict[str, Any] = {"code": error.code, "message": error.message}
    if error.details:
        body["details"] = [{"field": d.field, "message": d.message} for d in error.details]
    if isinstance(error, RateLimited):
        body["retryAfter"] = error.retry_after
    return OrjsonResponse({"error": body}, status_code=status)
