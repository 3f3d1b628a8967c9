"""Assertions on the native /v1 error body, shared by the API tests.

``native-v1-behaviour.md`` (Errors): ``{"error": {"code", "message"}}`` and nothing else at
the top level; a ``details`` list inside ``error`` is fine. Masthead adds ``retryAfter`` to a
429 (``api/native/errors.py``).
"""

from __future__ import annotations

from typing import Any

import httpx

ERROR_KEYS = {"code", "message", "details"}


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """Assert the status and the exact /v1 error body; return its ``error`` object."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}, body
    error: dict[str, Any] = body["error"]
    assert error["code"] == code, error
    assert isinstance(error["message"], str)
    assert error["message"]
    assert set(error) <= ERROR_KEYS | ({"retryAfter"} if status == 429 else set()), error
    for detail in error.get("details", []):
        assert set(detail) == {"field", "message"}, detail
        assert detail["message"]
    return error


def detail_fields(error: dict[str, Any]) -> list[str]:
    """The field each detail names, in the order given."""
    return [detail["field"] for detail in error.get("details", [])]
