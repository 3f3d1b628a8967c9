"""The native error format on every failure path: request validation, routing, body size,
unexpected exceptions, request ids, and the domain error table."""

from __future__ import annotations

import enum
import importlib
import inspect
import logging
import pkgutil
import re
import typing
from collections.abc import AsyncIterator, Iterator

import httpx
import orjson
import pytest
from fastapi import FastAPI

import masthead.core
from masthead.api.errors import status_for
from masthead.api.native.errors import native_code, native_status, render_native_error
from masthead.core.errors import (
    Conflict,
    FieldError,
    Forbidden,
    Gone,
    Invalid,
    MastheadError,
    MethodNotAllowed,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    Unauthenticated,
    category_of,
)
from masthead.core.models import Role
from masthead.storage.uow import Database
from tests.api.errors import assert_error, detail_fields
from tests.conftest import FakeClock
from tests.factories import login, make_space, make_user

pytestmark = pytest.mark.anyio

MAX_BODY = 2048
GENERATED_REQUEST_ID = re.compile(r"^[0-9a-f]{32}$")


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"max_body_bytes": MAX_BODY}


# --- request validation -----------------------------------------------------------------------


async def test_malformed_json_is_a_validation_error(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/auth/token",
        content=b'{"username": "alice", "password":',
        headers={"Content-Type": "application/json"},
    )
    error = assert_error(response, 422, "VALIDATION_ERROR")
    assert set(error) == {"code", "message", "details"}
    assert set(detail_fields(error)) == {"body"}


async def test_wrong_types_are_validation_errors_naming_the_field(
    client: httpx.AsyncClient,
) -> None:
    cases: list[tuple[object, set[str]]] = [
        ({"username": 123, "password": "secret"}, {"username"}),
        ({"username": ["alice"], "password": "secret"}, {"username"}),
        ({"username": "alice", "password": {"a": 1}}, {"password"}),
        ({"username": None, "password": 5}, {"username", "password"}),
    ]
    for body, fields in cases:
        response = await client.post("/v1/auth/token", json=body)
        error = assert_error(response, 422, "VALIDATION_ERROR")
        assert set(detail_fields(error)) == fields, body
    # A body that is not an object at all.
    for body in ([], "alice", 42):
        response = await client.post("/v1/auth/token", json=body)
        assert_error(response, 422, "VALIDATION_ERROR")


async def test_missing_fields_are_all_listed_at_once(client: httpx.AsyncClient) -> None:
    error = assert_error(await client.post("/v1/auth/token", json={}), 422, "VALIDATION_ERROR")
    assert set(detail_fields(error)) == {"username", "password"}

    error = assert_error(await client.post("/v1/auth/refresh", json={}), 422, "VALIDATION_ERROR")
    assert set(detail_fields(error)) == {"refreshToken"}

    # No body at all.
    response = await client.post("/v1/auth/token", headers={"Content-Type": "application/json"})
    assert_error(response, 422, "VALIDATION_ERROR")


# --- routing ----------------------------------------------------------------------------------


async def test_unknown_route_is_not_found_in_the_native_format(client: httpx.AsyncClient) -> None:
    for path in ("/v1/nope", "/v1/auth/nope"):
        assert_error(await client.get(path), 404, "NOT_FOUND")
    assert_error(await client.post("/v1/nope", json={}), 404, "NOT_FOUND")


async def test_a_path_outside_every_dialect_is_answered_in_a_neutral_format(
    client: httpx.AsyncClient,
) -> None:
    """Not /v1's format (nor any other dialect's): RFC 9457 problem details."""
    for path in ("/nope", "/apiary", "/v2/documents"):
        response = await client.get(path)
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json() == {
            "type": "about:blank",
            "title": "Not Found",
            "status": 404,
            "detail": "No such route",
        }


