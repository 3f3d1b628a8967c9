"""Routers that claim path prefixes (api/routing.py): a request is matched against the routes
of the API owning its path only, and routes answer exactly as before."""

from __future__ import annotations

import httpx
import pytest
from fastapi import APIRouter

from masthead.api.routing import claiming_segments, claims_path

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
