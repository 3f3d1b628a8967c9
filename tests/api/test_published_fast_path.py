"""The published fast path (api/delivery.PublishedFastPath): a cached published answer given
before routing, exactly as the route gives it, and only to whom the route would give it."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from masthead.api.context import get_actor
from masthead.core.models import Role, Space
from masthead.core.services import accounts
from masthead.storage.uow import Database
from tests.api.native.publish_helpers import create_doc, publish_site
from tests.conftest import FakeClock
from tests.factories import make_api_token

pytestmark = pytest.mark.anyio

Headers = dict[str, str]


@pytest.fixture
def frontend(db: Database, clock: FakeClock, space: Space) -> Headers:
    return {"Authorization": f"Bearer {make_api_token(db, clock, 'default', Role.VIEWER)}"}


async def _published(client: httpx.AsyncClient, admin: Headers, title: str) -> dict[str, Any]:
    return await create_doc(client, admin, type="post", title=title, status="published")


async def test_a_hit_is_the_routes_answer_byte_for_byte(
    client: httpx.AsyncClient, admin: Headers, frontend: Headers
) -> None:
    doc = await _published(client, admin, "Same")
    assert doc["title"] == "Same"
    url = "/v1/documents?type=post&sort=-publishedAt&limit=5"
    routed = await client.get(url, headers=frontend)  # a miss: the route answers and files it
    fast = await client.get(url, headers=frontend)
    assert routed.status_code == 200, routed.text
    assert (routed.headers["x-cache"], fast.headers["x-cache"]) == ("miss", "hit")
    assert fast.content == routed.content
    for name in ("etag", "cache-control", "content-type"):
        assert fast.headers[name] == routed.headers[name]
    assert fast.headers["x-request-id"]
    # The same query in another order and spelling is the same answer.
    reordered = await client.get(
        "/v1/documents?limit=5&sort=%2DpublishedAt&type=post", headers=frontend
    )
    assert reordered.headers["x-cache"] == "hit"
    revalidated = await client.get(url, headers=frontend | {"If-None-Match": fast.headers["etag"]})
    assert revalidated.status_code == 304
    assert revalidated.content == b""


async def test_a_hit_is_answered_before_any_route_runs(
    client: httpx.AsyncClient, app: FastAPI, admin: Headers, frontend: Headers
) -> None:
    doc = await _published(client, admin, "Fast")
    url = f"/v1/documents/{doc['id']}"
    for _ in range(2):
        assert (await client.get(url, headers=frontend)).status_code == 200

    def no_route() -> None:
        raise AssertionError("the request reached the route")

    app.dependency_overrides[get_actor] = no_route
    try:
        fast = await client.get(url, headers=frontend)
        missed = await client.get(url + "?perspective=published", headers=frontend)
    finally:
        app.dependency_overrides.pop(get_actor)
    assert fast.status_code == 200
    assert fast.json()["document"]["title"] == "Fast"
    assert missed.status_code == 500  # not cached: it went on to the route


async def test_an_editor_reads_the_working_copy_not_the_cached_published_one(
    client: httpx.AsyncClient, admin: Headers, ed: Headers, frontend: Headers
) -> None:
    doc = await _published(client, admin, "Published title")
    edited = await client.patch(
        f"/v1/documents/{doc['id']}", json={"title": "Working title"}, headers=admin
    )
    assert edited.status_code == 200
    for _ in range(2):
        published = await client.get(f"/v1/documents/{doc['id']}", headers=frontend)
        assert published.json()["document"]["title"] == "Published title"
    # The editor's default perspective is the working copy: never the cached answer (the
    # second read finds the editor's token cached, as the fast path needs).
    for _ in range(2):
        draft = await client.get(f"/v1/documents/{doc['id']}", headers=ed)
        assert draft.json()["document"]["title"] == "Working title"
        assert "x-cache" not in draft.headers
    asked = await client.get(f"/v1/documents/{doc['id']}?perspective=published", headers=ed)
    assert asked.json()["document"]["title"] == "Published title"


async def test_a_revoked_token_is_refused_though_its_answer_is_cached(
    client: httpx.AsyncClient, admin: Headers, frontend: Headers
) -> None:
    doc = await _published(client, admin, "Cached")
    for _ in range(2):
        assert (await client.get(f"/v1/documents/{doc['id']}", headers=frontend)).status_code == 200
    token_id = (await client.get("/v1/tokens", headers=admin)).json()["items"][0]["id"]
    await client.delete(f"/v1/tokens/{token_id}", headers=admin)
    assert (await client.get(f"/v1/documents/{doc['id']}", headers=frontend)).status_code == 401


async def test_a_reader_of_a_private_space_never_gets_a_public_answer(
    client: httpx.AsyncClient, admin: Headers, frontend: Headers, db: Database, space: Space
) -> None:
    doc = await _published(client, admin, "Public for a while")
    accounts.set_public_read(db.uow(), space.slug, True)
    for _ in range(2):
        assert (await client.get(f"/v1/documents/{doc['id']}")).status_code == 200
    accounts.set_public_read(db.uow(), space.slug, False)
    refused = await client.get(f"/v1/documents/{doc['id']}")
    assert refused.status_code == 401


async def test_release_routes_are_given_to_members_only(
    client: httpx.AsyncClient, admin: Headers, frontend: Headers, db: Database, space: Space
) -> None:
    doc = await create_doc(client, admin, type="post", title="Routed")
    await publish_site(client, admin, activate=True)
    url = f"/v1/private/{doc['id']}"
    first = await client.get(url, headers=frontend)
    second = await client.get(url, headers=frontend)
    assert (first.status_code, second.status_code) == (200, 200)
    assert second.headers["x-cache"] == "hit"
    assert second.content == first.content
    # Published reads are public here, release routes are not (members only).
    accounts.set_public_read(db.uow(), space.slug, True)
    for _ in range(2):  # the second finds the anonymous reader cached
        assert (await client.get(url)).status_code == 401


async def test_an_api_tokens_last_use_is_still_written_when_due(
    client: httpx.AsyncClient, admin: Headers, frontend: Headers, clock: FakeClock
) -> None:
    doc = await _published(client, admin, "Used")
    for _ in range(2):
        await client.get(f"/v1/documents/{doc['id']}", headers=frontend)
    items = (await client.get("/v1/tokens", headers=admin)).json()["items"]
    first = items[0]["lastUsedAt"]
    clock.advance(120)
    hit = await client.get(f"/v1/documents/{doc['id']}", headers=frontend)
    assert hit.headers["x-cache"] == "hit"
    later = (await client.get("/v1/tokens", headers=admin)).json()["items"][0]["lastUsedAt"]
    assert later > first
