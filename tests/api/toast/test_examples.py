"""Every example of ``toast-content-api.txt``, replayed as written: each curl line, with a
real token (an editor's, from ``POST /v1/auth/token``) added, against the test app instead of
``https://loading``. The examples' fixed id is replaced by the id of the item they act on.
Checks each documented response shape and status, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from tests.api.conftest import Headers
from tests.api.toast.helpers import ISO, ITEM_KEYS, VERSION_KEYS
from tests.conftest import FakeClock

pytestmark = pytest.mark.anyio

EXAMPLE_ID = "497f6eca-6276-4993-bfeb-53cbbbba6f08"


def _url(path: str, item_id: str) -> str:
    return path.replace(EXAMPLE_ID, item_id)


def assert_item(item: dict[str, Any]) -> None:
    """The documented item shape, with the documented types."""
    assert set(item) == ITEM_KEYS
    assert isinstance(item["body"], dict)
    assert item["status"] in {"draft", "published"}
    assert item["contentType"] in {"post", "page"}
    assert isinstance(item["authorId"], str)
    for key in ("createdAt", "updatedAt"):
        assert re.fullmatch(ISO, item[key]), item[key]
    assert item["publishedAt"] is None or re.fullmatch(ISO, item["publishedAt"])


def assert_version(version: dict[str, Any], item_id: str) -> None:
    assert set(version) == VERSION_KEYS
    assert version["contentId"] == item_id
    assert isinstance(version["version"], int)
    assert version["version"] >= 1
    assert isinstance(version["body"], dict)
    assert re.fullmatch(ISO, version["createdAt"])


async def test_every_example_of_the_document(
    client: httpx.AsyncClient, ed: Headers, clock: FakeClock
) -> None:
    auth = {"Authorization": ed["Authorization"]}  # the editor's default site, no X-Space

    # curl -X GET "https://loading/api/content"
    listed = await client.get("/api/content", headers=auth)
    assert listed.status_code == 200, listed.text
    assert listed.json() == {"data": [], "meta": {"total": 0, "page": 1, "limit": 20, "pages": 0}}

    # curl -X POST "https://loading/api/content" -H "Content-Type: application/json"
    #   -d '{    "title": "string"  }'
    created = await client.post(
        "/api/content",
        headers={**auth, "Content-Type": "application/json"},
        content=b'{    "title": "string"  }',
    )
    assert created.status_code == 201, created.text
    item = created.json()
    assert_item(item)
    assert (item["title"], item["slug"], item["status"], item["contentType"]) == (
        "string",
        "string",
        "draft",
        "post",
    )
    assert (item["body"], item["publishedAt"]) == ({}, None)
    item_id = item["id"]

    listed = await client.get("/api/content", headers=auth)
    assert listed.json()["data"] == [item]
    assert listed.json()["meta"] == {"total": 1, "page": 1, "limit": 20, "pages": 1}

    # curl -X GET "https://loading/api/content/497f6eca-6276-4993-bfeb-53cbbbba6f08"
    got = await client.get(_url(f"/api/content/{EXAMPLE_ID}", item_id), headers=auth)
    assert (got.status_code, got.json()) == (200, item)

    # curl -X PUT ".../api/content/497f6eca-..." -H "Content-Type: application/json" -d '{}'
    clock.advance(1)
    put = await client.put(
        _url(f"/api/content/{EXAMPLE_ID}", item_id),
        headers={**auth, "Content-Type": "application/json"},
        content=b"{}",
    )
    assert (put.status_code, put.json()) == (200, item)  # nothing sent, nothing changed

    # curl -X POST "https://loading/api/content/497f6eca-.../publish"
    clock.advance(1)
    published = await client.post(_url(f"/api/content/{EXAMPLE_ID}/publish", item_id), headers=auth)
    assert published.status_code == 200, published.text
    assert_item(published.json())
    assert published.json()["status"] == "published"
    published_at = published.json()["publishedAt"]
    assert published_at == "2026-01-15T12:00:02.000Z"

    # curl -X POST "https://loading/api/content/497f6eca-.../unpublish"
    clock.advance(1)
    unpublished = await client.post(
        _url(f"/api/content/{EXAMPLE_ID}/unpublish", item_id), headers=auth
    )
    assert unpublished.status_code == 200, unpublished.text
    assert_item(unpublished.json())
    assert unpublished.json()["status"] == "draft"
    assert unpublished.json()["publishedAt"] == published_at  # kept, as Toast's docs say

    # curl -X GET "https://loading/api/content/497f6eca-.../versions"
    versions = await client.get(_url(f"/api/content/{EXAMPLE_ID}/versions", item_id), headers=auth)
    assert versions.status_code == 200, versions.text
    body = versions.json()
    assert set(body) == {"versions", "pagination"}
    assert [v["version"] for v in body["versions"]] == [1]
    assert_version(body["versions"][0], item_id)
    assert body["pagination"] == {"total": 1, "page": 1, "limit": 20, "pages": 1}

    # curl -X POST "https://loading/api/content/497f6eca-.../versions"
    snapshot = await client.post(_url(f"/api/content/{EXAMPLE_ID}/versions", item_id), headers=auth)
    assert snapshot.status_code == 201, snapshot.text
    assert_version(snapshot.json(), item_id)
    assert (snapshot.json()["version"], snapshot.json()["title"]) == (2, "string")

    # curl -X GET "https://loading/api/content/497f6eca-.../versions/1"
    first = await client.get(_url(f"/api/content/{EXAMPLE_ID}/versions/1", item_id), headers=auth)
    assert first.status_code == 200, first.text
    assert_version(first.json(), item_id)
    assert (first.json()["version"], first.json()["title"]) == (1, "string")

    # curl -X POST "https://loading/api/content/497f6eca-.../versions/1/restore"
    restored = await client.post(
        _url(f"/api/content/{EXAMPLE_ID}/versions/1/restore", item_id), headers=auth
    )
    assert restored.status_code == 200, restored.text
    # Version 3 is the snapshot of the state before restoring, 4 the restored content.
    assert restored.json() == {"restored": True, "newVersion": 4}

    # curl -X DELETE "https://loading/api/content/497f6eca-6276-4993-bfeb-53cbbbba6f08"
    deleted = await client.delete(_url(f"/api/content/{EXAMPLE_ID}", item_id), headers=auth)
    assert (deleted.status_code, deleted.content) == (204, b"")
    gone = await client.get(_url(f"/api/content/{EXAMPLE_ID}", item_id), headers=auth)
    assert (gone.status_code, gone.json()) == (404, {"error": "Content not found"})


async def test_the_examples_without_a_token_are_401(client: httpx.AsyncClient, ed: Headers) -> None:
    """The curl lines as printed carry no token: each answers 401 ``{error}``."""
    calls = [
        ("GET", "/api/content"),
        ("POST", "/api/content"),
        ("GET", f"/api/content/{EXAMPLE_ID}"),
        ("PUT", f"/api/content/{EXAMPLE_ID}"),
        ("DELETE", f"/api/content/{EXAMPLE_ID}"),
        ("POST", f"/api/content/{EXAMPLE_ID}/publish"),
        ("POST", f"/api/content/{EXAMPLE_ID}/unpublish"),
        ("GET", f"/api/content/{EXAMPLE_ID}/versions"),
        ("POST", f"/api/content/{EXAMPLE_ID}/versions"),
        ("GET", f"/api/content/{EXAMPLE_ID}/versions/1"),
        ("POST", f"/api/content/{EXAMPLE_ID}/versions/1/restore"),
    ]
    for method, path in calls:
        body = {"title": "string"} if method in {"POST", "PUT"} else None
        response = await client.request(method, path, json=body)
        assert response.status_code == 401, (method, path, response.text)
        assert set(response.json()) == {"error"}
