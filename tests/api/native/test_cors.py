"""Browsers: OPTIONS answers 204 with Allow on every route, CORS preflights and CORS headers for
allowed origins only (dev: local origins by default; production: none), and the
``Content-Type: application/json`` that the contract's clients send on bodiless requests."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import ValidationError

from masthead.api import cors
from masthead.settings import Settings
from tests.api.errors import assert_error

pytestmark = pytest.mark.anyio

Headers = dict[str, str]
LOCAL = "http://localhost:5173"
ALLOW_METHODS = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"
ALLOW_HEADERS = (
    "Accept, Accept-Language, Authorization, Content-Language, Content-Type, ETag, "
    "Idempotency-Key, If-Match, If-None-Match, X-API-Key, X-Request-ID, X-Requested-With, "
    "X-Space, X-Tenant-Id, X-Upload-Token"
)
EXPOSE_HEADERS = "ETag, X-Request-ID, Idempotent-Replayed, Retry-After, Location"
PREFLIGHT_VARY = (
    "Origin, Access-Control-Request-Method, Access-Control-Request-Headers, "
    "Access-Control-Request-Private-Network"
)
REQUESTED_HEADERS = "authorization, content-type, if-match, idempotency-key, x-space"
SOME_ID = "4f1c6a7e-2b9d-4c3a-9e8f-0a1b2c3d4e5f"  # fixed: xdist needs stable test ids
DOC = f"/v1/documents/{SOME_ID}"


def _preflight(origin: str, method: str, headers: str = REQUESTED_HEADERS) -> Headers:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": headers,
    }


def _cors_headers(response: httpx.Response) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k.startswith("access-control-")}


def _assert_options(response: httpx.Response, allow: str) -> None:
    """A 204 answer to OPTIONS: the Allow header, no body, a request id."""
    assert response.status_code == 204, response.text
    assert response.headers["allow"] == allow
    assert response.content == b""
    assert "content-type" not in response.headers
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])


def _assert_granted(response: httpx.Response, origin: str) -> None:
    assert _cors_headers(response) == {
        "access-control-allow-origin": origin,
        "access-control-allow-methods": ALLOW_METHODS,
        "access-control-allow-headers": ALLOW_HEADERS,
        "access-control-max-age": "600",
    }
    assert response.headers["vary"] == PREFLIGHT_VARY


# --- OPTIONS on every route -------------------------------------------------------------------


EXACT_ALLOW = {
    "/v1/documents": "GET, POST, OPTIONS",
    DOC: "GET, PATCH, DELETE, OPTIONS",
    f"{DOC}/revisions": "GET, POST, OPTIONS",
    f"{DOC}/submit": "POST, OPTIONS",
    "/v1/auth/token": "POST, OPTIONS",
    "/v1/auth/me": "GET, OPTIONS",
    "/v1/types/post": "GET, PATCH, DELETE, OPTIONS",
    "/v1/singletons/settings": "GET, PUT, DELETE, OPTIONS",
    "/v1/media": "GET, POST, OPTIONS",
    f"/v1/media/{SOME_ID}/upload": "PUT, OPTIONS",
    f"/media/{'a' * 64}/photo.jpg": "GET, HEAD, OPTIONS",
    "/health": "GET, OPTIONS",
}


async def test_options_without_origin_is_204_with_the_exact_allow_set(
    client: httpx.AsyncClient,
) -> None:
    for path, allow in EXACT_ALLOW.items():
        response = await client.options(path)
        _assert_options(response, allow)
        assert _cors_headers(response) == {}, path


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "x1", path)


def _template(path: str) -> re.Pattern[str]:
    return re.compile(re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path)))


def _literal_segments(template: str) -> int:
    return sum(1 for part in template.split("/") if part and not part.startswith("{"))


def _served(paths: dict[str, Any], url: str) -> set[str]:
    """Every method served at ``url``; a literal segment (/v1/media/init,
    /api/documents/x1/count) is served by its own routes only, never also as an id."""
    matching = [t for t in paths if _template(t).fullmatch(url)]
    most_literal = max(_literal_segments(t) for t in matching)
    return {
        method.upper()
        for template in matching
        if _literal_segments(template) == most_literal
        for method in paths[template]
    }


def _order(methods: set[str]) -> str:
    return ", ".join(m for m in cors.CORS_METHODS if m in methods)


async def test_every_route_of_every_dialect_answers_options(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    """A route added later, in any dialect, gets OPTIONS for free."""
    paths = app.openapi()["paths"]
    assert len(paths) > 20
    wrong = []
    for path in paths:
        url = _concrete(path)
        served = _served(paths, url)
        expected = _order(served | {"OPTIONS"})
        response = await client.options(url)
        if (response.status_code, response.headers.get("allow")) != (204, expected):
            wrong.append(f"{path}: {response.status_code} {response.headers.get('allow')}")
    assert wrong == []


@pytest.mark.parametrize("headers", [{}, _preflight(LOCAL, "GET")], ids=["plain", "preflight"])
async def test_options_on_an_unknown_path_is_the_normal_404(
    client: httpx.AsyncClient, headers: Headers
) -> None:
    for path in ("/v1/nope", "/v1/documents/x/nope", "/nope"):
        response = await client.options(path, headers=headers)
        if path.startswith("/v1/"):
            assert_error(response, 404, "NOT_FOUND")
        # Whatever the path's error format, the very answer a GET gets.
        as_get = await client.get(path)
        assert (response.status_code, response.content) == (404, as_get.content)
        assert response.headers["content-type"] == as_get.headers["content-type"]
        assert "allow" not in response.headers
        assert "access-control-allow-methods" not in response.headers
        assert response.headers["x-request-id"]


async def test_only_options_resolves_the_path(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    resolve = cors.allowed_methods

    def counting(routes: Any, scope: Any) -> list[str] | None:
        calls.append(scope["method"])
        return resolve(routes, scope)

    monkeypatch.setattr(cors, "allowed_methods", counting)
    await client.get("/health", headers={"Origin": LOCAL})
    await client.post("/v1/auth/token", json={})
    await client.get("/v1/nope")
    assert calls == []
    await client.options("/health")
    assert calls == ["OPTIONS"]


# --- preflights -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "method", "allow"),
    [
        ("/v1/documents", "POST", "GET, POST, OPTIONS"),
        (DOC, "PATCH", "GET, PATCH, DELETE, OPTIONS"),
        (DOC, "DELETE", "GET, PATCH, DELETE, OPTIONS"),
    ],
)
async def test_preflight_from_an_allowed_origin_is_204_with_the_cors_headers(
    client: httpx.AsyncClient, path: str, method: str, allow: str
) -> None:
    response = await client.options(path, headers=_preflight(LOCAL, method))
    _assert_options(response, allow)
    _assert_granted(response, LOCAL)
    allowed = {
        h.strip().lower() for h in response.headers["access-control-allow-headers"].split(",")
    }
    assert {"if-match", "idempotency-key", "x-space", "authorization"} <= allowed


async def test_preflight_without_requested_headers_is_granted(client: httpx.AsyncClient) -> None:
    response = await client.options(
        "/v1/documents",
        headers={"Origin": LOCAL, "Access-Control-Request-Method": "GET"},
    )
    _assert_options(response, "GET, POST, OPTIONS")
    _assert_granted(response, LOCAL)


REFUSED = {
    "other origin": _preflight("https://evil.example", "PATCH"),
    "lookalike origin": _preflight("http://localhost.evil.example", "PATCH"),
    "unknown header": _preflight(LOCAL, "PATCH", "x-not-allowed"),
    "unknown method": _preflight(LOCAL, "TRACE"),
}


async def test_refused_preflight_is_still_204_with_allow_but_grants_nothing(
    client: httpx.AsyncClient,
) -> None:
    for case, headers in REFUSED.items():
        response = await client.options(DOC, headers=headers)
        _assert_options(response, "GET, PATCH, DELETE, OPTIONS")
        assert _cors_headers(response) == {}, case
        assert response.headers["vary"] == PREFLIGHT_VARY


# --- actual requests --------------------------------------------------------------------------


async def test_get_from_an_allowed_origin_may_read_the_etag(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    created = await client.post("/v1/documents", json={"title": "Hi"}, headers=admin)
    assert created.status_code == 201
    doc_id = created.json()["document"]["id"]
    response = await client.get(f"/v1/documents/{doc_id}", headers={**admin, "Origin": LOCAL})
    assert response.status_code == 200
    assert _cors_headers(response) == {
        "access-control-allow-origin": LOCAL,
        "access-control-expose-headers": EXPOSE_HEADERS,
    }
    assert response.headers["etag"] == '"1"'
    assert response.headers["vary"] == "Origin"


async def test_get_from_another_origin_carries_no_grant(client: httpx.AsyncClient) -> None:
    response = await client.get("/health", headers={"Origin": "https://evil.example"})
    assert response.status_code == 200
    # The expose list is not a grant: without Allow-Origin the browser shows the script nothing.
    assert "access-control-allow-origin" not in response.headers
    assert response.headers["vary"] == "Origin"


async def test_errors_carry_the_cors_headers_too(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/auth/me", headers={"Origin": LOCAL})
    assert_error(response, 401, "AUTH_REQUIRED")
    assert response.headers["access-control-allow-origin"] == LOCAL


async def test_plain_options_with_an_origin_gets_the_simple_headers(
    client: httpx.AsyncClient,
) -> None:
    response = await client.options("/v1/documents", headers={"Origin": LOCAL})
    _assert_options(response, "GET, POST, OPTIONS")
    assert _cors_headers(response) == {
        "access-control-allow-origin": LOCAL,
        "access-control-expose-headers": EXPOSE_HEADERS,
    }


# --- Content-Type on bodiless requests --------------------------------------------------------


async def test_json_content_type_without_a_body_is_never_refused(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    json_type = {**admin, "Content-Type": "application/json", "Origin": LOCAL}
    created = await client.post("/v1/documents", json={}, headers=admin)
    doc_id = created.json()["document"]["id"]
    for path in ("/v1/documents", f"/v1/documents/{doc_id}", f"/v1/documents/{doc_id}/revisions"):
        response = await client.get(path, headers=json_type)
        assert response.status_code == 200, (path, response.text)
        assert response.headers["access-control-allow-origin"] == LOCAL
    for path in ("/v1/media", "/v1/types", "/v1/auth/me", "/health"):
        assert (await client.get(path, headers=json_type)).status_code == 200, path
    preflight = await client.options(
        "/v1/documents", headers={**json_type, **_preflight(LOCAL, "GET")}
    )
    _assert_options(preflight, "GET, POST, OPTIONS")
    deleted = await client.delete(f"/v1/documents/{doc_id}", headers=json_type)
    assert deleted.status_code == 200, deleted.text


# --- which origins ----------------------------------------------------------------------------


DEV_ORIGINS = {
    "http://localhost:3000": True,
    "http://localhost": True,
    "http://127.0.0.1:8080": True,
    "https://localhost:3000": False,
    "http://localhost:3000.evil.example": False,
    "http://127.0.0.1.evil.example": False,
    "https://app.example.com": False,
    "null": False,
}


async def test_dev_allows_local_origins_by_default(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    assert settings.env == "dev"
    for origin, is_allowed in DEV_ORIGINS.items():
        response = await client.options("/v1/documents", headers=_preflight(origin, "POST"))
        _assert_options(response, "GET, POST, OPTIONS")
        if is_allowed:
            _assert_granted(response, origin)
        else:
            assert _cors_headers(response) == {}, origin
        actual = await client.get("/health", headers={"Origin": origin})
        granted = actual.headers.get("access-control-allow-origin")
        assert granted == (origin if is_allowed else None), origin


class TestProductionDefault:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, object]:
        return {"env": "production"}

    async def test_no_origin_is_allowed(self, client: httpx.AsyncClient) -> None:
        response = await client.options(DOC, headers=_preflight(LOCAL, "PATCH"))
        _assert_options(response, "GET, PATCH, DELETE, OPTIONS")
        assert _cors_headers(response) == {}
        actual = await client.get("/health", headers={"Origin": LOCAL})
        assert actual.status_code == 200
        assert _cors_headers(actual) == {}
        assert "vary" not in actual.headers


class TestConfiguredOrigins:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, object]:
        return {"env": "production", "cors_origins": "https://app.example.com, https://CMS.example"}

    @pytest.mark.parametrize("origin", ["https://app.example.com", "https://cms.example"])
    async def test_listed_origins_are_allowed(self, client: httpx.AsyncClient, origin: str) -> None:
        response = await client.options(DOC, headers=_preflight(origin, "PATCH"))
        _assert_options(response, "GET, PATCH, DELETE, OPTIONS")
        _assert_granted(response, origin)

    @pytest.mark.parametrize("origin", [LOCAL, "http://app.example.com", "https://example.com"])
    async def test_others_are_not(self, client: httpx.AsyncClient, origin: str) -> None:
        response = await client.options(DOC, headers=_preflight(origin, "PATCH"))
        _assert_options(response, "GET, PATCH, DELETE, OPTIONS")
        assert _cors_headers(response) == {}


class TestExplicitListReplacesTheDevDefault:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, object]:
        return {"cors_origins": "https://app.example.com"}

    async def test_local_origins_are_no_longer_allowed(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/health", headers={"Origin": LOCAL})
        assert "access-control-allow-origin" not in response.headers
        granted = await client.get("/health", headers={"Origin": "https://app.example.com"})
        assert granted.headers["access-control-allow-origin"] == "https://app.example.com"


class TestEmptyListAllowsNothingInDev:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, object]:
        return {"cors_origins": ""}

    async def test_no_origin_is_allowed(self, client: httpx.AsyncClient) -> None:
        response = await client.options("/v1/documents", headers=_preflight(LOCAL, "GET"))
        _assert_options(response, "GET, POST, OPTIONS")
        assert _cors_headers(response) == {}


class TestAnyOrigin:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, object]:
        return {"env": "production", "cors_origins": "*"}

    async def test_every_origin_is_allowed(self, client: httpx.AsyncClient) -> None:
        response = await client.options(DOC, headers=_preflight("https://any.example", "PATCH"))
        _assert_options(response, "GET, PATCH, DELETE, OPTIONS")
        assert response.headers["access-control-allow-origin"] == "*"
        actual = await client.get("/health", headers={"Origin": "https://any.example"})
        assert actual.headers["access-control-allow-origin"] == "*"


@pytest.mark.parametrize(
    "value", ["https://app.example.com/", "app.example.com", "https://app.example.com/path"]
)
def test_an_origin_with_a_path_or_without_a_scheme_is_refused(value: str) -> None:
    with pytest.raises(ValidationError, match="is not an origin"):
        Settings(cors_origins=value)


# --- rate limits and request ids still apply --------------------------------------------------


class TestRateLimit:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, object]:
        return {"rate_limit": "2/minute"}

    async def test_options_is_limited_and_a_browser_may_read_the_429(
        self, client: httpx.AsyncClient
    ) -> None:
        for _ in range(2):
            _assert_options(await client.options("/v1/auth/me"), "GET, OPTIONS")
        limited = await client.options("/v1/auth/me", headers=_preflight(LOCAL, "GET"))
        assert_error(limited, 429, "RATE_LIMITED")
        assert limited.headers["x-request-id"]
        actual = await client.get("/v1/auth/me", headers={"Origin": LOCAL})
        assert_error(actual, 429, "RATE_LIMITED")
        assert actual.headers["access-control-allow-origin"] == LOCAL
        assert "Retry-After" in actual.headers["access-control-expose-headers"]
        assert int(actual.headers["retry-after"]) > 0


async def test_a_405_allows_every_method_served_at_the_path(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    """RFC 9110: ``Allow`` lists the target's methods, also where several routes share a path
    (GET and POST /v1/documents), in every dialect."""
    paths = app.openapi()["paths"]
    wrong = []
    for path in paths:
        url = _concrete(path)
        served = _served(paths, url)
        unserved = next(m for m in ("DELETE", "PUT", "PATCH", "POST") if m not in served)
        response = await client.request(unserved, url)
        if (response.status_code, response.headers.get("allow")) != (405, _order(served)):
            wrong.append(
                f"{unserved} {path}: {response.status_code} {response.headers.get('allow')}"
            )
    assert wrong == []
