"""The workflow API's error body, one format on every route under ``/api/v1/content``.

``workflow-content-api.txt`` prescribes none, so this is ours, in the document's style
(camelCase keys, statuses named as in its text) and documented in ``docs/workflow-api.md``::

    {"error": {"code": "INVALID_STATUS", "message": "...",
               "currentStatus": "draft", "requiredStatus": "approved",
               "allowedStatuses": ["approved"]}}

``details`` ([{field, message}]) comes with a 422, ``retryAfter`` with a 429. The statuses
are the shared table's (``api/errors.py``); only the codes are chosen here.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from masthead.api.errors import CodeTable, error_code
from masthead.api.responses import OrjsonResponse
from masthead.core import errors as e
from masthead.core.workflow import IllegalTransition, SelfApprovalForbidden, Status

# The codes this dialect names for particular errors, most specific class first; the
# categories' generic codes (api/errors.py CATEGORY_CODES) follow them.
WORKFLOW_CODES: CodeTable = (
    (IllegalTransition, "INVALID_STATUS"),
    (e.RevisionNotOlder, "VERSION_NOT_OLDER"),
    (SelfApprovalForbidden, "SELF_APPROVAL_FORBIDDEN"),
)

# The statuses in the order of the document's lifecycle, so "allowedStatuses" reads in it.
_ORDER = list(Status)


def workflow_code(error: e.MastheadError) -> str:
    return error_code(error, WORKFLOW_CODES)


def _transition_message(error: IllegalTransition, allowed: list[str]) -> str:
    required = " or ".join(f'"{s}"' for s in allowed)
    return (
        f'Cannot {error.action.value}: content is in "{error.current.value}" status; '
        f"it must be in {required} status"
    )


def render_workflow_error(error: e.MastheadError, status: int) -> Response:
    body: dict[str, Any] = {"code": workflow_code(error), "message": error.message}
    if isinstance(error, IllegalTransition):
        allowed = [s.value for s in _ORDER if s in error.required]
        body["message"] = _transition_message(error, allowed)
        body["currentStatus"] = error.current.value
        if len(allowed) == 1:
            body["requiredStatus"] = allowed[0]
        body["allowedStatuses"] = allowed
    elif error.details:
        body["details"] = [{"field": d.field, "message": d.message} for d in error.details]
    if isinstance(error, e.RateLimited):
        body["retryAfter"] = error.retry_after
    return OrjsonResponse({"error": body}, status_code=status)
