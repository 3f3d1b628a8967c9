"""Ids in the apps API's paths: an entry id is a slug, an upload id a hash and a deployment id
a UUID, so any text that names nothing answers exactly as an unknown id (404 ``{error}``, or
what the route checks first: 403 for a viewer's write, 401 without a token), never 422 or
500. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.api.apps.conftest import BASE
from tests.api.conftest import Headers

pytestmark = pytest.mark.anyio

ENTRY = "/api/v1/apps/{app_slug}/content/{schema_slug}/{entry_id}"
UPLOAD = "/api/v1/apps/{app_slug}/uploads/{hash}"
SCHEMA = "/api/v1/apps/{app_slug}/schemas/{schema_slug}"
DEPLOYMENT = "/api/v1/apps/{app_slug}/deployments/{deployment_id}"
ODD_IDS = ["doc_missing", "123", "UPPER", "a" * 200, "%E2%82%AC", "x.y", "publish"]
ID_PARAM = re.compile(r"\{(entry_id|hash|deployment_id)[^}]*\}")
WRITES = {"PUT", "DELETE", "POST"}

# (method, path, body): what the editor token gets for an unknown id is 404 on each.
ROUTES: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", ENTRY, None),
    ("PUT", ENTRY, {"title": "T"}),
    ("DELETE", ENTRY, None),
    ("POST", ENTRY + "/publish", None),
    ("POST", ENTRY + "/unpublish", None),
    ("GET", UPLOAD, None),
    ("GET", UPLOAD + "/file", None),
    ("GET", DEPLOYMENT, None),
]


def _url(path: str, raw_id: str) -> str:
    return (
        path.replace("{app_slug}", "my-app")
        .replace("{schema_slug}", "blog-posts")
        .replace("{entry_id}", raw_id)
        .replace("{hash}", raw_id)
        .replace("{deployment_id}", raw_id)
    )


def test_every_apps_route_with_an_id_is_walked(app: FastAPI) -> None:
    served = {
        (method.upper(), ID_PARAM.sub(lambda m: "{" + m.group(1) + "}", path))
        for path, operations in app.openapi()["paths"].items()
        if path.startswith("/api/v1/apps/") and ID_PARAM.search(path)
        for method in operations
    }
    assert served == {(m, p) for m, p, _ in ROUTES}
    for path, operations in app.openapi()["paths"].items():
        if path.startswith("/api/v1/apps/"):
            assert all(op["tags"] == ["apps"] for op in operations.values()), path


@pytest.mark.parametrize(("method", "path", "body"), ROUTES, ids=lambda v: str(v))
async def test_any_text_that_names_nothing_answers_like_an_unknown_id(
    client: httpx.AsyncClient, token: Headers, method: str, path: str, body: Any
) -> None:
    unknown = await client.request(method, _url(path, "no-such-id"), json=body, headers=token)
    assert (unknown.status_code, set(unknown.json())) == (404, {"error"}), unknown.text
    for raw_id in ODD_IDS:
        response = await client.request(method, _url(path, raw_id), json=body, headers=token)
        assert response.status_code == 404, (raw_id, response.text)
        assert set(response.json()) == {"error"}


async def test_checks_before_the_lookup_answer_alike(
    client: httpx.AsyncClient, viewer_token: Headers
) -> None:
    for method, path, body in ROUTES:
        is_write = method in WRITES
        for headers, status in ((viewer_token, 403 if is_write else 404), ({}, 401)):
            for raw_id in ("no-such-id", "a" * 200):
                url = _url(path, raw_id)
                response = await client.request(method, url, json=body, headers=headers)
                assert response.status_code == status, (method, url, response.text)


async def test_unknown_schema_slugs_are_404(client: httpx.AsyncClient, token: Headers) -> None:
    for url in (f"{BASE}/schemas/nope", f"{BASE}/content/nope/x", f"{BASE}/content/nope/single"):
        response = await client.get(url, headers=token)
        assert (response.status_code, set(response.json())) == (404, {"error"}), url
