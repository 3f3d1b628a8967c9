"""Published reads from the delivery cache: answers kept by space, publish generation and
URL; a hit and a 304 for an unchanged space, a fresh answer after any publish, unpublish,
activation, type or media change, in this process or another one."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from masthead.api.app import build_services
from masthead.core.models import Role
from masthead.ratelimit import LimitsRateLimiter
from masthead.settings import Settings
from masthead.storage.uow import Database
from tests.conftest import FakeClock
from tests.factories import FAST_PASSWORDS, make_api_token

pytestmark = pytest.mark.anyio

Headers = dict[str, str]


@pytest.fixture
def frontend(db: Database, clock: FakeClock, space: Any) -> Headers:
    """A viewer API token: its reads default to the published perspective."""
    return {"Authorization": f"Bearer {make_api_token(db, clock, 'default', Role.VIEWER)}"}


async def _published(client: httpx.AsyncClient, admin: Headers, **body: Any) -> dict[str, Any]:
    created = await client.post(
        "/v1/documents", json={"status": "published", **body}, headers=admin
    )
    assert created.status_code == 201, created.text
    return dict(created.json()["document"])


async def test_a_repeated_published_read_is_a_hit_and_revalidates(
    client: httpx.AsyncClient, admin: Headers, frontend: Headers
) -> None:
    doc = await _published(client, admin, title="Hello", type="post")
    first = await client.get(f"/v1/documents/{doc['id']}", headers=frontend)
    second = await client.get(f"/v1/documents/{doc['id']}", headers=frontend)
    assert (first.headers["x-cache"], second.headers["x-cache"]) == ("miss", "hit")
    assert first.json() == second.json()
    assert first.json()["document"]["title"] == "Hello"
    assert first.headers["etag"] == second.headers["etag"]
    assert first.headers["cache-control"] == "private, no-cache"
    again = await client.get(
        f"/v1/documents/{doc['id']}", headers=frontend | {"If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304
    assert again.content == b""


async def test_a_publish_changes_the_answer_at_once(
    client: httpx.AsyncClient, admin: Headers, frontend: Headers
) -> None:
    doc = await _published(client, admin, title="Old title", type="post")
    listed = await client.get("/v1/documents", params={"type": "post"}, headers=frontend)
    assert [d["title"] for d in listed.json()["items"]] == ["Old title"]
    old = await client.get(f"/v1/documents/{doc['id']}", headers=frontend)
    await client.patch(f"/v1/documents/{doc['id']}", json={"title": "New title"}, headers=admin)
    # An edit of the working copy changes nothing readers see...
    unchanged = await client.get(f"/v1/documents/{doc['id']}", headers=frontend)
    assert unchanged.json()["document"]["title"] == "Old title"
    published = await client.post(f"/v1/documents/{doc['id']}/publish", headers=admin)
    assert published.status_code == 200
    # ...until it is published.
    fresh = await client.get(
        f"/v1/documents/{doc['id']}", headers=frontend | {"If-None-Match": old.headers["etag"]}
    )
    assert fresh.status_code == 200
    assert fresh.headers["x-cache"] == "miss"
    assert fresh.json()["document"]["title"] == "New title"
    listed = await client.get("/v1/documents", params={"type": "post"}, headers=frontend)
    assert [d["title"] for d in listed.json()["items"]] == ["New title"]
    await client.post(f"/v1/documents/{doc['id']}/unpublish", headers=admin)
    gone = await client.get(f"/v1/documents/{doc['id']}", headers=frontend)
    assert gone.status_code == 404
    listed = await client.get("/v1/documents", params={"type": "post"}, headers=frontend)
    assert listed.json()["items"] == []


async def test_another_process_sees_a_publish_made_elsewhere(
    client: httpx.AsyncClient,
    app: FastAPI,
    admin: Headers,
    frontend: Headers,
    settings: Settings,
    clock: FakeClock,
    db: Database,
) -> None:
    """Two processes: two caches, one database. The second process's publish raises the
    generation the first one's cache is keyed by."""
    doc = await _published(client, admin, title="Before", type="post")
    first_process = app.state.services
    assert (await client.get(f"/v1/documents/{doc['id']}", headers=frontend)).json()["document"][
        "title"
    ] == "Before"
    app.state.services = build_services(
        settings, clock=clock, limiter=LimitsRateLimiter(), database=db, passwords=FAST_PASSWORDS
    )
    await client.patch(f"/v1/documents/{doc['id']}", json={"title": "After"}, headers=admin)
    await client.post(f"/v1/documents/{doc['id']}/publish", headers=admin)
    app.state.services = first_process
    read = await client.get(f"/v1/documents/{doc['id']}", headers=frontend)
    assert read.headers["x-cache"] == "miss"
    assert read.json()["document"]["title"] == "After"


async def test_drafts_perspective_is_never_cached(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    doc = await _published(client, admin, title="Draft view", type="post")
    read = await client.get(f"/v1/documents/{doc['id']}", headers=admin)
    assert "x-cache" not in read.headers
    assert read.headers["etag"] == f'"{doc["version"]}"'


async def test_spaces_never_share_an_answer(
    client: httpx.AsyncClient, admin: Headers, frontend: Headers, db: Database, clock: FakeClock
) -> None:
    from tests.factories import make_space

    doc = await _published(client, admin, title="Ours", type="post")
    assert (await client.get(f"/v1/documents/{doc['id']}", headers=frontend)).status_code == 200
    make_space(db, clock, "other")
    other = {"Authorization": f"Bearer {make_api_token(db, clock, 'other', Role.VIEWER)}"}
    assert (await client.get(f"/v1/documents/{doc['id']}", headers=other)).status_code == 404
    listed = await client.get("/v1/documents", headers=other)
    assert listed.json()["items"] == []
