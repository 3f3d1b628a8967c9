"""The apps API's error bodies (``apps-content-api.txt``).

A validation failure is **400** ``{"errors": ["title: \\"title\\" is a required property"]}``:
each message in the style of the upstream's validator (Rust's ``jsonschema`` crate): the
instance path, a colon, and the crate's message with JSON values and double quotes. Messages
are built from each field error's machine-readable kind and parameters (core/errors.py),
never from Python's ``jsonschema`` text. Every other error is ``{"error": "..."}``.

Status overrides, from the document's "Apps" rules (issue 15): a validation failure is 400,
not the shared table's 422; an app the caller is no member of is 404, as an unknown one, so
that nobody learns which apps exist.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response

from masthead.api.responses import OrjsonResponse
from masthead.core import errors as e
from masthead.core.errors import ErrorKind, FieldError

VALIDATION_STATUS = 400
APP_NOT_FOUND = "App not found"


def _json(value: Any) -> str:
    """A value as the crate prints it: compact JSON (serde_json's ``to_string``)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)


def _number(value: Any) -> str:
    """A schema limit as written in a schema: ``3``, not the ``3.0`` the core keeps."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return _json(value)


def _plural(limit: Any, one: str, many: str) -> str:
    return one if limit == 1 else many


def instance_path(field: str) -> str:
    """A core field path (``tags.0``) as an instance path without its leading slash
    (``tags/0``); for a top-level field, its name."""
    return field.replace(".", "/")


def crate_message(error: FieldError) -> str:
    """The message the crate writes for the keyword that failed (without the path)."""
    kind, params = error.kind, error.params
    instance = _json(params.get("value"))
    limit = params.get("limit")
    if kind is ErrorKind.REQUIRED:
        return f"{_json(error.field.rsplit('.', 1)[-1])} is a required property"
    if kind is ErrorKind.TYPE:
        expected = params.get("expected", "string")
        if isinstance(expected, list | tuple):
            types = ", ".join(f'"{t}"' for t in sorted(expected))
            return f"{instance} is not of types {types}"
        return f'{instance} is not of type "{expected}"'
    if kind is ErrorKind.ENUM:
        return f"{instance} is not one of {_json(list(params.get('allowed') or []))}"
    if kind is ErrorKind.MINIMUM:
        return f"{instance} is less than the minimum of {_number(limit)}"
    if kind is ErrorKind.MAXIMUM:
        return f"{instance} is greater than the maximum of {_number(limit)}"
    if kind is ErrorKind.MIN_LENGTH:
        return f"{instance} is shorter than {limit} {_plural(limit, 'character', 'characters')}"
    if kind is ErrorKind.MAX_LENGTH:
        return f"{instance} is longer than {limit} {_plural(limit, 'character', 'characters')}"
    if kind is ErrorKind.MIN_ITEMS:
        return f"{instance} has less than {limit} {_plural(limit, 'item', 'items')}"
    if kind is ErrorKind.MAX_ITEMS:
        return f"{instance} has more than {limit} {_plural(limit, 'item', 'items')}"
    if kind is ErrorKind.PATTERN:
        return f'{instance} does not match "{params.get("pattern")}"'
    if kind is ErrorKind.FORMAT:
        return f'{instance} is not a "{params.get("format")}"'
    return error.message


def _unexpected(names: list[str]) -> str:
    verb = "was" if len(names) == 1 else "were"
    listed = ", ".join(f"'{n}'" for n in names)
    return f"Additional properties are not allowed ({listed} {verb} unexpected)"


def error_messages(details: list[FieldError]) -> list[str]:
    """Each field error as ``path: message``. Unknown fields of one object make one
    message, at that object's path (none at the top), as the crate reports them."""
    messages: list[str] = []
    unknown: dict[str, list[str]] = {}
    for detail in details:
        if detail.kind is ErrorKind.UNKNOWN_FIELD:
            parent, _, name = detail.field.rpartition(".")
            unknown.setdefault(parent, []).append(name)
            continue
        messages.append(f"{instance_path(detail.field)}: {crate_message(detail)}")
    for parent, names in unknown.items():
        text = _unexpected(names)
        messages.append(f"{instance_path(parent)}: {text}" if parent else text)
    return messages


def apps_message(error: e.MastheadError) -> str:
    if isinstance(error, e.SpaceAccessDenied):
        return APP_NOT_FOUND
    return error.message


def render_apps_error(error: e.MastheadError, status: int) -> Response:
    if isinstance(error, e.Invalid):
        messages = error_messages(error.details) if error.details else [error.message]
        return OrjsonResponse({"errors": messages}, status_code=VALIDATION_STATUS)
    if isinstance(error, e.SpaceAccessDenied):
        status = 404  # a member of no such app learns nothing of it
    return OrjsonResponse({"error": apps_message(error)}, status_code=status)
