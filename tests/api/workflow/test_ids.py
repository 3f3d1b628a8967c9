"""Ids in the workflow API's paths: text that is not a UUID names nothing, so every route with
an id answers it exactly as a well-formed unknown id (404 NOT_FOUND in this dialect's format,
or what the route checks first: a viewer's write 403, no token 401), never 422. On SQLite
and PostgreSQL."""

from __future__ import annotations

import re
from typing import Any
from uuid import uuid4

import httpx
import pytest
from fastapi import FastAPI

from tests.api.conftest import Headers
from tests.api.workflow.helpers import BASE, assert_workflow_error

pytestmark = pytest.mark.anyio

NOT_UUIDS = ["doc_missing", "123", "00000000-0000-0000-0000-00000000000g", "a" * 300, "%E2%82%AC"]
ID_PARAM = re.compile(r"\{document_id\}")
ITEM = BASE + "/{document_id}"

ROUTES: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", ITEM, None),
    ("PUT", ITEM, {"name": "T"}),
    ("DELETE", ITEM, None),
    ("POST", ITEM + "/submit", None),
    ("POST", ITEM + "/approve", None),
    ("POST", ITEM + "/publish", None),
    ("POST", ITEM + "/reject", {"reason": "r"}),
    ("GET", ITEM + "/versions", None),
    ("POST", ITEM + "/revert/{version}", None),
    ("GET", ITEM + "/history", None),
]
READS = {("GET", ITEM), ("GET", ITEM + "/versions"), ("GET", ITEM + "/history")}


def _url(path: str, raw_id: str) -> str:
    return path.replace("{document_id}", raw_id).replace("{version}", "1")


def test_every_route_with_an_id_is_walked(app: FastAPI) -> None:
    document = app.openapi()
    served = {
        (method.upper(), path)
        for path, operations in document["paths"].items()
        if path.startswith(BASE + "/") and ID_PARAM.search(path)
        for method in operations
    }
    assert served == {(m, p) for m, p, _ in ROUTES}
    for path, operations in document["paths"].items():
        if path.startswith(BASE + "/"):
            for operation in operations.values():
                ids = [p for p in operation["parameters"] if p["name"] == "document_id"]
                assert ids[0]["schema"]["format"] == "uuid", path


@pytest.mark.parametrize(("method", "path", "body"), ROUTES, ids=lambda v: str(v))
async def test_an_id_that_is_not_a_uuid_answers_like_an_unknown_one(
    client: httpx.AsyncClient, admin: Headers, method: str, path: str, body: Any
) -> None:
    unknown = await client.request(method, _url(path, str(uuid4())), json=body, headers=admin)
    assert_workflow_error(unknown, 404, "NOT_FOUND")
    for raw_id in NOT_UUIDS:
        response = await client.request(method, _url(path, raw_id), json=body, headers=admin)
        assert (response.status_code, response.json()) == (404, unknown.json()), raw_id


async def test_checks_before_the_lookup_answer_alike(
    client: httpx.AsyncClient, viewer: Headers
) -> None:
    for method, path, body in ROUTES:
        viewer_status = 404 if (method, path) in READS else 403
        for headers, status in ((viewer, viewer_status), ({}, 401)):
            unknown = await client.request(
                method, _url(path, str(uuid4())), json=body, headers=headers
            )
            assert unknown.status_code == status, (method, path, unknown.text)
            malformed = await client.request(method, _url(path, "nope"), json=body, headers=headers)
            assert (malformed.status_code, malformed.json()) == (status, unknown.json())
