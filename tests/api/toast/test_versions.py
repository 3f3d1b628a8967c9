"""Toast versions: every write is a numbered version; snapshots, paging, reading one, and
restore (which snapshots the current state first, then appends the restored content), on
SQLite and PostgreSQL."""

from __future__ import annotations

import httpx
import pytest

from tests.api.conftest import Headers
from tests.api.toast.helpers import assert_toast_error, assert_validation_error, create, issue_at
from tests.conftest import FakeClock

pytestmark = pytest.mark.anyio


@pytest.fixture
async def item_id(client: httpx.AsyncClient, ed: Headers, clock: FakeClock) -> str:
    """Versions 1 "One" (body a), 2 "Two" (body b), 3 "Three" (body c)."""
    item = await create(client, ed, title="One", body={"v": "a"})
    for title, body in (("Two", {"v": "b"}), ("Three", {"v": "c"})):
        clock.advance(1)
        put = await client.put(
            f"/api/content/{item['id']}", json={"title": title, "body": body}, headers=ed
        )
        assert put.status_code == 200, put.text
    return str(item["id"])


async def test_versions_list_newest_first_with_paging(
    client: httpx.AsyncClient, ed: Headers, item_id: str
) -> None:
    url = f"/api/content/{item_id}/versions"
    listed = (await client.get(url, headers=ed)).json()
    assert [(v["version"], v["title"], v["body"]) for v in listed["versions"]] == [
        (3, "Three", {"v": "c"}),
        (2, "Two", {"v": "b"}),
        (1, "One", {"v": "a"}),
    ]
    assert listed["pagination"] == {"total": 3, "page": 1, "limit": 20, "pages": 1}
    second = (await client.get(url + "?page=2&limit=2", headers=ed)).json()
    assert [v["version"] for v in second["versions"]] == [1]
    assert second["pagination"] == {"total": 3, "page": 2, "limit": 2, "pages": 2}
    for query, param in (("limit=0", "limit"), ("limit=101", "limit"), ("page=0", "page")):
        issue_at(assert_validation_error(await client.get(f"{url}?{query}", headers=ed)), param)


async def test_get_one_version_and_its_bounds(
    client: httpx.AsyncClient, ed: Headers, item_id: str
) -> None:
    url = f"/api/content/{item_id}/versions"
    two = await client.get(url + "/2", headers=ed)
    assert two.status_code == 200, two.text
    assert (two.json()["version"], two.json()["title"], two.json()["contentId"]) == (
        2,
        "Two",
        item_id,
    )
    assert assert_toast_error(await client.get(url + "/4", headers=ed), 404) == "Version not found"
    for bad in ("0", "-1", "abc", "1.5", "99999999999"):
        response = await client.get(f"{url}/{bad}", headers=ed)
        issue_at(assert_validation_error(response), "version")


async def test_snapshot_records_the_current_state_as_the_next_version(
    client: httpx.AsyncClient, ed: Headers, item_id: str
) -> None:
    snapshot = await client.post(f"/api/content/{item_id}/versions", headers=ed)
    assert snapshot.status_code == 201, snapshot.text
    assert (snapshot.json()["version"], snapshot.json()["title"]) == (4, "Three")
    assert snapshot.json()["body"] == {"v": "c"}


async def test_restore_snapshots_first_then_appends_the_old_content(
    client: httpx.AsyncClient, ed: Headers, item_id: str
) -> None:
    restored = await client.post(f"/api/content/{item_id}/versions/1/restore", headers=ed)
    assert (restored.status_code, restored.json()) == (200, {"restored": True, "newVersion": 5})
    item = (await client.get(f"/api/content/{item_id}", headers=ed)).json()
    assert (item["title"], item["body"]) == ("One", {"v": "a"})
    listed = (await client.get(f"/api/content/{item_id}/versions", headers=ed)).json()
    assert [(v["version"], v["title"]) for v in listed["versions"]] == [
        (5, "One"),  # the restored content
        (4, "Three"),  # the snapshot of the state before restoring
        (3, "Three"),
        (2, "Two"),
        (1, "One"),
    ]
    again = await client.post(f"/api/content/{item_id}/versions/3/restore", headers=ed)
    assert again.json() == {"restored": True, "newVersion": 7}


async def test_restoring_a_missing_version_changes_nothing(
    client: httpx.AsyncClient, ed: Headers, item_id: str
) -> None:
    missing = await client.post(f"/api/content/{item_id}/versions/9/restore", headers=ed)
    assert_toast_error(missing, 404)
    listed = (await client.get(f"/api/content/{item_id}/versions", headers=ed)).json()
    assert listed["pagination"]["total"] == 3
    zero = await client.post(f"/api/content/{item_id}/versions/0/restore", headers=ed)
    issue_at(assert_validation_error(zero), "version")


async def test_restoring_keeps_a_published_revision_live_until_published_again(
    client: httpx.AsyncClient, ed: Headers, item_id: str
) -> None:
    await client.post(f"/api/content/{item_id}/publish", headers=ed)
    await client.post(f"/api/content/{item_id}/versions/1/restore", headers=ed)
    item = (await client.get(f"/api/content/{item_id}", headers=ed)).json()
    assert (item["status"], item["title"]) == ("draft", "One")
    assert item["publishedAt"] is not None
    live = await client.get(f"/v1/documents/{item_id}?perspective=published", headers=ed)
    assert live.json()["document"]["title"] == "Three"
