"""The apps API's Deployments (designed in ``docs/apps-api.md``): a deployment is a publish
job that builds a release and makes it live; what the dialect translates of it (statuses,
the release, the defaults, 201/202, ids, roles, apps as spaces, its error format), checked
against /v1's view of the same releases. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import httpx
import pytest
from fastapi import FastAPI

from masthead.api.apps.deployment_schemas import DeploymentOut
from masthead.api.ids import NOTHING
from masthead.core.jobs import Job, JobKind, JobStatus
from masthead.core.models import Role
from masthead.storage.uow import Database
from tests.api.apps.conftest import BASE, bearer
from tests.api.conftest import Headers
from tests.conftest import FakeClock
from tests.factories import login, make_api_token, make_space, make_user

pytestmark = pytest.mark.anyio
DEPLOYMENTS = f"{BASE}/deployments"
POSTS = f"{BASE}/content/blog-posts"
KEYS = {
    "id",
    "status",
    "activate",
    "publish_drafts",
    "release",
    "unchanged",
    "progress",
    "error",
    "created_at",
    "started_at",
    "finished_at",
}


@pytest.fixture
async def routed(client: httpx.AsyncClient, admin: Headers, token: Headers) -> Headers:
    """The editor token, with ``blog-posts`` given a route (through /v1: the Schemas API has
    no route), so a release holds the HTML of its entries at ``/posts/<id>``."""
    patched = await client.patch(
        "/v1/types/blog-posts", json={"routePattern": "/posts/{slug}"}, headers=admin
    )
    assert patched.status_code == 200, patched.text
    return token


async def _entry(
    client: httpx.AsyncClient, headers: Headers, title: str, *, publish: bool = True
) -> str:
    made = await client.post(POSTS, json={"title": title, "body": "Words"}, headers=headers)
    assert made.status_code == 201, made.text
    entry_id: str = made.json()["id"]
    if publish:
        published = await client.post(f"{POSTS}/{entry_id}/publish", headers=headers)
        assert published.status_code == 200, published.text
    return entry_id


async def _deploy(client: httpx.AsyncClient, headers: Headers, **body: Any) -> dict[str, Any]:
    response = await client.post(DEPLOYMENTS, json=body, headers=headers)
    assert response.status_code == 201, response.text
    deployment: dict[str, Any] = response.json()
    assert deployment["status"] == "ready", deployment
    return deployment


async def _page(client: httpx.AsyncClient, headers: Headers, route: str) -> httpx.Response:
    return await client.get(f"/v1/private/{route}", headers=headers)


async def _active_release(client: httpx.AsyncClient, admin: Headers) -> str | None:
    releases = await client.get("/v1/releases", headers=admin)
    assert releases.status_code == 200, releases.text
    active: str | None = releases.json()["activeRelease"]
    return active


async def test_a_deployment_builds_a_release_and_makes_it_live(
    client: httpx.AsyncClient, routed: Headers, admin: Headers
) -> None:
    await _entry(client, routed, "Hello there")
    response = await client.post(DEPLOYMENTS, headers=routed)  # no body: the defaults
    assert response.status_code == 201, response.text
    deployment = response.json()
    assert set(deployment) == KEYS
    assert deployment["status"] == "ready"
    assert (deployment["activate"], deployment["publish_drafts"]) == (True, False)
    release = deployment["release"]
    assert set(release) == {"id", "hash", "active"}
    assert release["active"] is True
    assert len(release["hash"]) == 64
    assert deployment["unchanged"] is False
    assert deployment["error"] is None
    assert deployment["progress"]["done"] >= 1
    assert deployment["created_at"] <= deployment["started_at"] <= deployment["finished_at"]

    assert await _active_release(client, admin) == release["id"]
    page = await _page(client, admin, "posts/hello-there")
    assert page.status_code == 200, page.text
    assert page.json()["releaseId"] == release["id"]
    assert "Hello there" in page.json()["html"]
    by_document = await _page(client, admin, page.json()["documentId"])
    assert by_document.json()["route"] == "/posts/hello-there"


async def test_drafts_and_unpublished_entries_stay_out_unless_asked(
    client: httpx.AsyncClient, routed: Headers, admin: Headers
) -> None:
    await _entry(client, routed, "Draft", publish=False)
    withdrawn = await _entry(client, routed, "Withdrawn")
    assert (await client.post(f"{POSTS}/{withdrawn}/unpublish", headers=routed)).status_code == 200
    await _deploy(client, routed)
    for route in ("posts/draft", "posts/withdrawn"):
        assert (await _page(client, admin, route)).status_code == 404
    assert (await client.get(POSTS, headers=routed)).json() == []  # still not published

    asked = await _deploy(client, routed, publishDrafts=True)  # /v1's spelling is taken too
    assert asked["publish_drafts"] is True
    for route in ("posts/draft", "posts/withdrawn"):
        assert (await _page(client, admin, route)).status_code == 200
    listed = await client.get(POSTS, headers=routed)
    assert sorted(e["id"] for e in listed.json()) == ["draft", "withdrawn"]


async def test_deployments_are_listed_newest_first_and_read_by_id(
    client: httpx.AsyncClient, token: Headers, clock: FakeClock
) -> None:
    made = []
    for _ in range(3):
        made.append(await _deploy(client, token))
        clock.advance(1)
    response = await client.get(DEPLOYMENTS, headers=token)
    assert response.status_code == 200
    listed = response.json()
    assert [d["id"] for d in listed] == [d["id"] for d in reversed(made)]
    # Only the newest release is live now; nothing changed between them.
    assert [d["release"]["active"] for d in listed] == [True, False, False]
    assert [d["unchanged"] for d in listed] == [True, True, False]
    assert len({d["release"]["hash"] for d in listed}) == 1

    window = await client.get(DEPLOYMENTS, params={"limit": 1, "offset": 1}, headers=token)
    assert [d["id"] for d in window.json()] == [made[1]["id"]]
    one = await client.get(f"{DEPLOYMENTS}/{made[1]['id']}", headers=token)
    assert one.status_code == 200
    assert one.json() == listed[1]


async def test_a_deployment_that_does_not_activate_leaves_the_live_release(
    client: httpx.AsyncClient, routed: Headers, admin: Headers, clock: FakeClock
) -> None:
    await _entry(client, routed, "First")
    live = await _deploy(client, routed)
    clock.advance(1)
    await _entry(client, routed, "Second")
    built = await _deploy(client, routed, activate=False)
    assert built["activate"] is False
    assert built["release"]["active"] is False
    assert built["release"]["id"] != live["release"]["id"]
    assert built["unchanged"] is False
    assert await _active_release(client, admin) == live["release"]["id"]
    assert (await _page(client, admin, "posts/second")).status_code == 404
    again = await client.get(f"{DEPLOYMENTS}/{live['id']}", headers=routed)
    assert again.json()["release"]["active"] is True


async def test_the_first_release_goes_live_even_without_activate(
    client: httpx.AsyncClient, token: Headers, admin: Headers
) -> None:
    first = await _deploy(client, token, activate=False)
    assert first["release"]["active"] is True
    assert await _active_release(client, admin) == first["release"]["id"]


async def test_unknown_and_malformed_ids_are_404(client: httpx.AsyncClient, token: Headers) -> None:
    await _deploy(client, token)
    for raw_id in (str(uuid4()), str(NOTHING), "nope", "a" * 200, "123"):
        response = await client.get(f"{DEPLOYMENTS}/{raw_id}", headers=token)
        assert (response.status_code, response.json()) == (
            404,
            {"error": "Deployment not found"},
        ), raw_id


async def test_another_apps_deployments_are_not_found(
    client: httpx.AsyncClient, token: Headers, db: Database, clock: FakeClock
) -> None:
    deployment = await _deploy(client, token)
    make_space(db, clock, "other-app")
    other = bearer(make_api_token(db, clock, "other-app", Role.ADMIN))
    elsewhere = "/api/v1/apps/other-app/deployments"
    response = await client.get(f"{elsewhere}/{deployment['id']}", headers=other)
    assert (response.status_code, response.json()) == (404, {"error": "Deployment not found"})
    assert (await client.get(elsewhere, headers=other)).json() == []


async def test_viewers_read_deployments_but_cannot_deploy(
    client: httpx.AsyncClient, token: Headers, viewer_token: Headers, viewer: Headers
) -> None:
    deployment = await _deploy(client, token)
    for reader in (viewer_token, {"Authorization": viewer["Authorization"]}):
        listed = await client.get(DEPLOYMENTS, headers=reader)
        assert [d["id"] for d in listed.json()] == [deployment["id"]]
        one = await client.get(f"{DEPLOYMENTS}/{deployment['id']}", headers=reader)
        assert one.json() == listed.json()[0]
        refused = await client.post(DEPLOYMENTS, json={}, headers=reader)
        assert refused.status_code == 403, refused.text
        assert set(refused.json()) == {"error"}
    assert len((await client.get(DEPLOYMENTS, headers=token)).json()) == 1


async def test_outsiders_get_404_and_no_token_401(
    client: httpx.AsyncClient, token: Headers, db: Database, clock: FakeClock
) -> None:
    deployment = await _deploy(client, token)
    make_space(db, clock, "other-app")
    make_user(db, clock, "otto", Role.ADMIN, space="other-app")
    otto = (await login(client, "otto")).headers
    other_token = bearer(make_api_token(db, clock, "other-app", Role.ADMIN))
    one = f"{DEPLOYMENTS}/{deployment['id']}"
    for headers in (otto, other_token):
        for method, url in (("GET", DEPLOYMENTS), ("POST", DEPLOYMENTS), ("GET", one)):
            response = await client.request(method, url, headers=headers)
            assert (response.status_code, response.json()) == (404, {"error": "App not found"})
    missing = await client.post("/api/v1/apps/nope/deployments", headers=token)
    assert (missing.status_code, missing.json()) == (404, {"error": "App not found"})
    for method, url in (("GET", DEPLOYMENTS), ("POST", DEPLOYMENTS), ("GET", one)):
        anonymous = await client.request(method, url)
        assert anonymous.status_code == 401
        assert set(anonymous.json()) == {"error"}
    assert len((await client.get(DEPLOYMENTS, headers=token)).json()) == 1


async def test_a_bad_body_or_page_is_400_in_the_apps_format(
    client: httpx.AsyncClient, token: Headers
) -> None:
    bad = await client.post(DEPLOYMENTS, json={"activate": "soon"}, headers=token)
    assert (bad.status_code, set(bad.json())) == (400, {"errors"})
    # The type's name is left out: the shared pydantic translation says "bool" today.
    assert bad.json()["errors"][0].startswith('activate: "soon" is not of type ')
    not_an_object = await client.post(DEPLOYMENTS, json=[1], headers=token)
    assert (not_an_object.status_code, set(not_an_object.json())) == (400, {"errors"})
    page = await client.get(DEPLOYMENTS, params={"limit": 0}, headers=token)
    assert (page.status_code, set(page.json())) == (400, {"errors"})
    assert (await client.get(DEPLOYMENTS, headers=token)).json() == []  # nothing queued


def test_the_routes_are_documented_under_the_apps_tag(app: FastAPI) -> None:
    paths = app.openapi()["paths"]
    listing = paths["/api/v1/apps/{app_slug}/deployments"]
    one = paths["/api/v1/apps/{app_slug}/deployments/{deployment_id}"]
    assert set(listing) == {"get", "post"}
    assert set(one) == {"get"}
    for operation in (listing["get"], listing["post"], one["get"]):
        assert operation["tags"] == ["apps"]
        assert {"401", "404"} <= set(operation["responses"])
    assert {"201", "202", "400", "403"} <= set(listing["post"]["responses"])
    assert listing["post"]["requestBody"].get("required", False) is False


def _job(status: JobStatus, **changes: Any) -> Job:
    now = datetime(2026, 1, 15, 12, tzinfo=UTC)
    values: dict[str, Any] = {
        "id": uuid4(),
        "space_id": uuid4(),
        "kind": JobKind.PUBLISH,
        "status": status,
        "payload": {"activate": True, "publishDrafts": False},
        "run_at": now,
        "created_at": now,
        "updated_at": now,
        **changes,
    }
    return Job(**values)


@pytest.mark.parametrize(
    ("status", "word"),
    [
        (JobStatus.QUEUED, "queued"),
        (JobStatus.RUNNING, "building"),
        (JobStatus.COMPLETED, "ready"),
        (JobStatus.FAILED, "failed"),
    ],
)
def test_job_states_read_as_deployment_states(status: JobStatus, word: str) -> None:
    shaped = DeploymentOut.of(_job(status, progress_done=2, progress_total=5), None)
    assert (shaped.status, shaped.progress.done, shaped.progress.total) == (word, 2, 5)
    assert shaped.release is None
    assert shaped.unchanged is None


def test_a_failed_deployment_says_why_and_has_no_release() -> None:
    failed = _job(JobStatus.FAILED, error="the template is broken", attempts=3)
    shaped = DeploymentOut.of(failed, uuid4())
    assert (shaped.status, shaped.error, shaped.release) == (
        "failed",
        "the template is broken",
        None,
    )


class TestWithoutWaiting:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, object]:
        return {"publish_wait_seconds": 0, "embedded_worker": False}

    async def test_a_deployment_not_finished_in_time_answers_202(
        self, client: httpx.AsyncClient, token: Headers
    ) -> None:
        response = await client.post(DEPLOYMENTS, json={"activate": False}, headers=token)
        assert response.status_code == 202, response.text
        deployment = response.json()
        assert set(deployment) == KEYS
        assert deployment["status"] == "queued"
        assert deployment["activate"] is False
        assert (deployment["release"], deployment["unchanged"]) == (None, None)
        assert deployment["progress"] == {"done": 0, "total": 0}
        assert (deployment["started_at"], deployment["finished_at"]) == (None, None)
        one = await client.get(f"{DEPLOYMENTS}/{deployment['id']}", headers=token)
        assert one.json() == deployment
        assert (await client.get(DEPLOYMENTS, headers=token)).json() == [deployment]
