"""Routers that claim path prefixes (api/routing.py): a request is matched against the routes
of the API owning its path only, and routes answer exactly as before."""

from __future__ import annotations

import httpx
import pytest
from fastapi import APIRouter
from starlette.responses import PlainTextResponse
from starlette.routing import Route, Router
from starlette.types import Receive, Scope, Send

from masthead.api.errors import ErrorRenderers
from masthead.api.routing import UnownedPathGuard, claiming_segments, claims_path

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    ("path", "claimed"),
    [
        ("/v1", True),
        ("/v1/", True),
        ("/v1/documents/x", True),
        ("/v10", False),
        ("/v", False),
        ("/api/v1/apps", False),
    ],
)
def test_a_claim_covers_its_prefix_and_what_lies_under_it(path: str, claimed: bool) -> None:
    assert claims_path(("/v1",), path) is claimed


def test_a_part_claims_the_first_segments_of_its_routes() -> None:
    part = APIRouter()
    part.add_api_route("/tokens", lambda: None)
    part.add_api_route("/users/{user_id}/role", lambda: None, methods=["PUT"])
    wrapped = claiming_segments(part, "/v1")
    assert getattr(wrapped, "claims", None) == ("/v1/tokens", "/v1/users")


def test_a_part_with_a_parameter_first_claims_nothing() -> None:
    part = APIRouter()
    part.add_api_route("/{anything}", lambda: None)
    assert claiming_segments(part, "/v1") is part


async def test_routes_of_every_api_still_answer_in_their_own_format(
    client: httpx.AsyncClient,
) -> None:
    native = await client.get("/v1/nope")
    assert native.status_code == 404
    assert "error" in native.json()
    outside = await client.get("/nope")
    assert outside.status_code == 404
    assert outside.headers["content-type"].startswith("application/problem+json")
    wrong_method = await client.delete("/v1/auth/me")
    assert wrong_method.status_code == 405
    assert "GET" in wrong_method.headers["allow"]


async def test_a_path_no_route_owns_is_answered_before_routing(
    client: httpx.AsyncClient,
) -> None:
    for path in ("/nope", "/nope/deeper", "/", "/wp-login.php"):
        answer = await client.get(path)
        assert answer.status_code == 404
        assert answer.json() == {
            "type": "about:blank",
            "title": "Not Found",
            "status": 404,
            "detail": "No such route",
        }
        assert answer.headers["x-request-id"]
    # Owned first segments still reach their routes (a redirect, a page, a dialect's 404).
    assert (await client.get("/health/", follow_redirects=False)).status_code == 307
    assert (await client.get("/openapi.json")).status_code == 200
    assert (await client.get("/v1/nope")).json()["error"]["code"] == "NOT_FOUND"


async def test_the_guard_steps_aside_for_a_route_that_begins_with_a_parameter() -> None:
    async def inner(scope: Scope, receive: Receive, send: Send) -> None:
        await PlainTextResponse("routed")(scope, receive, send)

    router = Router(routes=[Route("/{anything}", endpoint=lambda r: PlainTextResponse("x"))])
    guard = UnownedPathGuard(inner, router, ErrorRenderers())
    transport = httpx.ASGITransport(app=guard)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        assert (await client.get("/whatever")).text == "routed"
