"""Ids in Toast's paths: text that is not a UUID names nothing, so every route with an id
answers it exactly as a well-formed unknown id (404 ``{error}``, or what the route checks
first: 403 for a viewer's write, 401 without a token), never 422 or 500. Runs on SQLite and
PostgreSQL."""

from __future__ import annotations

import re
from typing import Any
from uuid import uuid4

import httpx
import pytest
from fastapi import FastAPI

from tests.api.conftest import Headers
from tests.api.toast.helpers import assert_toast_error

pytestmark = pytest.mark.anyio

ITEM = "/api/content/{document_id}"
NOT_UUIDS = ["doc_missing", "123", "00000000-0000-0000-0000-00000000000g", "a" * 300, "%E2%82%AC"]
ID_PARAM = re.compile(r"\{(\w+_id)\}")
WRITES = {"PUT", "DELETE", "POST"}

# (method, path, body): what an admin gets for an unknown id is 404 on each.
ROUTES: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", ITEM, None),
    ("PUT", ITEM, {"title": "T"}),
    ("DELETE", ITEM, None),
    ("POST", ITEM + "/publish", None),
    ("POST", ITEM + "/unpublish", None),
    ("GET", ITEM + "/versions", None),
    ("POST", ITEM + "/versions", None),
    ("GET", ITEM + "/versions/{version}", None),
    ("POST", ITEM + "/versions/{version}/restore", None),
]


async def _call(
    client: httpx.AsyncClient, method: str, path: str, raw_id: str, body: Any, headers: Headers
) -> httpx.Response:
    url = path.format(document_id=raw_id, version=1)
    return await client.request(method, url, json=body, headers=headers)


def test_every_toast_route_with_an_id_is_walked(app: FastAPI) -> None:
    served = {
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        if path.startswith("/api/content/") and ID_PARAM.search(path)
        for method in operations
    }
    assert served == {(m, p) for m, p, _ in ROUTES}


def test_ids_are_documented_as_uuids(app: FastAPI) -> None:
    paths = app.openapi()["paths"]
    for method, path, _ in ROUTES:
        operation = paths[path][method.lower()]
        assert "toast" in operation["tags"]
        [param] = [p for p in operation["parameters"] if p["name"] == "document_id"]
        assert param["schema"]["format"] == "uuid"
        assert param["description"]


@pytest.mark.parametrize(("method", "path", "body"), ROUTES, ids=lambda v: str(v))
async def test_an_id_that_is_not_a_uuid_answers_like_an_unknown_one(
    client: httpx.AsyncClient, admin: Headers, method: str, path: str, body: Any
) -> None:
    unknown = await _call(client, method, path, str(uuid4()), body, admin)
    assert_toast_error(unknown, 404)
    for raw_id in NOT_UUIDS:
        response = await _call(client, method, path, raw_id, body, admin)
        assert (response.status_code, response.json()) == (404, unknown.json()), raw_id


async def test_checks_before_the_lookup_answer_alike(
    client: httpx.AsyncClient, viewer: Headers
) -> None:
    """A viewer's write is 403 and no token is 401, for a malformed id as for an unknown one."""
    for method, path, body in ROUTES:
        for headers, status in ((viewer, 403 if method in WRITES else 404), ({}, 401)):
            unknown = await _call(client, method, path, str(uuid4()), body, headers)
            assert unknown.status_code == status, (method, path, unknown.text)
            malformed = await _call(client, method, path, "nope", body, headers)
            assert (malformed.status_code, malformed.json()) == (status, unknown.json())
