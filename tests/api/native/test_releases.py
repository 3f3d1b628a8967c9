"""Releases through /v1: content-addressed hashes, immutability, activation and rollback,
drafts published by a site publish, private routes by path, the release's files, escaping
of hostile content, roles and spaces, the 202 and scheduled paths."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
import pytest
from fastapi import FastAPI

from masthead.core.models import Role
from tests.api.errors import assert_error
from tests.api.native.publish_helpers import create_doc as _doc
from tests.api.native.publish_helpers import publish_site as _publish
from tests.conftest import FakeClock
from tests.factories import make_api_token

pytestmark = pytest.mark.anyio

Headers = dict[str, str]


async def _route(client: httpx.AsyncClient, headers: Headers, route: str) -> dict[str, Any]:
    response = await client.get(f"/v1/private/{route}", headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


def _files(app: FastAPI, release_hash: str) -> dict[str, str]:
    blobs = app.state.services.publishing.blobs
    with blobs.open(release_hash) as stream:
        manifest = orjson.loads(stream.read())
    return dict(manifest["files"])


def _read(app: FastAPI, sha256: str) -> bytes:
    with app.state.services.publishing.blobs.open(sha256) as stream:
        return bytes(stream.read())


async def test_publishing_twice_without_a_change_gives_the_same_hash_and_says_so(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    await _doc(client, admin, title="Hello", type="post", content="<p>Hi</p>")
    first = await _publish(client, admin)
    second = await _publish(client, admin)
    assert second["releaseId"] != first["releaseId"]
    assert second["hash"] == first["hash"]
    assert (first["unchanged"], second["unchanged"]) == (False, True)
    await _doc(client, admin, title="Another", type="post")
    third = await _publish(client, admin)
    assert third["hash"] != first["hash"]
    assert third["unchanged"] is False


async def test_a_release_is_immutable_and_rollback_is_instant(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    doc = await _doc(client, admin, title="Hello", type="post", content="<p>Old words</p>")
    old = await _publish(client, admin)
    edited = await client.patch(
        f"/v1/documents/{doc['id']}", json={"content": "<p>New words</p>"}, headers=admin
    )
    assert edited.status_code == 200
    new = await _publish(client, admin)
    # Editing and building changed nothing readers see until the new release is activated.
    assert "Old words" in (await _route(client, admin, doc["id"]))["html"]
    await client.post(f"/v1/releases/{new['releaseId']}/activate", headers=admin)
    page = await _route(client, admin, doc["id"])
    assert page["releaseId"] == new["releaseId"]
    assert "New words" in page["html"]
    rollback = await client.post(f"/v1/releases/{old['releaseId']}/activate", headers=admin)
    assert rollback.json()["activeRelease"] == old["releaseId"]
    page = await _route(client, admin, doc["id"])
    assert page["releaseId"] == old["releaseId"]
    assert "Old words" in page["html"]


async def test_publish_can_activate_its_release_at_once(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    await _publish(client, admin)
    second = await _publish(client, admin, activate=True)
    assert second["activated"] is True
    listed = (await client.get("/v1/releases", headers=admin)).json()
    assert listed["activeRelease"] == second["releaseId"]
    assert [r["active"] for r in listed["items"]] == [True, False]
    assert [r["number"] for r in listed["items"]] == [2, 1]


async def test_a_site_publish_publishes_drafts_unless_told_not_to(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    kept = await _doc(client, admin, title="Kept draft", type="post")
    job = await _publish(client, admin, publishDrafts=False)
    assert job["result"]["documents"] == 0
    assert_error(
        await client.get(f"/v1/private/{kept['id']}", headers=admin), 404, "ROUTE_NOT_FOUND"
    )
    job = await _publish(client, admin, activate=True)
    assert job["result"]["publishedDrafts"] == 1
    document = (await client.get(f"/v1/documents/{kept['id']}", headers=admin)).json()["document"]
    assert document["status"] == "published"


async def test_drafts_of_review_types_wait_for_review(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    created = await client.post(
        "/v1/types",
        json={
            "name": "memo",
            "title": "Memo",
            "workflow": "review",
            "routePattern": "/memo/{slug}",
            "fields": [{"name": "title", "type": "string"}],
        },
        headers=admin,
    )
    assert created.status_code == 201, created.text
    memo = await _doc(client, admin, title="Pending", type="memo")
    job = await _publish(client, admin)
    assert job["result"]["publishedDrafts"] == 0
    assert_error(
        await client.get(f"/v1/private/{memo['id']}", headers=admin), 404, "ROUTE_NOT_FOUND"
    )


async def test_routes_are_found_by_path_in_any_spelling(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    doc = await _doc(client, admin, title="Hello World", type="post")
    job = await _publish(client, admin)
    for spelling in (
        "blog/hello-world",
        "/blog/hello-world",
        "%2Fblog%2Fhello-world",
        "blog/hello-world/",
    ):
        found = await _route(client, admin, spelling)
        assert found["route"] == "/blog/hello-world"
        assert found["documentId"] == doc["id"]
        assert found["releaseId"] == job["releaseId"]
    listing = await _route(client, admin, "blog")
    assert "Hello World" in listing["html"]
    assert listing["documentId"] is None


async def test_a_release_holds_json_html_feeds_sitemap_and_menus(
    client: httpx.AsyncClient, admin: Headers, app: FastAPI
) -> None:
    doc = await _doc(client, admin, title="Tea & <Cake>", type="post", content="<p>x</p>")
    about = await _doc(client, admin, title="About", type="page")
    menu = await client.put(
        "/v1/navigation/menus/main",
        json={"title": "Main", "items": [{"label": "About us", "documentId": about["id"]}]},
        headers=admin,
    )
    assert menu.status_code == 200
    job = await _publish(client, admin)
    files = _files(app, job["hash"])
    assert {
        "sitemap.xml",
        "blog/feed.xml",
        "blog/index.html",
        "about/index.html",
        "blog/tea-cake/index.html",
        f"documents/{doc['id']}.json",
    } <= set(files)
    stored = orjson.loads(_read(app, files[f"documents/{doc['id']}.json"]))
    assert stored["title"] == "Tea & <Cake>"
    assert stored["route"] == "/blog/tea-cake"
    sitemap = _read(app, files["sitemap.xml"]).decode()
    assert "/blog/tea-cake</loc>" in sitemap
    assert "/about</loc>" in sitemap
    feed = _read(app, files["blog/feed.xml"]).decode()
    assert "Tea &amp; &lt;Cake&gt;" in feed
    html = _read(app, files["blog/tea-cake/index.html"]).decode()
    assert "Tea &amp; &lt;Cake&gt;" in html
    assert "<Cake>" not in html
    assert 'href="/about"' in html
    assert "About us" in html


async def test_hostile_content_is_escaped_in_the_release(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    doc = await _doc(
        client,
        admin,
        title='</title><script>alert("t")</script>',
        type="post",
        content=(
            '<p onclick="x()">Hi<img src=x onerror=alert(1)>'
            '<a href="javascript:alert(2)">l</a></p><script>alert(3)</script>'
        ),
        blocks=[
            {
                "name": "core/paragraph",
                "attributes": {"content": "<b>ok</b><script>alert(4)</script>"},
            }
        ],
    )
    await _publish(client, admin)
    html = (await _route(client, admin, doc["id"]))["html"]
    assert "<script>alert" not in html
    assert "onerror" not in html
    assert "onclick" not in html
    assert "javascript:" not in html
    assert "&lt;/title&gt;&lt;script&gt;" in html
    assert "<b>ok</b>" in html


async def test_viewers_read_releases_but_cannot_publish_or_activate(
    client: httpx.AsyncClient, admin: Headers, viewer: Headers
) -> None:
    job = await _publish(client, admin)
    assert_error(await client.post("/v1/publish", json={}, headers=viewer), 403, "FORBIDDEN")
    assert_error(
        await client.post(f"/v1/releases/{job['releaseId']}/activate", headers=viewer),
        403,
        "FORBIDDEN",
    )
    assert (await client.get("/v1/releases", headers=viewer)).json()["activeRelease"] == job[
        "releaseId"
    ]
    assert (await client.get(f"/v1/publish/{job['id']}", headers=viewer)).status_code == 200


async def test_another_space_sees_none_of_it(
    client: httpx.AsyncClient, admin: Headers, db: Any, clock: FakeClock
) -> None:
    from tests.factories import make_space

    job = await _publish(client, admin)
    make_space(db, clock, "other")
    other = {"Authorization": f"Bearer {make_api_token(db, clock, 'other', Role.ADMIN)}"}
    assert_error(
        await client.get(f"/v1/publish/{job['id']}", headers=other), 404, "PUBLISH_JOB_NOT_FOUND"
    )
    assert_error(
        await client.post(f"/v1/releases/{job['releaseId']}/activate", headers=other),
        404,
        "RELEASE_NOT_FOUND",
    )
    listed = (await client.get("/v1/releases", headers=other)).json()
    assert listed == {"items": [], "activeRelease": None, "active": None}


async def test_a_bad_schedule_is_refused(client: httpx.AsyncClient, admin: Headers) -> None:
    response = await client.post("/v1/publish", json={"at": "tomorrow"}, headers=admin)
    assert response.status_code == 422
    response = await client.post("/v1/publish", json={"at": "2026-01-01T00:00:00"}, headers=admin)
    assert response.status_code == 422  # no offset: which timezone is meant is unknown


async def test_a_scheduled_publish_runs_at_its_time(
    client: httpx.AsyncClient, app: FastAPI, clock: FakeClock, db: Any, space: Any
) -> None:
    admin = {"Authorization": f"Bearer {make_api_token(db, clock, 'default', Role.ADMIN)}"}
    response = await client.post("/v1/publish", json={"at": "2026-01-15T13:00:00Z"}, headers=admin)
    assert response.status_code == 202
    job = response.json()["job"]
    assert job["status"] == "queued"
    assert job["runAt"].startswith("2026-01-15T13:00:00")
    worker = app.state.services.worker
    worker.stop()  # the drain the publish kicked off has ended: the test drives the runner
    assert worker.runner.drain() == 0
    clock.advance(3600)
    assert worker.runner.drain() == 1
    done = (await client.get(f"/v1/publish/{job['id']}", headers=admin)).json()["job"]
    assert done["status"] == "completed"
    assert done["releaseId"]


class TestWithoutWaiting:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, object]:
        return {"publish_wait_seconds": 0, "embedded_worker": False}

    async def test_a_publish_not_finished_in_time_answers_202(
        self, client: httpx.AsyncClient, admin: Headers
    ) -> None:
        response = await client.post("/v1/publish", headers=admin)
        assert response.status_code == 202
        job = response.json()["job"]
        assert job["status"] == "queued"
        assert job["releaseId"] is None
        assert job["progress"] == {"done": 0, "total": 0}


async def test_a_private_route_revalidates_with_its_etag(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    doc = await _doc(client, admin, title="Hello", type="post", content="<p>One</p>")
    first = await _publish(client, admin)
    page = await client.get(f"/v1/private/{doc['id']}", headers=admin)
    etag = page.headers["etag"]
    assert page.headers["cache-control"] == "private, no-cache"
    same = await client.get(f"/v1/private/{doc['id']}", headers=admin | {"If-None-Match": etag})
    assert same.status_code == 304
    assert same.content == b""
    await client.patch(f"/v1/documents/{doc['id']}", json={"content": "<p>Two</p>"}, headers=admin)
    second = await _publish(client, admin, activate=True)
    changed = await client.get(f"/v1/private/{doc['id']}", headers=admin | {"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag
    assert changed.json()["releaseId"] == second["releaseId"]
    await client.post(f"/v1/releases/{first['releaseId']}/activate", headers=admin)
    back = await client.get(f"/v1/private/{doc['id']}", headers=admin | {"If-None-Match": etag})
    assert back.status_code == 304  # rolled back: the first release's page again


async def test_a_document_publishes_itself_at_its_publish_at(
    client: httpx.AsyncClient, app: FastAPI, clock: FakeClock, db: Any, space: Any
) -> None:
    admin = {"Authorization": f"Bearer {make_api_token(db, clock, 'default', Role.ADMIN)}"}
    doc = await _doc(client, admin, title="Embargoed", type="post")
    response = await client.post(
        f"/v1/documents/{doc['id']}/schedule",
        json={"publishAt": "2026-01-15T12:30:00+00:00"},
        headers=admin,
    )
    assert response.status_code == 202, response.text
    job = response.json()["job"]
    assert (job["kind"], job["status"]) == ("publish_document", "queued")
    runner = app.state.services.worker.runner
    assert runner.drain() == 0
    current = (await client.get(f"/v1/documents/{doc['id']}", headers=admin)).json()
    assert current["document"]["status"] == "draft"
    clock.advance(1800)
    assert runner.drain() == 1
    current = (await client.get(f"/v1/documents/{doc['id']}", headers=admin)).json()
    assert current["document"]["status"] == "published"
    done = (await client.get(f"/v1/publish/{job['id']}", headers=admin)).json()["job"]
    assert done["status"] == "completed"
    assert done["result"]["alreadyPublished"] is False


async def test_scheduling_needs_a_publisher_and_a_document(
    client: httpx.AsyncClient, admin: Headers, viewer: Headers
) -> None:
    doc = await _doc(client, admin, title="Later")
    body = {"publishAt": "2030-01-01T00:00:00Z"}
    assert_error(
        await client.post(f"/v1/documents/{doc['id']}/schedule", json=body, headers=viewer),
        403,
        "FORBIDDEN",
    )
    assert_error(
        await client.post("/v1/documents/nope/schedule", json=body, headers=admin),
        404,
        "DOCUMENT_NOT_FOUND",
    )
    missing = await client.post(f"/v1/documents/{doc['id']}/schedule", json={}, headers=admin)
    assert missing.status_code == 422


async def test_a_publish_renders_only_the_pages_whose_inputs_changed(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    first = await _doc(client, admin, title="One", type="post", content="<p>1</p>")
    await _doc(client, admin, title="Two", type="post", content="<p>2</p>")
    built = await _publish(client, admin)
    assert (built["result"]["rendered"], built["result"]["reusedPages"]) == (2, 0)
    again = await _publish(client, admin, activate=True)
    assert (again["result"]["rendered"], again["result"]["reusedPages"]) == (0, 2)
    assert again["hash"] == built["hash"]
    await client.patch(
        f"/v1/documents/{first['id']}", json={"content": "<p>changed</p>"}, headers=admin
    )
    changed = await _publish(client, admin, activate=True)
    assert (changed["result"]["rendered"], changed["result"]["reusedPages"]) == (1, 1)
    assert "changed" in (await _route(client, admin, first["id"]))["html"]
    # A menu appears on every page: every page is rendered again.
    await client.put(
        "/v1/navigation/menus/main", json={"items": [{"label": "Home", "url": "/"}]}, headers=admin
    )
    menu = await _publish(client, admin, activate=True)
    assert (menu["result"]["rendered"], menu["result"]["reusedPages"]) == (2, 0)
    assert "Home" in (await _route(client, admin, first["id"]))["html"]
