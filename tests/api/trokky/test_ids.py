"""Ids in Trokky's paths: text that is not a UUID names nothing, so every route with an id
answers it exactly as a well-formed unknown id (404 in Trokky's format, or what the route
checks first), never 422; ``exists`` answers ``false`` for both. And ``/documents/:type/count``
is a path of its own: a method it does not serve is 405, not a document lookup of ``count``.
Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from typing import Any
from uuid import uuid4

import httpx
import pytest
from fastapi import FastAPI

from tests.api.conftest import Headers
from tests.api.trokky.test_documents import assert_trokky_error

pytestmark = pytest.mark.anyio

DOC = "/api/documents/post/{document_id}"
MEDIA = "/api/media/{media_id}"
NOT_UUIDS = ["doc_missing", "123", "00000000-0000-0000-0000-00000000000g", "a" * 300, "%E2%82%AC"]
ID_PARAM = re.compile(r"\{(\w+_id)\}")

# (method, path, body): what an admin gets for an unknown id is 404 NOT_FOUND on each.
ROUTES: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", DOC, None),
    ("PUT", DOC, {"title": "T"}),
    ("PATCH", DOC, {"title": "T"}),
    ("DELETE", DOC, None),
    ("GET", MEDIA, None),
    ("PATCH", MEDIA, {"alt": "A"}),
    ("DELETE", MEDIA, None),
]


async def _call(
    client: httpx.AsyncClient, method: str, path: str, raw_id: str, body: Any, headers: Headers
) -> httpx.Response:
    url = path.format(document_id=raw_id, media_id=raw_id)
    return await client.request(method, url, json=body, headers=headers)


def test_every_trokky_route_with_an_id_is_walked(app: FastAPI) -> None:
    served = {
        (method.upper(), path.replace("{type_name}", "post"))
        for path, operations in app.openapi()["paths"].items()
        if path.startswith(("/api/documents/", "/api/media/")) and ID_PARAM.search(path)
        for method in operations
    }
    assert served == {(m, p) for m, p, _ in ROUTES} | {("GET", DOC + "/exists")}


@pytest.mark.parametrize(("method", "path", "body"), ROUTES, ids=lambda v: str(v))
async def test_an_id_that_is_not_a_uuid_answers_like_an_unknown_one(
    client: httpx.AsyncClient, admin: Headers, method: str, path: str, body: Any
) -> None:
    unknown = await _call(client, method, path, str(uuid4()), body, admin)
    assert_trokky_error(unknown, 404, "NOT_FOUND")
    for raw_id in NOT_UUIDS:
        response = await _call(client, method, path, raw_id, body, admin)
        assert (response.status_code, response.json()) == (404, unknown.json()), raw_id


async def test_checks_before_the_lookup_answer_alike(
    client: httpx.AsyncClient, viewer: Headers
) -> None:
    """A viewer's write is 403 and no token is 401, for a malformed id as for an unknown one."""
    for method, path, body in ROUTES:
        for headers, status in ((viewer, 403 if method != "GET" else 404), ({}, 401)):
            unknown = await _call(client, method, path, str(uuid4()), body, headers)
            assert unknown.status_code == status, (method, path, unknown.text)
            malformed = await _call(client, method, path, "nope", body, headers)
            assert (malformed.status_code, malformed.json()) == (status, unknown.json())


async def test_exists_is_false_for_any_text_that_names_nothing(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    created = await client.post("/api/documents/post", json={"title": "Here"}, headers=admin)
    assert created.status_code == 201, created.text
    found = await client.get(
        f"/api/documents/post/{created.json()['data']['_id']}/exists", headers=admin
    )
    assert found.json() == {"exists": True}
    for raw_id in [str(uuid4()), *NOT_UUIDS]:
        response = await client.get(f"/api/documents/post/{raw_id}/exists", headers=admin)
        assert (response.status_code, response.json()) == (200, {"exists": False}), raw_id


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE", "POST"])
async def test_count_is_its_own_path(
    client: httpx.AsyncClient, admin: Headers, method: str
) -> None:
    response = await client.request(
        method, "/api/documents/post/count", json={"title": "T"}, headers=admin
    )
    assert_trokky_error(response, 405, "METHOD_NOT_ALLOWED")
    assert response.headers["allow"] == "GET"
