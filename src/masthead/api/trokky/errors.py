"""The Trokky error body (``trokky-http-api.txt``, Error Responses):
``{"error": {"code", "message", "details": [{field, message}]}}`` with the document's generic
codes per category (``api/errors.py`` CATEGORY_CODES), and ``retryAfter`` on a 429 (Rate Limiting).

The real Trokky client also reads ``code`` and ``message`` at the top level, so both are
copied there. The statuses are the shared table's (``api/errors.py``); the document adds
none of its own. Codes the document does not list (413, 405) keep the HTTP meaning in a
code of the same style.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from masthead.api.errors import error_code
from masthead.api.responses import OrjsonResponse
from masthead.core import errors as e


def render_trokky_error(error: e.MastheadError, status: int) -> Response:
    body: dict[str, Any] = {"code": error_code(error), "message": error.message}
    if error.details:
        body["details"] = [{"field": d.field, "message": d.message} for d in error.details]
    if isinstance(error, e.RateLimited):
        body["retryAfter"] = error.retry_after
    return OrjsonResponse(
        {"error": body, "code": body["code"], "message": body["message"]}, status_code=status
    )
