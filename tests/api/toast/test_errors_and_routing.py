"""Toast's error renderer over every domain error and every field error kind (statuses from
the shared table, 400 for validation, Zod issue codes), and which dialect answers which
path below ``/api``."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
import pytest

from masthead.api.errors import status_for
from masthead.api.toast.errors import render_toast_error, zod_issue, zod_path
from masthead.core import errors as e
from masthead.core.errors import ErrorKind, FieldError
from masthead.core.workflow import Action, IllegalTransition, Status
from tests.api.conftest import Headers
from tests.api.toast.helpers import assert_toast_error, create


def _subclasses(cls: type[e.MastheadError]) -> list[type[e.MastheadError]]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found


def _instance(cls: type[e.MastheadError]) -> e.MastheadError:
    if issubclass(cls, e.RateLimited):
        return cls(7)
    if issubclass(cls, IllegalTransition):
        return cls(Action.PUBLISH, Status.PUBLISHED)
    try:
        return cls()
    except TypeError:  # pragma: no cover - a leaf with required arguments of its own
        pytest.skip(f"{cls.__name__} needs arguments")


@pytest.mark.parametrize(
    "cls", [e.MastheadError, *_subclasses(e.MastheadError)], ids=lambda c: c.__name__
)
def test_every_domain_error_renders_in_toast_format(cls: type[e.MastheadError]) -> None:
    error = _instance(cls)
    response = render_toast_error(error, status_for(error))
    body: dict[str, Any] = orjson.loads(bytes(response.body))
    expected = 400 if isinstance(error, e.Invalid) else status_for(error)
    assert response.status_code == expected
    assert isinstance(body["error"], str)
    assert body["error"]
    assert set(body) <= {"error", "details"}
    if "details" in body:
        assert isinstance(error, e.Invalid)


CASES: list[tuple[FieldError, dict[str, Any]]] = [
    (
        FieldError("title", "m", ErrorKind.REQUIRED),
        {"code": "invalid_type", "received": "undefined", "message": "Required"},
    ),
    (
        FieldError("title", "m", ErrorKind.TYPE, {"expected": "string", "value": 3}),
        {"code": "invalid_type", "expected": "string", "received": "number"},
    ),
    (
        FieldError("body", "m", ErrorKind.TYPE, {"expected": "dict", "value": []}),
        {"code": "invalid_type", "expected": "object", "received": "array"},
    ),
    (
        FieldError("title", "m", ErrorKind.MIN_LENGTH, {"limit": 1}),
        {"code": "too_small", "minimum": 1, "type": "string"},
    ),
    (
        FieldError("title", "m", ErrorKind.MAX_LENGTH, {"limit": 500}),
        {"code": "too_big", "maximum": 500, "type": "string"},
    ),
    (
        FieldError("limit", "m", ErrorKind.MAXIMUM, {"limit": 100}),
        {"code": "too_big", "maximum": 100, "type": "number"},
    ),
    (
        FieldError("page", "m", ErrorKind.MINIMUM, {"limit": 1}),
        {"code": "too_small", "minimum": 1, "type": "number"},
    ),
    (
        FieldError("tags", "m", ErrorKind.MAX_ITEMS, {"limit": 2}),
        {"code": "too_big", "maximum": 2, "type": "array"},
    ),
    (
        FieldError("tags", "m", ErrorKind.MIN_ITEMS, {"limit": 1}),
        {"code": "too_small", "minimum": 1, "type": "array"},
    ),
    (
        FieldError("slug", "m", ErrorKind.PATTERN, {"pattern": "x"}),
        {"code": "invalid_string", "validation": "regex"},
    ),
    (
        FieldError("ogImage", "m", ErrorKind.FORMAT, {"format": "url"}),
        {"code": "invalid_string", "validation": "url", "message": "Invalid url"},
    ),
    (
        FieldError("type", "m", ErrorKind.ENUM, {"allowed": ["post", "page"], "value": "x"}),
        {"code": "invalid_enum_value", "options": ["post", "page"], "received": "x"},
    ),
    (
        FieldError("extra", "m", ErrorKind.UNKNOWN_FIELD),
        {"code": "unrecognized_keys", "keys": ["extra"]},
    ),
    (FieldError("slug", "taken", ErrorKind.UNIQUE), {"code": "custom", "message": "taken"}),
    (FieldError("x", "no", ErrorKind.INVALID), {"code": "custom", "message": "no"}),
]


@pytest.mark.parametrize(("error", "expected"), CASES, ids=lambda v: str(getattr(v, "kind", "")))
def test_field_errors_become_zod_issues_by_kind(
    error: FieldError, expected: dict[str, Any]
) -> None:
    issue = zod_issue(error)
    assert {k: issue[k] for k in expected} == expected
    assert issue["path"] == [error.field]
    assert isinstance(issue["message"], str)


def test_every_kind_has_a_zod_code() -> None:
    for kind in ErrorKind:
        assert zod_issue(FieldError("f", "m", kind))["code"]


def test_paths_are_arrays_of_keys_and_indexes() -> None:
    assert zod_path("tags.2.name") == ["tags", 2, "name"]
    assert zod_path("") == []


# --- which dialect answers ---------------------------------------------------------------------


@pytest.mark.anyio
async def test_each_path_below_api_reaches_its_own_dialect(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    item = await create(client, admin, title="Mine")
    toast = await client.get("/api/content", headers=admin)
    assert toast.status_code == 200
    assert set(toast.json()) == {"data", "meta"}
    assert (await client.get(f"/api/content/{item['id']}", headers=admin)).json()["id"]
    trokky = await client.get("/api/documents/post", headers=admin)
    assert set(trokky.json()["meta"]) == {"total", "limit", "offset"}
    assert_toast_error(await client.get("/api/content/a/b/c", headers=admin), 404)
    elsewhere = await client.get("/api/contentx", headers=admin)
    assert elsewhere.status_code == 404
    assert elsewhere.headers["content-type"] == "application/problem+json"


@pytest.mark.anyio
async def test_options_answers_on_every_toast_route(client: httpx.AsyncClient) -> None:
    some = "4f1c6a7e-2b9d-4c3a-9e8f-0a1b2c3d4e5f"
    for path, allow in (
        ("/api/content", "GET, POST, OPTIONS"),
        (f"/api/content/{some}", "GET, PUT, DELETE, OPTIONS"),
        (f"/api/content/{some}/publish", "POST, OPTIONS"),
        (f"/api/content/{some}/versions", "GET, POST, OPTIONS"),
        (f"/api/content/{some}/versions/2/restore", "POST, OPTIONS"),
    ):
        response = await client.options(path)
        assert (response.status_code, response.headers["allow"]) == (204, allow), path


def test_openapi_lists_the_toast_routes_under_their_tag(app: Any) -> None:
    paths = {
        p: ops
        for p, ops in app.openapi()["paths"].items()
        if p == "/api/content" or p.startswith("/api/content/")
    }
    assert len(paths) == 7
    for ops in paths.values():
        for op in ops.values():
            assert op["tags"] == ["toast"]