async def test_wrong_method_is_405_with_allow_header(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/auth/token")
    assert_error(response, 405, "METHOD_NOT_ALLOWED")
    # RFC 9110 §15.5.6: a 405 must say which methods the resource supports.
    assert "POST" in response.headers.get("allow", "")

    response = await client.delete("/v1/auth/me")
    assert_error(response, 405, "METHOD_NOT_ALLOWED")
    assert "GET" in response.headers.get("allow", "")


# --- body size --------------------------------------------------------------------------------


def _login_body(size: int) -> bytes:
    """A valid login body (wrong credentials) of exactly ``size`` bytes, padded with a key
    the route ignores, so every field stays within its own length limit."""
    template = b'{"username": "alice", "password": "wrong", "padding": "%s"}'
    filler = size - len(template % b"")
    return template % (b"x" * filler)


async def test_oversized_body_is_413_in_the_native_format(client: httpx.AsyncClient) -> None:
    body = _login_body(MAX_BODY + 1)
    response = await client.post(
        "/v1/auth/token", content=body, headers={"Content-Type": "application/json"}
    )
    error = assert_error(response, 413, "PAYLOAD_TOO_LARGE")
    assert set(error) == {"code", "message"}
    assert "Traceback" not in response.text
    assert GENERATED_REQUEST_ID.match(response.headers["x-request-id"])


async def test_oversized_streamed_body_without_content_length_is_413(
    client: httpx.AsyncClient,
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        body = _login_body(4 * MAX_BODY)
        for start in range(0, len(body), 512):
            yield body[start : start + 512]

    response = await client.post(
        "/v1/auth/token", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert "content-length" not in response.request.headers
    assert_error(response, 413, "PAYLOAD_TOO_LARGE")
    assert "Traceback" not in response.text


async def test_body_at_the_limit_is_accepted(client: httpx.AsyncClient) -> None:
    body = _login_body(MAX_BODY)
    response = await client.post(
        "/v1/auth/token", content=body, headers={"Content-Type": "application/json"}
    )
    # Read and checked: the credentials are wrong, the size was fine.
    assert_error(response, 401, "AUTH_INVALID")


async def test_get_with_json_content_type_and_no_body_is_fine(
    client: httpx.AsyncClient, db: Database, clock: FakeClock
) -> None:
    json_header = {"Content-Type": "application/json"}
    health = await client.get("/health", headers=json_header)
    assert health.status_code == 200
    assert health.json() == {"status": "ok"}
    assert_error(await client.get("/v1/auth/me", headers=json_header), 401, "AUTH_REQUIRED")

    make_space(db, clock)
    make_user(db, clock, "alice", Role.VIEWER)
    session = await login(client, "alice")
    me = await client.get("/v1/auth/me", headers={**json_header, **session.headers})
    assert me.status_code == 200
    assert me.json()["user"]["username"] == "alice"


# --- request ids ------------------------------------------------------------------------------


async def test_every_response_carries_a_request_id(client: httpx.AsyncClient) -> None:
    responses = [
        await client.get("/health"),
        await client.get("/v1/auth/me"),
        await client.get("/v1/nope"),
        await client.get("/v1/auth/token"),
        await client.post("/v1/auth/token", json={}),
        await client.post("/v1/auth/token", json={"username": "x", "password": "y"}),
        await client.post("/v1/auth/token", content=_login_body(MAX_BODY + 1)),
    ]
    assert [r.status_code for r in responses] == [200, 401, 404, 405, 422, 401, 413]
    ids = [r.headers.get("x-request-id", "") for r in responses]
    for request_id in ids:
        assert GENERATED_REQUEST_ID.match(request_id), ids
    assert len(set(ids)) == len(ids)


async def test_request_id_is_echoed_only_when_well_formed(client: httpx.AsyncClient) -> None:
    for incoming in ("abc-123", "Trace_1.2-x", "a" * 128):
        response = await client.get("/health", headers={"X-Request-ID": incoming})
        assert response.headers["x-request-id"] == incoming
    response = await client.get("/v1/nope", headers={"X-Request-ID": "edge-404"})
    assert response.headers["x-request-id"] == "edge-404"

    for incoming in (
        "has spaces",
        "line\nbreak",
        "crlf\r\nSet-Cookie: session=stolen",
        "a" * 129,
        "<script>",
        "",
    ):
        response = await client.get("/health", headers={"X-Request-ID": incoming})
        assert response.status_code == 200
        assert GENERATED_REQUEST_ID.match(response.headers["x-request-id"]), incoming
        assert "set-cookie" not in response.headers


# --- unexpected exceptions --------------------------------------------------------------------


@pytest.fixture
def boom_route(app: FastAPI) -> str:
    path = "/v1/test-boom"

    @app.get(path)
    def boom() -> None:
        raise RuntimeError("database password is hunter2")

    return path


@pytest.mark.fresh_app  # adds a route
async def test_unexpected_exception_is_500_without_details(
    client: httpx.AsyncClient, boom_route: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="masthead.api"):
        response = await client.get(boom_route, headers={"X-Request-ID": "req-500"})
    error = assert_error(response, 500, "INTERNAL_ERROR")
    assert set(error) == {"code", "message"}
    assert "hunter2" not in response.text
    assert "Traceback" not in response.text
    assert "RuntimeError" not in response.text
    assert response.headers.get("x-request-id") == "req-500"
    # The detail goes to the log instead, with the traceback.
    logged = [r for r in caplog.records if r.name == "masthead.api" and r.exc_info]
    assert logged
    assert "hunter2" in str(logged[0].exc_info[1])  # type: ignore[index]


@pytest.mark.fresh_app  # adds a route
async def test_unexpected_500_reaches_a_browser_with_cors_headers(
    client: httpx.AsyncClient, boom_route: str
) -> None:
    """Answered inside the CORS middleware: a page on an allowed origin can read the 500 (and
    its request id) instead of seeing an opaque network error."""
    origin = "http://localhost:3000"  # allowed by the development default
    response = await client.get(boom_route, headers={"Origin": origin})
    assert_error(response, 500, "INTERNAL_ERROR")
    assert response.headers["access-control-allow-origin"] == origin
    assert "x-request-id" in response.headers


# --- every domain error: status and native body ------------------------------------------------


def _subclasses(cls: type[MastheadError]) -> Iterator[type[MastheadError]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


# Errors may live beside the rules that raise them (core/workflow.py, ...): import every core
# module so the walk below sees the whole tree, whatever else this test run imported.
for _module in pkgutil.walk_packages(masthead.core.__path__, "masthead.core."):
    importlib.import_module(_module.name)

ALL_ERRORS = sorted({MastheadError, *_subclasses(MastheadError)}, key=lambda c: c.__name__)

# The status of each category, written out here rather than read from api/errors.py, so a new
# category (or a changed status) fails this test until someone decides what it maps to.
STATUS_OF_CATEGORY: dict[type[MastheadError], int] = {
    NotFound: 404,
    Gone: 410,
    Conflict: 409,
    Invalid: 422,
    Unauthenticated: 401,
    Forbidden: 403,
    RateLimited: 429,
    PayloadTooLarge: 413,
    MethodNotAllowed: 405,
    MastheadError: 500,
}


def _placeholder(annotation: object) -> object:
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return next(iter(annotation))
    if annotation is int:
        return 17
    return "placeholder"


def _instance(cls: type[MastheadError]) -> MastheadError:
    """One instance, with a placeholder for each argument its constructor requires
    (RateLimited's retry_after, a workflow error's action and status, ...)."""
    init = cls.__init__
    try:
        hints = typing.get_type_hints(init)
    except NameError:  # an annotation only importable under TYPE_CHECKING
        hints = {}
    arguments = {
        name: _placeholder(hints.get(name))
        for name, param in list(inspect.signature(init).parameters.items())[1:]
        if param.default is param.empty
        and param.kind not in (param.VAR_POSITIONAL, param.VAR_KEYWORD)
    }
    return cls(**arguments)


def test_the_error_tree_was_found() -> None:
    names = {cls.__name__ for cls in ALL_ERRORS}
    assert {"SpaceNotFound", "InvalidToken", "WeakPassword", "RateLimited"} <= names


@pytest.mark.parametrize("cls", ALL_ERRORS, ids=lambda cls: cls.__name__)
def test_every_domain_error_maps_to_its_category_status_and_native_body(
    cls: type[MastheadError],
) -> None:
    error = _instance(cls)
    category = category_of(error)
    assert category in STATUS_OF_CATEGORY, f"{cls.__name__}: category {category.__name__}"
    status = status_for(error)
    assert status == STATUS_OF_CATEGORY[category]

    code = native_code(error)
    assert re.fullmatch(r"[A-Z][A-Z0-9_]*", code)
    if status < 500:
        assert code != "INTERNAL_ERROR", f"{cls.__name__} would read as a server fault"

    response = render_native_error(error, status)
    assert response.status_code == native_status(error, status)
    body = orjson.loads(bytes(response.body))
    expected: dict[str, object] = {"code": code, "message": error.message}
    if error.details:
        expected["details"] = [{"field": d.field, "message": d.message} for d in error.details]
    if isinstance(error, RateLimited):
        expected["retryAfter"] = 17
    assert body == {"error": expected}
    assert error.message


def test_native_error_lists_field_details() -> None:
    error = Invalid("Bad input", details=[FieldError("a.b", "is wrong"), FieldError("c", "no")])
    body = orjson.loads(bytes(render_native_error(error, 422).body))
    assert body == {
        "error": {
            "code": "VALIDATION_ERROR",
            "message": "Bad input",
            "details": [{"field": "a.b", "message": "is wrong"}, {"field": "c", "message": "no"}],
        }
    }
