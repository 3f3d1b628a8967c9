"""Ids in paths (``native-v1-behaviour.md``): an id that is not a UUID names nothing, so every
route with an id in its path answers it exactly as it answers a well-formed id that does not
exist (404 DOCUMENT_NOT_FOUND / MEDIA_NOT_FOUND, or what that route checks first), never 422.
Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from fastapi import FastAPI

from masthead.api.ids import NOTHING, parse_id
from masthead.core.models import Role
from masthead.storage.uow import Database
from tests.conftest import FakeClock
from tests.factories import login, make_space, make_user

pytestmark = pytest.mark.anyio

Headers = dict[str, str]
DOC = "/v1/documents/{document_id}"
MEDIA = "/v1/media/{media_id}"
FORM = "/v1/forms/{form_id}"
FORM_BODY = {"title": "T", "fields": [{"name": "a"}]}
NOT_UUIDS = [
    "doc_missing",
    "nope",
    "123",
    "00000000-0000-0000-0000-00000000000g",
    "a" * 300,
    "%E2%82%AC",  # the euro sign, URL-encoded
]
# A path parameter that names a resource by id: {id}, {document_id}, {mediaId}...
ID_PARAM = re.compile(r"\{(id|\w+_id|\w+Id)\}")


@dataclass(frozen=True)
class IdRoute:
    method: str
    path: str
    status: int  # what an admin gets for an unknown id
    code: str
    body: dict[str, Any] | None = field(default=None, hash=False)
    is_public: bool = False  # served without authentication (a form's submit)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def _doc(method: str, suffix: str = "", body: dict[str, Any] | None = None) -> IdRoute:
    return IdRoute(method, DOC + suffix, 404, "DOCUMENT_NOT_FOUND", body)


def _media(method: str, suffix: str = "", body: dict[str, Any] | None = None) -> IdRoute:
    return IdRoute(method, MEDIA + suffix, 404, "MEDIA_NOT_FOUND", body)


def _form(method: str, suffix: str = "", body: dict[str, Any] | None = None) -> IdRoute:
    return IdRoute(method, FORM + suffix, 404, "FORM_NOT_FOUND", body)


ROUTES = [
    _doc("GET"),
    _doc("PATCH", body={"title": "T"}),
    _doc("DELETE"),
    _doc("GET", "/revisions"),
    _doc("POST", "/revisions", {"message": "m"}),
    _doc("GET", "/revisions/{number}"),
    _doc("POST", "/revisions/{number}/restore"),
    _doc("GET", "/revisions/{a}/diff/{b}"),
    _doc("POST", "/submit"),
    _doc("POST", "/approve"),
    _doc("POST", "/reject", {"reason": "no"}),
    _doc("POST", "/publish"),
    _doc("POST", "/unpublish"),
    _doc("POST", "/archive"),
    _doc("POST", "/restore"),
    _doc("GET", "/history"),
    _media("GET"),
    _media("PATCH", body={"alt": "A"}),
    _media("DELETE"),
    _media("POST", "/finalize", {"uploadToken": "t"}),
    # The upload URL checks its signature before looking the asset up (and no id was signed).
    IdRoute("PUT", MEDIA + "/upload", 401, "MEDIA_UPLOAD_TOKEN_INVALID"),
    IdRoute("POST", "/v1/users/{user_id}/deactivate", 404, "NOT_FOUND"),
    IdRoute("PUT", "/v1/users/{user_id}/role", 404, "NOT_FOUND", {"role": "viewer"}),
    IdRoute("DELETE", "/v1/tokens/{token_id}", 404, "NOT_FOUND"),
    _form("GET"),
    _form("PUT", body=FORM_BODY),
    _form("DELETE"),
    _form("GET", "/submissions"),
    IdRoute("POST", FORM + "/submit", 404, "FORM_NOT_FOUND", {"payload": {}}, is_public=True),
    IdRoute("GET", "/v1/publish/{job_id}", 404, "PUBLISH_JOB_NOT_FOUND"),
    IdRoute("POST", "/v1/releases/{release_id}/activate", 404, "RELEASE_NOT_FOUND"),
    IdRoute("GET", "/v1/preview/{document_id}", 404, "DOCUMENT_NOT_FOUND"),
    _doc("POST", "/schedule", {"publishAt": "2030-01-01T00:00:00Z"}),
]


async def _call(
    client: httpx.AsyncClient, route: IdRoute, raw_id: str, headers: Headers
) -> httpx.Response:
    path = route.path.format(
        document_id=raw_id,
        media_id=raw_id,
        user_id=raw_id,
        token_id=raw_id,
        form_id=raw_id,
        job_id=raw_id,
        release_id=raw_id,
        number="1",
        a="1",
        b="2",
    )
    if route.path.endswith("/upload"):
        return await client.put(path, content=b"bytes", headers={**headers, "X-Upload-Token": "t"})
    return await client.request(route.method, path, json=route.body, headers=headers)


def _code(response: httpx.Response) -> str:
    body = response.json()
    assert set(body) == {"error"}, body
    return str(body["error"]["code"])


@pytest.fixture
async def admin(client: httpx.AsyncClient, admin: Headers) -> Headers:
    """The shared admin, in a space with something to find (so "not found" is not just an
    empty table)."""
    assert (await client.post("/v1/documents", json={}, headers=admin)).status_code == 201
    started = await client.post("/v1/media/init", json={"filename": "a.png"}, headers=admin)
    assert started.status_code == 201
    return admin


# --- every route with an id -------------------------------------------------------------------


def test_every_route_with_an_id_in_its_path_is_walked(app: FastAPI) -> None:
    """A /v1 route added later with an id in its path must join ROUTES (each dialect walks
    its own routes in its own tests)."""
    served = {
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        if path.startswith("/v1/") and ID_PARAM.search(path)
        for method in operations
    }
    assert served == {(r.method, r.path) for r in ROUTES}


# Routes that answer any text in the id's place (documented as text): Trokky's exists.
ANY_TEXT_IDS = {("get", "/api/documents/{type_name}/{document_id}/exists")}
# Ids that are not UUIDs by their API's document: the apps API names entries by slug.
SLUG_IDS = {("/api/v1/apps/", "entry_id")}


def test_id_parameters_are_documented_as_uuids(app: FastAPI) -> None:
    wrong = []
    for path, operations in app.openapi()["paths"].items():
        for method, operation in operations.items():
            if (method, path) in ANY_TEXT_IDS:
                continue
            for param in operation.get("parameters", []):
                if any(path.startswith(p) and param["name"] == n for p, n in SLUG_IDS):
                    continue
                is_id = param["in"] == "path" and ID_PARAM.fullmatch("{" + param["name"] + "}")
                is_documented = param["schema"].get("format") == "uuid" and param.get("description")
                if is_id and not is_documented:
                    wrong.append(f"{method} {path} {param}")
    assert wrong == []


@pytest.mark.parametrize("route", ROUTES, ids=str)
async def test_an_id_that_is_not_a_uuid_answers_like_an_unknown_one(
    client: httpx.AsyncClient, admin: Headers, route: IdRoute
) -> None:
    unknown = await _call(client, route, str(uuid4()), admin)
    assert (unknown.status_code, _code(unknown)) == (route.status, route.code), unknown.text
    wrong = []
    for raw_id in NOT_UUIDS:
        response = await _call(client, route, raw_id, admin)
        if (response.status_code, response.json()) != (unknown.status_code, unknown.json()):
            wrong.append(f"{raw_id[:40]}: {response.status_code} {response.text[:200]}")
    assert wrong == []


@pytest.mark.parametrize("role", ["anonymous", "viewer"])
async def test_checks_before_the_lookup_answer_alike_too(
    client: httpx.AsyncClient, db: Database, clock: FakeClock, role: str
) -> None:
    """Authentication and roles come first for a malformed id exactly as for an unknown one
    (401 without a token, 403 for a viewer's write), never an early 404 or 422. A public
    route (a form's submit) has no such check: it answers an unknown id 404 to anyone."""
    make_space(db, clock)
    headers: Headers = {}
    if role == "viewer":
        make_user(db, clock, "vic", Role.VIEWER)
        headers = (await login(client, "vic")).headers
    wrong = []
    statuses = set()
    for route in ROUTES:
        unknown = await _call(client, route, str(uuid4()), headers)
        if route.is_public:
            assert (unknown.status_code, _code(unknown)) == (route.status, route.code)
        else:
            statuses.add(unknown.status_code)
        for raw_id in NOT_UUIDS:
            response = await _call(client, route, raw_id, headers)
            if (response.status_code, response.json()) != (unknown.status_code, unknown.json()):
                wrong.append(f"{route} {raw_id[:40]}: {response.status_code} {response.text[:160]}")
    assert wrong == []
    assert statuses == ({401} if role == "anonymous" else {401, 403, 404})


# --- parsing ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "4f1c6a7e-2b9d-4c3a-9e8f-0a1b2c3d4e5f",
        "4F1C6A7E-2B9D-4C3A-9E8F-0A1B2C3D4E5F",
        "4f1c6a7e2b9d4c3a9e8f0a1b2c3d4e5f",
    ],
)
def test_uuids_parse_to_themselves(raw: str) -> None:
    assert parse_id(raw) == UUID("4f1c6a7e-2b9d-4c3a-9e8f-0a1b2c3d4e5f")


@pytest.mark.parametrize(
    "raw",
    [
        *NOT_UUIDS,
        "€",
        "",
        "4f1c6a7e-2b9d4c3a-9e8f-0a1b2c3d4e5f",  # hyphens in some places only
        "{4f1c6a7e-2b9d-4c3a-9e8f-0a1b2c3d4e5f}",
        "urn:uuid:4f1c6a7e-2b9d-4c3a-9e8f-0a1b2c3d4e5f",
        "4f1c6a7e_2b9d_4c3a_9e8f_0a1b2c3d4e5f",
        "+4f1c6a7e2b9d4c3a9e8f0a1b2c3d4e5",  # int() would take a sign
        "0x4f1c6a7e2b9d4c3a9e8f0a1b2c3d4e",  # ... and a prefix
        " 4f1c6a7e-2b9d-4c3a-9e8f-0a1b2c3d4e5f",
    ],
)
def test_anything_else_is_nothing(raw: str) -> None:
    assert parse_id(raw) == NOTHING


def test_nothing_is_never_an_id_masthead_makes() -> None:
    assert NOTHING.version is None
    assert all(uuid4().version == 4 for _ in range(100))
