"""The Trokky error body (``trokky-http-api.txt``, Error Responses):
``{"error": {"code", "message", "details": [{field, message}]}}`` with the document's generic
codes per category, and ``retryAfter`` on a 429 (Rate Limiting).

The real Trokky client also reads ``code`` and ``message`` at the top level, so both are
copied there. The statuses are the shared table's (``api/errors.py``); the document adds
none of its own. Codes the document does not list (413, 405) keep the HTTP meaning in a
code of the same style.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from masthead.api.responses import OrjsonResponse
from masthead.core import errors as e

# Most specific class first; the first match wins. Categories close the table.
TROKKY_CODES: tuple[tuple[type[e.MastheadError], str], ...] = (
    (e.PayloadTooLarge, "PAYLOAD_TOO_LARGE"),
    (e.MethodNotAllowed, "METHOD_NOT_ALLOWED"),
    (e.NotFound, "NOT_FOUND"),
    (e.Conflict, "CONFLICT"),
    (e.Invalid, "VALIDATION_ERROR"),
    (e.Unauthenticated, "UNAUTHORIZED"),
    (e.Forbidden, "FORBIDDEN"),
    (e.RateLimited, "RATE_LIMITED"),
    (e.MastheadError, "INTERNAL_ERROR"),
)


def trokky_code(error: e.MastheadError) -> str:
    for cls, code in TROKKY_CODES:
        if isinstance(error, cls):
            return code
    return "INTERNAL_ERROR"  # pragma: no cover - MastheadError closes the table


def render_trokky_error(error: e.MastheadError, status: int) -> Response:
    body: dict[str, Any] = {"code": trokky_code(error), "message": error.message}
    if error.details:
        body["details"] = [{"field": d.field, "message": d.message} for d in error.details]
    if isinstance(error, e.RateLimited):
        body["retryAfter"] = error.retry_after
    return OrjsonResponse(
        {"error": body, "code": body["code"], "message": body["message"]}, status_code=status
    )
