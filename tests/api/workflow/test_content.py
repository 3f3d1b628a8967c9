"""The workflow API's content routes on both databases: the item's shape, PUT, DELETE as
archive, every transition and its prerequisite, self-approval (an admin's too), versions,
revert, the lifecycle walked end to end, and the added create, list and history routes."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from masthead.core.models import Role
from masthead.storage.uow import Database
from tests.api.conftest import Headers
from tests.api.workflow.helpers import BASE, act, assert_workflow_error, create_item
from tests.conftest import FakeClock
from tests.factories import make_api_token

pytestmark = pytest.mark.anyio

ITEM_KEYS = {
    "id",
    "name",
    "status",
    "version",
    "content",
    "blocks",
    "personalization",
    "parentTemplate",
    "source",
    "publishedAt",
    "createdAt",
    "updatedAt",
    "versions",
}


@pytest.fixture
async def landing(client: httpx.AsyncClient, admin: Headers) -> None:
    """A template of its own with blocks and personalization fields."""
    spec = {
        "name": "landing",
        "fields": [
            {"name": "headline", "type": "string"},
            {"name": "blocks", "type": "blocks"},
            {"name": "personalization", "type": "json"},
        ],
    }
    assert (await client.post("/v1/types", json=spec, headers=admin)).status_code == 201


async def _to(
    client: httpx.AsyncClient, author: Headers, reviewer: Headers, status: str
) -> dict[str, Any]:
    """An item brought to ``status`` through this API: ``author`` writes and submits,
    ``reviewer`` approves and publishes."""
    item = await create_item(client, author, f"In {status}")
    steps = {
        "draft": [],
        "in_review": [(author, "submit")],
        "approved": [(author, "submit"), (reviewer, "approve")],
        "published": [(author, "submit"), (reviewer, "approve"), (reviewer, "publish")],
    }.get(status, [])
    for headers, action in steps:
        response = await act(client, headers, item["id"], action)
        assert response.status_code == 200, response.text
        item = response.json()
    if status == "archived":
        assert (await client.delete(f"{BASE}/{item['id']}", headers=author)).status_code == 204
        item = (await client.get(f"{BASE}/{item['id']}", headers=author)).json()
    assert item["status"] == status
    return item


async def test_get_shape(
    client: httpx.AsyncClient, admin: Headers, ed: Headers, landing: None
) -> None:
    made = await create_item(
        client,
        ed,
        "Home",
        templateId="landing",
        content={"headline": "Hi"},
        blocks=[{"type": "paragraph", "text": "x"}],
        personalization={"segments": ["new"], "nested": {"a": 1}},
    )
    response = await client.get(f"{BASE}/{made['id']}", headers=admin)
    assert response.status_code == 200, response.text
    item = response.json()
    assert set(item) == ITEM_KEYS
    assert (item["name"], item["status"], item["version"]) == ("Home", "draft", 1)
    assert item["content"] == {"headline": "Hi"}
    assert item["blocks"] == [{"type": "paragraph", "text": "x"}]
    assert item["personalization"] == {"segments": ["new"], "nested": {"a": 1}}
    types = (await client.get("/v1/types/landing", headers=admin)).json()
    template_id = types.get("id") or types.get("type", {}).get("id")
    assert item["parentTemplate"]["name"] == "landing"
    if template_id:
        assert item["parentTemplate"]["id"] == template_id
    me = (await client.get("/v1/auth/me", headers=ed)).json()
    user_id = me.get("id") or me.get("user", {}).get("id")
    assert item["source"]["origin"] == "workflow"
    assert item["source"]["createdBy"] == user_id
    assert item["source"]["createdAt"] == item["createdAt"]
    assert item["publishedAt"] is None
    assert [v["version"] for v in item["versions"]] == [1]
    assert set(item["versions"][0]) == {"id", "version", "createdAt"}


async def test_source_names_the_api_that_created_the_item(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    v1 = await client.post("/v1/documents", json={"type": "page", "title": "V"}, headers=admin)
    trokky = await client.post("/api/documents/page", json={"title": "T"}, headers=admin)
    for item_id, origin in (
        (v1.json()["document"]["id"], "v1"),
        (trokky.json()["data"]["_id"], "trokky"),
    ):
        item = (await client.get(f"{BASE}/{item_id}", headers=admin)).json()
        assert item["source"]["origin"] == origin


async def test_put_makes_a_new_version(
    client: httpx.AsyncClient, ed: Headers, landing: None
) -> None:
    made = await create_item(client, ed, "One", templateId="landing", content={"headline": "a"})
    response = await client.put(
        f"{BASE}/{made['id']}",
        json={"name": "Two", "personalization": {"geo": "fr"}, "blocks": [{"type": "hr"}]},
        headers=ed,
    )
    assert response.status_code == 200, response.text
    item = response.json()
    assert (item["name"], item["version"], item["status"]) == ("Two", 2, "draft")
    assert item["content"] == {"headline": "a"}  # not sent: kept
    assert item["personalization"] == {"geo": "fr"}
    assert item["blocks"] == [{"type": "hr"}]
    assert [v["version"] for v in item["versions"]] == [2, 1]
    empty = await client.put(f"{BASE}/{made['id']}", json={}, headers=ed)
    assert empty.json()["version"] == 3


async def test_put_refuses_what_the_template_does_not_hold(
    client: httpx.AsyncClient, ed: Headers
) -> None:
    made = await create_item(client, ed)
    response = await client.put(f"{BASE}/{made['id']}", json={"content": {"nope": 1}}, headers=ed)
    error = assert_workflow_error(response, 422, "VALIDATION_ERROR")
    assert error["details"][0]["field"].endswith("nope")
    wrong = await client.put(f"{BASE}/{made['id']}", json={"content": []}, headers=ed)
    assert_workflow_error(wrong, 422, "VALIDATION_ERROR")


async def test_delete_archives_and_the_item_stays_readable(
    client: httpx.AsyncClient, ed: Headers
) -> None:
    made = await create_item(client, ed)
    response = await client.delete(f"{BASE}/{made['id']}", headers=ed)
    assert response.status_code == 204
    assert response.content == b""
    item = (await client.get(f"{BASE}/{made['id']}", headers=ed)).json()
    assert item["status"] == "archived"
    again = await client.delete(f"{BASE}/{made['id']}", headers=ed)
    error = assert_workflow_error(again, 409, "INVALID_STATUS")
    assert error["currentStatus"] == "archived"
    edit = await client.put(f"{BASE}/{made['id']}", json={"name": "X"}, headers=ed)
    assert_workflow_error(edit, 409, "INVALID_STATUS")


# Each transition, the one status it may start from, and where it leads.
TRANSITIONS = {
    "submit": ("draft", "in_review"),
    "approve": ("in_review", "approved"),
    "publish": ("approved", "published"),
    "reject": ("in_review", "draft"),
}
STATUSES = ["draft", "in_review", "approved", "published", "archived"]


@pytest.mark.parametrize("action", list(TRANSITIONS))
@pytest.mark.parametrize("status", STATUSES)
async def test_every_prerequisite_is_enforced(
    client: httpx.AsyncClient, ed: Headers, eve: Headers, action: str, status: str
) -> None:
    item = await _to(client, ed, eve, status)
    required, target = TRANSITIONS[action]
    actor = ed if action == "submit" else eve
    response = await act(client, actor, item["id"], action)
    if status == required:
        assert response.status_code == 200, response.text
        assert response.json()["status"] == target
        return
    error = assert_workflow_error(response, 409, "INVALID_STATUS")
    assert error["currentStatus"] == status
    assert error["requiredStatus"] == required
    assert f'"{status}"' in error["message"]
    assert f'"{required}"' in error["message"]


async def test_admin_may_not_publish_a_draft_here_though_v1_lets_them(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    item = await create_item(client, admin)
    response = await act(client, admin, item["id"], "publish")
    error = assert_workflow_error(response, 409, "INVALID_STATUS")
    assert (error["currentStatus"], error["requiredStatus"]) == ("draft", "approved")
    v1 = await client.post(f"/v1/documents/{item['id']}/publish", headers=admin)
    assert v1.status_code == 200, v1.text


@pytest.mark.parametrize("who", ["ed", "admin"])
async def test_self_approval_is_refused_even_for_an_admin(
    client: httpx.AsyncClient, ed: Headers, admin: Headers, who: str
) -> None:
    headers = {"ed": ed, "admin": admin}[who]
    item = await create_item(client, headers)
    assert (await act(client, headers, item["id"], "submit")).status_code == 200
    response = await act(client, headers, item["id"], "approve")
    assert_workflow_error(response, 403, "SELF_APPROVAL_FORBIDDEN")
    assert (await client.get(f"{BASE}/{item['id']}", headers=headers)).json()[
        "status"
    ] == "in_review"


async def test_the_lifecycle_end_to_end(
    client: httpx.AsyncClient, ed: Headers, eve: Headers, clock: FakeClock
) -> None:
    """draft → in_review → (reject) draft → in_review → approved → published → archived."""
    item = await create_item(client, ed, "Story")
    item_id = item["id"]
    assert (await act(client, ed, item_id, "submit")).json()["status"] == "in_review"
    rejected = await act(client, eve, item_id, "reject", reason="Needs a source")
    assert rejected.status_code == 200, rejected.text
    assert rejected.json()["status"] == "draft"
    edited = await client.put(f"{BASE}/{item_id}", json={"name": "Story, sourced"}, headers=ed)
    assert edited.json()["version"] == 2
    assert (await act(client, ed, item_id, "submit")).json()["status"] == "in_review"
    assert (await act(client, eve, item_id, "approve")).json()["status"] == "approved"
    published = (await act(client, eve, item_id, "publish")).json()
    assert published["status"] == "published"
    assert published["publishedAt"] is not None
    assert published["version"] == 3  # the publish snapshot
    assert [v["version"] for v in published["versions"]] == [3, 2, 1]
    assert (await client.delete(f"{BASE}/{item_id}", headers=ed)).status_code == 204
    final = (await client.get(f"{BASE}/{item_id}", headers=ed)).json()
    assert final["status"] == "archived"

    history = (await client.get(f"{BASE}/{item_id}/history", headers=ed)).json()["history"]
    assert [(h["action"], h["fromStatus"], h["toStatus"]) for h in history] == [
        ("archive", "published", "archived"),
        ("publish", "approved", "published"),
        ("approve", "in_review", "approved"),
        ("submit", "draft", "in_review"),
        ("reject", "in_review", "draft"),
        ("submit", "draft", "in_review"),
    ]
    assert history[4]["reason"] == "Needs a source"
    assert all(h["actorId"] and h["at"] for h in history)


async def test_reject_without_a_body(client: httpx.AsyncClient, ed: Headers, eve: Headers) -> None:
    item = await _to(client, ed, eve, "in_review")
    response = await client.post(f"{BASE}/{item['id']}/reject", headers=eve)
    assert response.status_code == 200, response.text
    history = (await client.get(f"{BASE}/{item['id']}/history", headers=ed)).json()["history"]
    assert history[0]["reason"] is None


async def test_versions_newest_first_with_their_snapshots(
    client: httpx.AsyncClient, ed: Headers
) -> None:
    item = await create_item(client, ed, "v1", content={"excerpt": "one"})
    for n in range(2, 5):
        await client.put(f"{BASE}/{item['id']}", json={"name": f"v{n}"}, headers=ed)
    response = await client.get(f"{BASE}/{item['id']}/versions", headers=ed)
    assert response.status_code == 200, response.text
    versions = response.json()["versions"]
    assert [(v["version"], v["name"]) for v in versions] == [
        (4, "v4"),
        (3, "v3"),
        (2, "v2"),
        (1, "v1"),
    ]
    assert versions[-1]["content"] == {"excerpt": "one"}


async def test_versions_stop_at_a_hundred_and_the_item_shows_twenty(
    client: httpx.AsyncClient, ed: Headers
) -> None:
    item = await create_item(client, ed)
    for n in range(104):
        await client.put(f"{BASE}/{item['id']}", json={"name": f"n{n}"}, headers=ed)
    versions = (await client.get(f"{BASE}/{item['id']}/versions", headers=ed)).json()["versions"]
    assert [v["version"] for v in versions] == list(range(105, 5, -1))
    shown = (await client.get(f"{BASE}/{item['id']}", headers=ed)).json()["versions"]
    assert [v["version"] for v in shown] == list(range(105, 85, -1))


async def test_revert_makes_a_new_draft_version(
    client: httpx.AsyncClient, ed: Headers, eve: Headers
) -> None:
    item = await create_item(client, ed, "First", content={"excerpt": "old"})
    await client.put(f"{BASE}/{item['id']}", json={"name": "Second"}, headers=ed)
    assert (await act(client, ed, item["id"], "submit")).status_code == 200
    response = await client.post(f"{BASE}/{item['id']}/revert/1", headers=eve)
    assert response.status_code == 200, response.text
    reverted = response.json()
    assert (reverted["name"], reverted["version"], reverted["status"]) == ("First", 3, "draft")
    assert reverted["content"] == {"excerpt": "old"}


@pytest.mark.parametrize("target", [3, 4, 99])
async def test_revert_to_the_current_or_a_later_version_is_refused(
    client: httpx.AsyncClient, ed: Headers, target: int
) -> None:
    item = await create_item(client, ed)
    for name in ("b", "c"):
        await client.put(f"{BASE}/{item['id']}", json={"name": name}, headers=ed)
    response = await client.post(f"{BASE}/{item['id']}/revert/{target}", headers=ed)
    error = assert_workflow_error(response, 409, "VERSION_NOT_OLDER")
    assert "3" in error["message"]
    assert (await client.get(f"{BASE}/{item['id']}", headers=ed)).json()["version"] == 3


@pytest.mark.parametrize("target", ["0", "-1", "two"])
async def test_revert_to_no_version_number_is_invalid(
    client: httpx.AsyncClient, ed: Headers, target: str
) -> None:
    item = await create_item(client, ed)
    response = await client.post(f"{BASE}/{item['id']}/revert/{target}", headers=ed)
    assert_workflow_error(response, 422, "VALIDATION_ERROR")


async def test_create_from_a_template_by_id_or_name(
    client: httpx.AsyncClient, ed: Headers, admin: Headers
) -> None:
    by_name = await create_item(client, ed, "Named", templateId="post")
    template_id = by_name["parentTemplate"]["id"]
    by_id = await create_item(client, ed, "By id", templateId=template_id)
    assert by_id["parentTemplate"] == {"id": template_id, "name": "post"}
    missing = await client.post(BASE, json={"templateId": "nope", "name": "X"}, headers=ed)
    assert_workflow_error(missing, 422, "VALIDATION_ERROR")
    no_template = await client.post(BASE, json={"name": "X"}, headers=ed)
    assert_workflow_error(no_template, 422, "VALIDATION_ERROR")


async def test_list_filters_by_status_and_template_and_pages(
    client: httpx.AsyncClient, ed: Headers, eve: Headers
) -> None:
    drafts = [await create_item(client, ed, f"Page {n}") for n in range(3)]
    post = await create_item(client, ed, "Post", templateId="post")
    await act(client, ed, post["id"], "submit")
    everything = (await client.get(BASE, headers=ed)).json()
    assert everything["total"] == 4
    in_review = (await client.get(f"{BASE}?status=in_review", headers=ed)).json()
    assert [i["id"] for i in in_review["items"]] == [post["id"]]
    pages = (await client.get(f"{BASE}?templateId=page&limit=2&page=2", headers=ed)).json()
    assert (pages["total"], pages["page"], pages["limit"], len(pages["items"])) == (3, 2, 2, 1)
    assert pages["items"][0]["id"] in {d["id"] for d in drafts}
    bad = await client.get(f"{BASE}?status=lost", headers=ed)
    assert_workflow_error(bad, 422, "VALIDATION_ERROR")


async def test_x_api_key_and_x_tenant_id(
    client: httpx.AsyncClient, db: Database, clock: FakeClock, ed: Headers
) -> None:
    made = await create_item(client, ed)
    token = make_api_token(db, clock, "default", Role.EDITOR)
    headers = {"X-API-Key": token, "X-Tenant-Id": "default", "X-Requested-With": "XMLHttpRequest"}
    response = await client.get(f"{BASE}/{made['id']}", headers=headers)
    assert response.status_code == 200, response.text
    space_id = (await client.get("/v1/auth/me", headers=ed)).json()
    bearer = {"Authorization": ed["Authorization"]}
    elsewhere = await client.get(
        f"{BASE}/{made['id']}", headers={**bearer, "X-Tenant-Id": "elsewhere"}
    )
    assert_workflow_error(elsewhere, 403, "FORBIDDEN")
    assert space_id
    bad_key = await client.get(f"{BASE}/{made['id']}", headers={"X-API-Key": "nope"})
    assert_workflow_error(bad_key, 401, "UNAUTHORIZED")


async def test_x_tenant_id_may_be_the_space_id(
    client: httpx.AsyncClient, ed: Headers, space: Any
) -> None:
    made = await create_item(client, ed)
    bearer = {"Authorization": ed["Authorization"]}
    ok = await client.get(f"{BASE}/{made['id']}", headers={**bearer, "X-Tenant-Id": str(space.id)})
    assert ok.status_code == 200, ok.text
    other = "7b0c1f3e-9a59-4d1e-8f43-2d6b6f0f7c11"
    refused = await client.get(f"{BASE}/{made['id']}", headers={**bearer, "X-Tenant-Id": other})
    assert_workflow_error(refused, 403, "FORBIDDEN")


async def test_unknown_route_under_the_prefix_answers_in_this_format(
    client: httpx.AsyncClient, ed: Headers
) -> None:
    item = await create_item(client, ed)
    response = await client.post(f"{BASE}/{item['id']}/frobnicate", headers=ed)
    assert response.status_code in {404, 405}
    assert set(response.json()) == {"error"}


async def test_personalization_is_stored_as_given_on_a_built_in_post(
    client: httpx.AsyncClient, ed: Headers
) -> None:
    made = await create_item(client, ed, "Post", templateId="post")
    given = {"segments": ["returning"], "rules": [{"if": {"geo": "fr"}, "then": "b"}]}
    response = await client.put(f"{BASE}/{made['id']}", json={"personalization": given}, headers=ed)
    assert response.status_code == 200, response.text
    assert response.json()["personalization"] == given
    assert (await client.get(f"{BASE}/{made['id']}", headers=ed)).json()["personalization"] == given
