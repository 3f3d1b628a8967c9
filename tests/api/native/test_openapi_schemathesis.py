"""Schemathesis over ``/openapi.json``: every operation the app serves answers what its OpenAPI
document says, for inputs the document allows and inputs it forbids (issue 13, defect 9).

Each operation is a test of its own, on a fresh SQLite database and media directory (so what
one operation stores cannot change another's outcome, whatever the xdist split), called in
process as an admin with an API token. Generated ids name nothing, so about half the cases
are aimed at a document, media asset, type or singleton made for the test: success answers
are checked against the document too, not only 404s. The app itself is built once per
worker, and each test gives it its database and media store: building it takes half a
second, once per operation would be most of the test's time.
Generation is derandomized with a fixed seed, so a run is reproducible: a failure names the
request that caused it (a curl line).

SQLite only: the document and the checks do not depend on the database, and PostgreSQL would
double the time of the slowest test of the suite. Defects that only PostgreSQL shows are the
database tests' to find.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis import checks
from schemathesis.core.parameters import ParameterLocation
from schemathesis.python.asgi import ASGIClient

from masthead.api.app import build_services, create_app
from masthead.api.context import AppServices
from masthead.api.openapi import TEXT_PATTERN
from masthead.core.models import Role
from masthead.core.paging import MAX_LIMIT, MAX_OFFSET
from masthead.ratelimit import LimitsRateLimiter
from masthead.settings import Settings
from masthead.storage.database import make_engine
from masthead.storage.uow import Database
from tests.api.native.media_helpers import image
from tests.conftest import TEST_SECRET, FakeClock
from tests.factories import FAST_PASSWORDS, make_api_token, make_space

BASE_URL = "http://testserver"
EXAMPLES = 10  # generated cases per operation and mode, besides the coverage phase's own

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
    checks.negative_data_rejection,  # what the document forbids is refused
    checks.unsupported_method,  # 405 with Allow for a method the path does not serve
    checks.allow_header_conformance,
]
# Operations whose every input the document describes fully, so that what it allows must be
# accepted too. Elsewhere what is valid depends on stored data (a type's fields, a filter's
# field), which a document cannot list.
FULLY_DESCRIBED = {
    "GET /health",
    "GET /v1/auth/me",
    "GET /v1/types",
    "GET /v1/types/{name}",
    "DELETE /v1/documents/{document_id}",
    "GET /v1/documents/{document_id}/history",
    "GET /v1/documents/{document_id}/revisions",
    "GET /v1/documents/{document_id}/revisions/{number}",
    "GET /v1/documents/{document_id}/revisions/{a}/diff/{b}",
    "POST /v1/documents/{document_id}/revisions/{number}/restore",
    *(
        f"POST /v1/documents/{{document_id}}/{action}"
        for action in ("submit", "approve", "publish", "unpublish", "archive", "restore")
    ),
    "GET /v1/media",
    "GET /v1/media/{media_id}",
    "DELETE /v1/media/{media_id}",
}


def _build_app(data_dir: Path) -> FastAPI:
    """The app, on a database every test replaces (``admin_session``)."""
    settings = Settings(
        database_url=f"sqlite:///{data_dir}/unused.db",
        data_dir=data_dir,
        secret_key=TEST_SECRET,
        rate_limit="100000/minute",
        login_rate_limit="100000/minute",
        redis_url=None,
    )
    return create_app(
        settings, clock=FakeClock(), limiter=LimitsRateLimiter(), passwords=FAST_PASSWORDS
    )


def _openapi_document() -> dict[str, Any]:
    """The document the app serves. It depends on no data, and schemathesis needs it when
    tests are collected (to make one test per operation), so a throwaway app builds it."""
    with tempfile.TemporaryDirectory() as data_dir:
        return _build_app(Path(data_dir)).openapi()


schema = schemathesis.openapi.from_dict(
    _openapi_document(),
    config=schemathesis.Config.from_dict(
        {
            "seed": 20260115,
            "generation": {
                "mode": "all",
                "max-examples": EXAMPLES,
                "deterministic": True,
                "database": "none",
            },
            "phases": {"stateful": {"enabled": False}},
        }
    ),
)


@pytest.fixture(scope="module")
def shared_app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    return _build_app(tmp_path_factory.mktemp("schemathesis"))


@pytest.fixture
def admin_session(
    shared_app: FastAPI, tmp_path: Path, sqlite_template: Path
) -> Iterator[ASGIClient]:
    """A client of the app, on a fresh SQLite database and media directory (see the module
    docstring), that sends an admin's API token. Not entered as a context manager, so no
    lifespan runs (as with the other API tests' httpx transport)."""
    path = tmp_path / "masthead.db"
    shutil.copyfile(sqlite_template, path)
    database = Database(make_engine(f"sqlite:///{path}"))
    services: AppServices = shared_app.state.services
    clock = services.clock
    own_settings = services.settings.model_copy(update={"data_dir": tmp_path / "data"})
    # The test's own services (database, media, publishing, embedded worker), as
    # tests/conftest.py gives every API test.
    shared_app.state.services = build_services(
        own_settings,
        clock=clock,
        limiter=services.limiter,
        database=database,
        passwords=FAST_PASSWORDS,
    )
    make_space(database, clock, "default")
    session = ASGIClient(shared_app, base_url=BASE_URL)
    session.trust_env = False  # no proxy settings to look up for an in-process app
    token = make_api_token(database, clock, "default", Role.ADMIN)
    session.headers.update({"Authorization": f"Bearer {token}", "X-Space": "default"})
    try:
        yield session
    finally:
        shared_app.state.services = services
        database.dispose()


class Seeds:
    """Resources the cases are aimed at, made through the API on first use."""

    def __init__(self, session: ASGIClient):
        self.session = session
        self.made: dict[str, Any] = {}

    def _call(self, method: str, path: str, status: int, **kwargs: Any) -> Any:
        response = self.session.request(method, f"{BASE_URL}{path}", **kwargs)
        assert response.status_code == status, response.text
        return response.json()

    def _ensure_type(self, body: dict[str, Any]) -> str:
        """The type ``body`` describes, created unless a case left it in place."""
        response = self.session.get(f"{BASE_URL}/v1/types/{body['name']}")
        if response.status_code == 404:
            self._call("POST", "/v1/types", 201, json=body)
        return str(body["name"])

    def _once(self, key: str, make: Any) -> Any:
        if key not in self.made:
            self.made[key] = make()
        return self.made[key]

    def document(self) -> dict[str, Any]:
        """A document (of the default type) with two revisions."""

        def make() -> dict[str, Any]:
            body = {"title": "Seed", "content": "<p>1</p>"}
            created = self._call("POST", "/v1/documents", 201, json=body)["document"]
            path = f"/v1/documents/{created['id']}"
            return dict(self._call("PATCH", path, 200, json={"content": "<p>2</p>"})["document"])

        return dict(self._once("document", make))

    def media(self) -> dict[str, Any]:
        def make() -> dict[str, Any]:
            upload = {"file": ("seed.png", image("PNG"), "image/png")}
            made = self._call("POST", "/v1/media/upload", 201, files=upload, data={"alt": "Seed"})
            return dict(made["media"])

        return dict(self._once("media", make))

    def type_name(self) -> str:
        fields = [{"name": "rating", "type": "integer"}, {"name": "tags", "type": "list"}]
        return str(
            self._once("type", lambda: self._ensure_type({"name": "article", "fields": fields}))
        )

    def singleton(self) -> str:
        def make() -> str:
            name = self._ensure_type({"name": "site", "kind": "single"})
            self._call("PUT", f"/v1/singletons/{name}", 200, json={"title": "Site"})
            return name

        return str(self._once("singleton", make))

    def aim(self, case: Any) -> None:
        """Point about half the cases whose path is generated as valid at seeded resources
        (which half depends only on the generated values, so runs repeat)."""
        params = case.path_parameters
        if not params or case.meta is None or case.meta.is_negative_at(ParameterLocation.PATH):
            return
        body = case.body if isinstance(case.body, dict | list | str | bytes) else None
        if zlib.crc32(repr((params, case.query, case.headers, body)).encode()) % 2:
            return
        seeded = {
            "document_id": lambda: self.document()["id"],
            "number": lambda: 1,
            "a": lambda: 1,
            "b": lambda: 2,
            "media_id": lambda: self.media()["id"],
            "sha256": lambda: self.media()["hash"],
            "filename": lambda: self.media()["filename"],
            "name": self.type_name,
            "type_name": self.singleton,
        }
        for name in params:
            if name in seeded:
                params[name] = seeded[name]()

    def forget(self) -> None:
        """After a delete: made again on next use."""
        self.made.clear()


@pytest.fixture
def seeds(admin_session: ASGIClient) -> Seeds:
    return Seeds(admin_session)


@schema.parametrize()
# The fixtures are per operation, not per case, on purpose; and how fast data is generated on a
# busy machine is not what this test is about.
@settings(deadline=None, suppress_health_check=list(HealthCheck))
def test_operation_answers_as_documented(
    case: Any, admin_session: ASGIClient, seeds: Seeds
) -> None:
    seeds.aim(case)
    extra = [checks.positive_data_acceptance] if case.operation.label in FULLY_DESCRIBED else []
    response = case.call_and_validate(
        session=admin_session, base_url=BASE_URL, checks=CHECKS + extra
    )
    if case.method.upper() == "DELETE" and response.status_code == 200:
        seeds.forget()


# --- what the generated cases may not reach, stated once ---------------------------------------

ANSWER_CHECKS = [
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
]


def _call(session: ASGIClient, method: str, path: str, status: int, **parts: Any) -> dict[str, Any]:
    """One request built from the document's operation at ``path``; its answer must have
    ``status`` and match the document."""
    case = schema[path][method].Case(**parts)
    response = case.call(session=session, base_url=BASE_URL)
    case.validate_response(response, checks=ANSWER_CHECKS)
    assert response.status_code == status, response.text
    return dict(response.json())


def test_document_lifecycle_answers_as_documented(admin_session: ASGIClient) -> None:
    one = "/v1/documents/{document_id}"
    body = {"title": "Hello", "content": "<p>Hi</p>", "blocks": [{"name": "core/paragraph"}]}
    created = _call(admin_session, "POST", "/v1/documents", 201, body=body)
    ids = {"document_id": created["document"]["id"]}
    _call(
        admin_session,
        "PATCH",
        one,
        200,
        path_parameters=ids,
        headers={"If-Match": '"1"'},
        body={"title": "Hello again"},
    )
    stale = _call(
        admin_session, "PATCH", one, 409, path_parameters=ids, headers={"If-Match": '"1"'}, body={}
    )
    assert stale["error"]["code"] == "CONFLICT"
    listed = _call(
        admin_session, "GET", "/v1/documents", 200, query={"filter[title][contains]": "again"}
    )
    assert [d["id"] for d in listed["items"]] == [ids["document_id"]]
    diff = "/v1/documents/{document_id}/revisions/{a}/diff/{b}"
    _call(admin_session, "GET", diff, 200, path_parameters={**ids, "a": 1, "b": 2})

    archived = _call(admin_session, "DELETE", one, 200, path_parameters=ids)
    assert set(archived) == {"ok", "document"}
    assert archived["document"]["status"] == "archived"
    _call(admin_session, "POST", "/v1/documents/{document_id}/restore", 200, path_parameters=ids)
    deleted = _call(
        admin_session, "DELETE", one, 200, path_parameters=ids, query={"permanent": "1"}
    )
    assert deleted == {"ok": True, "deleted": True}

    bad_blocks = {"title": "Bad", "blocks": [{"attributes": {}}]}
    refused = _call(admin_session, "POST", "/v1/documents", 400, body=bad_blocks)
    assert refused["error"]["code"] == "BLOCKS_INVALID"


@pytest.mark.parametrize("literal", ["init", "upload"])
@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE"])
def test_literal_media_paths_win_over_the_asset_path(
    admin_session: ASGIClient, literal: str, method: str
) -> None:
    response = admin_session.request(method, f"{BASE_URL}/v1/media/{literal}", json={})
    assert response.status_code == 405, response.text
    assert response.headers["Allow"] == "POST"
    assert response.json()["error"]["code"] == "METHOD_NOT_ALLOWED"
    options = admin_session.options(f"{BASE_URL}/v1/media/{literal}")
    assert (options.status_code, options.headers["Allow"]) == (204, "POST, OPTIONS")


def test_other_media_ids_still_name_nothing(admin_session: ASGIClient) -> None:
    for method in ("GET", "PATCH", "DELETE"):
        response = admin_session.request(method, f"{BASE_URL}/v1/media/nope", json={})
        assert response.status_code == 404, response.text
        assert response.json()["error"]["code"] == "MEDIA_NOT_FOUND"


def test_the_document_states_the_rules_the_server_checks() -> None:
    document = _openapi_document()
    paths = document["paths"]

    def parameters(path: str, method: str) -> dict[str, dict[str, Any]]:
        return {p["name"]: p for p in paths[path][method]["parameters"]}

    def value(parameter: dict[str, Any]) -> dict[str, Any]:
        assert "anyOf" not in parameter["schema"]  # absent or a value, never null
        return dict(parameter["schema"])

    listing = parameters("/v1/documents", "get")
    for name in ("limit", "pageSize"):
        assert (value(listing[name])["minimum"], value(listing[name])["maximum"]) == (1, MAX_LIMIT)
    assert value(listing["offset"])["maximum"] == MAX_OFFSET
    assert (value(listing["page"])["maximum"] - 1) * MAX_LIMIT <= MAX_OFFSET
    assert re.fullmatch(value(listing["sortDir"])["pattern"], "DESC")
    assert not re.fullmatch(value(listing["sortDir"])["pattern"], "down")
    assert listing["filter"]["style"] == "deepObject"
    assert value(listing["q"])["pattern"] == TEXT_PATTERN  # the NUL rule
    if_match = parameters("/v1/documents/{document_id}/publish", "post")["If-Match"]
    assert re.fullmatch(value(if_match)["pattern"], '"3"')
    assert value(parameters("/v1/media", "get")["limit"])["maximum"] == MAX_LIMIT

    archive = paths["/v1/documents/{document_id}"]["delete"]["responses"]["200"]
    answers = archive["content"]["application/json"]["schema"]["anyOf"]
    components = document["components"]["schemas"]
    required = {frozenset(components[a["$ref"].rsplit("/", 1)[-1]]["required"]) for a in answers}
    assert required == {frozenset({"ok", "document"}), frozenset({"ok", "deleted"})}
    assert "400" in paths["/v1/documents"]["post"]["responses"]

    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert not [
        (path, method)
        for path, operations in paths.items()
        for method, operation in operations.items()
        for p in operation.get("parameters", [])
        if p["name"].lower() == "authorization"
    ]
