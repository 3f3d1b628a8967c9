"""Every error the core raises renders in Trokky's format (``trokky-http-api.txt``, Error
Responses) with the code its status has in the document's table, so a client that switches on
``error.code`` never sees a code that contradicts the status."""

from __future__ import annotations

import orjson
import pytest

from masthead.api import errors as api_errors
from masthead.api.trokky import render_trokky_error
from masthead.core import errors as e
from masthead.core.errors import FieldError
from masthead.core.workflow import Action, IllegalTransition, Status

# The document's table, and one code in its style for each status it does not list.
DOCUMENTED = {
    422: "VALIDATION_ERROR",
    404: "NOT_FOUND",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    409: "CONFLICT",
    500: "INTERNAL_ERROR",
}
UNLISTED = {
    405: "METHOD_NOT_ALLOWED",
    410: "GONE",
    413: "PAYLOAD_TOO_LARGE",
    429: "RATE_LIMITED",
}


def _all_errors() -> list[type[e.MastheadError]]:
    found: list[type[e.MastheadError]] = []
    pending: list[type[e.MastheadError]] = [e.MastheadError]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return sorted(set(found), key=lambda c: c.__qualname__)


def _instance(cls: type[e.MastheadError]) -> e.MastheadError:
    if issubclass(cls, e.RateLimited):
        return cls(retry_after=7)
    if issubclass(cls, IllegalTransition):
        return cls(Action.PUBLISH, Status.DRAFT)
    return cls("Something went wrong", details=[FieldError("title", "Required field")])


ERRORS = _all_errors()


def test_the_walk_finds_the_core_errors() -> None:
    assert len(ERRORS) > 20
    assert {e.DocumentNotFound, e.SlugTaken, e.RateLimited} <= set(ERRORS)


@pytest.mark.parametrize("cls", ERRORS, ids=lambda c: c.__qualname__)
def test_every_error_renders_with_its_status_code(cls: type[e.MastheadError]) -> None:
    error = _instance(cls)
    status = api_errors.status_for(error)
    response = render_trokky_error(error, status)
    body = orjson.loads(bytes(response.body))

    assert response.status_code == status
    code = {**DOCUMENTED, **UNLISTED}[status]
    assert body["error"]["code"] == body["code"] == code
    assert body["error"]["message"] == body["message"] == error.message
    if isinstance(error, e.RateLimited):
        assert body["error"]["retryAfter"] == 7
        assert set(body["error"]) == {"code", "message", "retryAfter"}
    else:
        details = [{"field": d.field, "message": d.message} for d in error.details]
        assert body["error"]["details"] == details != []
        assert set(body["error"]) == {"code", "message", "details"}
    assert set(body) == {"error", "code", "message"}
