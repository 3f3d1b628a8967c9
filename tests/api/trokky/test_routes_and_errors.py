"""Trokky's place under /api: its paths reach it, others do not (the other dialects mounted
below /api share no path with it), its error format, 429s, and a configurable base path."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from masthead.core.models import Role
from masthead.storage.uow import Database
from tests.api.conftest import Headers
from tests.api.trokky.test_documents import assert_trokky_error
from tests.conftest import FakeClock
from tests.factories import PASSWORD, make_space, make_user

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    "path",
    [
        "/api/documents/post",
        "/api/documents/post/count",
        "/api/media",
        "/api/config/schemas",
        "/api/config/structure",
    ],
)
async def test_trokky_paths_reach_trokky(
    client: httpx.AsyncClient, admin: Headers, path: str
) -> None:
    response = await client.get(path, headers=admin)
    assert response.status_code == 200, response.text
    assert "data" in response.json() or "count" in response.json()


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/apps/blog/collections/post",
        "/api/v1/apps/x",
        "/api/v1/content/abc",
        "/api/content/post",
        "/api/v1/documents/post",
        "/api/documentsx/post",
    ],
)
async def test_trokky_claims_no_other_path_below_api(
    client: httpx.AsyncClient, admin: Headers, path: str
) -> None:
    response = await client.get(path, headers=admin)
    assert response.status_code == 404
    # Not answered by a Trokky route, and not in Trokky's format (which copies the code to
    # the top level): the neutral one, or that of the dialect owning the path (/api/content).
    body = response.json()
    assert "code" not in body, body


async def test_unknown_route_inside_a_trokky_resource_uses_its_format(
    client: httpx.AsyncClient,
) -> None:
    assert_trokky_error(await client.get("/api/documents"), 404, "NOT_FOUND")
    assert_trokky_error(await client.get("/api/auth/nope"), 404, "NOT_FOUND")


async def test_error_body_shape(client: httpx.AsyncClient, admin: Headers) -> None:
    response = await client.get("/api/documents/post?filter[nope]=1", headers=admin)
    body = response.json()
    assert set(body) == {"error", "code", "message"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["details"] == [
        {"field": "nope", "message": body["error"]["details"][0]["message"]}
    ]
    unauthorized = await client.get("/api/auth/me")
    assert_trokky_error(unauthorized, 401, "UNAUTHORIZED")
    bad_token = await client.get("/api/auth/me", headers={"Authorization": "Bearer nope"})
    assert_trokky_error(bad_token, 401, "UNAUTHORIZED")


async def test_malformed_json_body(client: httpx.AsyncClient, admin: Headers) -> None:
    response = await client.post(
        "/api/documents/post",
        content=b"{nope",
        headers={**admin, "Content-Type": "application/json"},
    )
    assert_trokky_error(response, 422, "VALIDATION_ERROR")


async def test_unexpected_errors_are_internal_error(app: FastAPI, admin: Headers) -> None:
    from masthead.api.trokky import render_trokky_error
    from masthead.core.errors import MastheadError

    response = render_trokky_error(MastheadError(), 500)
    assert response.status_code == 500
    assert b'"INTERNAL_ERROR"' in bytes(response.body)


class TestRateLimit:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, object]:
        return {"login_rate_limit": "2/minute"}

    async def test_429_has_retry_after_in_header_and_body(
        self, client: httpx.AsyncClient, db: Database, clock: FakeClock
    ) -> None:
        make_space(db, clock)
        make_user(db, clock, "rita", Role.EDITOR)
        for _ in range(2):
            wrong = await client.post(
                "/api/auth/login", json={"username": "rita", "password": "wrong"}
            )
            assert_trokky_error(wrong, 401, "UNAUTHORIZED")
        limited = await client.post(
            "/api/auth/login", json={"username": "rita", "password": PASSWORD}
        )
        error = assert_trokky_error(limited, 429, "RATE_LIMITED")
        assert error["retryAfter"] == int(limited.headers["retry-after"]) > 0


class TestBasePath:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, object]:
        return {"trokky_base_path": "/cms/api"}

    async def test_routes_and_errors_move_with_the_base_path(
        self, client: httpx.AsyncClient, admin: Headers
    ) -> None:
        assert (await client.get("/cms/api/documents/post", headers=admin)).status_code == 200
        moved = await client.get("/api/documents/post", headers=admin)
        assert moved.status_code == 404
        assert moved.headers["content-type"] == "application/problem+json"
        assert_trokky_error(
            await client.get("/cms/api/documents/post/nope", headers=admin), 404, "NOT_FOUND"
        )


async def test_openapi_lists_the_routes_under_their_tag(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    trokky = ("/api/documents", "/api/media", "/api/auth", "/api/config")
    paths = {p: ops for p, ops in spec["paths"].items() if p.startswith(trokky)}
    assert "/api/documents/{type_name}/{document_id}" in paths
    assert "/api/media" in paths
    for ops in paths.values():
        for op in ops.values():
            assert op["tags"] == ["trokky"]
