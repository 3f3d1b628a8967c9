"""The Toast error bodies (``toast-content-api.txt``): ``{"error": "..."}``, and for a
validation failure ``{"error", "details": [{code, message, path}]}`` in the shape of Zod's
issues (``code`` such as ``invalid_type``, ``too_small``, ``invalid_string``; ``path`` an
array of keys and indexes), with the keys Zod adds per code (``expected``/``received``,
``minimum``/``maximum``, ``options``...).

Issues are built from each field error's machine-readable kind and parameters
(core/errors.py), never from its message text. Status override: a validation failure is
400, not the shared table's 422 (the document answers every invalid request with 400).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.responses import Response

from masthead.api.responses import OrjsonResponse
from masthead.core import errors as e
from masthead.core.errors import ErrorKind, FieldError

VALIDATION_STATUS = 400  # toast-content-api.txt: invalid bodies and query values are 400

# Toast's wording of the errors whose core message names Masthead's vocabulary.
MESSAGES: tuple[tuple[type[e.MastheadError], str], ...] = (
    (e.DocumentNotFound, "Content not found"),
    (e.RevisionNotFound, "Version not found"),
    (e.RouteNotFound, "Not found"),
)

# What pydantic and the core call a value's type, as Zod (JavaScript) names it.
_JS_TYPES = {
    "str": "string",
    "string": "string",
    "int": "number",
    "integer": "number",
    "float": "number",
    "number": "number",
    "bool": "boolean",
    "boolean": "boolean",
    "dict": "object",
    "object": "object",
    "model_attributes": "object",
    "list": "array",
    "array": "array",
    "null": "null",
    "uuid": "string",
}


def _received(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list | tuple):
        return "array"
    return "object"


def _expected(params: Mapping[str, Any]) -> str:
    expected = params.get("expected", "string")
    if isinstance(expected, list | tuple):
        expected = next((x for x in expected if x != "null"), "string")
    return _JS_TYPES.get(str(expected), str(expected))


def zod_path(field: str) -> list[str | int]:
    """``"tags.2.name"`` → ``["tags", 2, "name"]``."""
    if not field:
        return []
    return [int(part) if part.isdigit() else part for part in field.split(".")]


def _size_issue(kind: ErrorKind, params: Mapping[str, Any]) -> dict[str, Any]:
    low = kind in {ErrorKind.MINIMUM, ErrorKind.MIN_LENGTH, ErrorKind.MIN_ITEMS}
    of = {
        ErrorKind.MIN_LENGTH: "string",
        ErrorKind.MAX_LENGTH: "string",
        ErrorKind.MIN_ITEMS: "array",
        ErrorKind.MAX_ITEMS: "array",
    }.get(kind, "number")
    limit = params.get("limit")
    issue: dict[str, Any] = {
        "code": "too_small" if low else "too_big",
        "type": of,
        "inclusive": True,
        "exact": False,
        "minimum" if low else "maximum": limit,
    }
    bound = "at least" if low else "at most"
    if of == "string":
        issue["message"] = f"String must contain {bound} {limit} character(s)"
    elif of == "array":
        issue["message"] = f"Array must contain {bound} {limit} element(s)"
    else:
        issue["message"] = f"Number must be {'greater' if low else 'less'} than or equal to {limit}"
    return issue


def zod_issue(error: FieldError) -> dict[str, Any]:
    """One field error as a Zod issue."""
    kind, params = error.kind, error.params
    issue: dict[str, Any]
    if kind is ErrorKind.REQUIRED:
        issue = {
            "code": "invalid_type",
            "expected": _expected(params),
            "received": "undefined",
            "message": "Required",
        }
    elif kind is ErrorKind.TYPE:
        expected = _expected(params)
        received = _received(params.get("value"))
        issue = {
            "code": "invalid_type",
            "expected": expected,
            "received": received,
            "message": f"Expected {expected}, received {received}",
        }
    elif kind in {
        ErrorKind.MINIMUM,
        ErrorKind.MAXIMUM,
        ErrorKind.MIN_LENGTH,
        ErrorKind.MAX_LENGTH,
        ErrorKind.MIN_ITEMS,
        ErrorKind.MAX_ITEMS,
    }:
        issue = _size_issue(kind, params)
    elif kind in {ErrorKind.FORMAT, ErrorKind.PATTERN}:
        validation = str(params.get("format", "regex")) if kind is ErrorKind.FORMAT else "regex"
        issue = {
            "code": "invalid_string",
            "validation": validation,
            "message": f"Invalid {validation}",
        }
    elif kind is ErrorKind.ENUM:
        allowed = params.get("allowed")
        options = list(allowed) if isinstance(allowed, list | tuple) else []
        value = params.get("value")
        spelled = " | ".join(f"'{o}'" for o in options)
        issue = {
            "code": "invalid_enum_value",
            "options": options,
            "received": value,
            "message": f"Invalid enum value. Expected {spelled}, received '{value}'",
        }
    elif kind is ErrorKind.UNKNOWN_FIELD:
        issue = {"code": "unrecognized_keys", "keys": [error.field], "message": error.message}
    else:
        issue = {"code": "custom", "message": error.message}
    issue["path"] = zod_path(error.field)
    return issue


def toast_message(error: e.MastheadError) -> str:
    for cls, message in MESSAGES:
        if isinstance(error, cls):
            return message
    return error.message


def render_toast_error(error: e.MastheadError, status: int) -> Response:
    body: dict[str, Any] = {"error": toast_message(error)}
    if isinstance(error, e.Invalid):
        status = VALIDATION_STATUS
        if error.details:
            body["details"] = [zod_issue(d) for d in error.details]
    return OrjsonResponse(body, status_code=status)
