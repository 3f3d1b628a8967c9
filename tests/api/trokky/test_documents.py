"""Trokky /api/documents: shapes, list parameters (documented and the real client's), writes
through the core workflow, roles, and ids that name nothing."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.api.conftest import Headers
from tests.conftest import FakeClock

pytestmark = pytest.mark.anyio


def assert_trokky_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"]["code"] == code, body
    assert body["code"] == code
    assert body["message"] == body["error"]["message"]
    error: dict[str, Any] = body["error"]
    return error


async def create(client: httpx.AsyncClient, headers: Headers, type_name: str, **body: Any) -> Any:
    response = await client.post(f"/api/documents/{type_name}", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()["data"]


async def test_create_get_shapes(client: httpx.AsyncClient, admin: Headers) -> None:
    made = await create(client, admin, "post", title="Hello", slug={"current": "hi"}, content="x")
    assert set(made) >= {"_id", "_type", "_createdAt", "_updatedAt", "title", "slug", "status"}
    assert made["_type"] == "post"
    assert made["slug"] == {"current": "hi"}
    assert made["content"] == "x"
    assert "body" not in made
    assert made["_createdAt"].endswith("Z")
    got = await client.get(f"/api/documents/post/{made['_id']}", headers=admin)
    assert got.status_code == 200
    assert got.json() == {"data": made}


async def test_plain_string_slug_and_type_in_body(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    made = await create(client, admin, "post", _type="post", title="A", slug="plain")
    assert made["slug"] == {"current": "plain"}
    wrong = await client.post(
        "/api/documents/post", json={"_type": "page", "title": "B"}, headers=admin
    )
    error = assert_trokky_error(wrong, 422, "VALIDATION_ERROR")
    assert error["details"][0]["field"] == "_type"


async def test_put_replaces_and_patch_merges(client: httpx.AsyncClient, admin: Headers) -> None:
    made = await create(client, admin, "post", title="T", content="c", excerpt="e")
    url = f"/api/documents/post/{made['_id']}"
    patched = await client.patch(url, json={"excerpt": "e2"}, headers=admin)
    assert patched.status_code == 200, patched.text
    assert patched.json()["data"]["content"] == "c"
    assert patched.json()["data"]["excerpt"] == "e2"
    put = await client.put(url, json={"title": "T2", "content": "c2"}, headers=admin)
    assert put.status_code == 200, put.text
    data = put.json()["data"]
    assert (data["title"], data["content"]) == ("T2", "c2")
    assert "excerpt" not in data


async def test_patch_status_published_runs_the_workflow(
    client: httpx.AsyncClient, admin: Headers, viewer: Headers
) -> None:
    made = await create(client, admin, "post", title="Pub")
    url = f"/api/documents/post/{made['_id']}"
    denied = await client.patch(url, json={"status": "published"}, headers=viewer)
    assert_trokky_error(denied, 403, "FORBIDDEN")
    published = await client.patch(
        url, json={"status": "published", "publishedAt": "2024-01-20T10:00:00Z"}, headers=admin
    )
    assert published.status_code == 200, published.text
    data = published.json()["data"]
    assert data["status"] == "published"
    assert data["publishedAt"].endswith("Z")
    history = await client.get(f"/v1/documents/{made['_id']}/history", headers=admin)
    assert [t["action"] for t in history.json()["items"]] == ["publish"]


async def test_delete_then_not_found(client: httpx.AsyncClient, ed: Headers) -> None:
    made = await create(client, ed, "post", title="Gone", slug="gone")
    url = f"/api/documents/post/{made['_id']}"
    deleted = await client.delete(url, headers=ed)
    assert deleted.status_code == 200
    assert deleted.json() == {"success": True}
    assert_trokky_error(await client.get(url, headers=ed), 404, "NOT_FOUND")
    assert_trokky_error(await client.delete(url, headers=ed), 404, "NOT_FOUND")
    again = await create(client, ed, "post", title="Gone", slug="gone")
    assert again["slug"] == {"current": "gone"}


@pytest.mark.parametrize("raw", ["abc123", "123", "00000000-0000-0000-0000-000000000000"])
async def test_ids_that_name_nothing_are_not_found(
    client: httpx.AsyncClient, admin: Headers, raw: str
) -> None:
    url = f"/api/documents/post/{raw}"
    assert_trokky_error(await client.get(url, headers=admin), 404, "NOT_FOUND")
    assert_trokky_error(await client.patch(url, json={}, headers=admin), 404, "NOT_FOUND")
    assert_trokky_error(await client.put(url, json={}, headers=admin), 404, "NOT_FOUND")
    assert_trokky_error(await client.delete(url, headers=admin), 404, "NOT_FOUND")
    exists = await client.get(f"{url}/exists", headers=admin)
    assert exists.json() == {"exists": False}


async def test_a_document_of_another_type_is_not_found(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    page = await create(client, admin, "page", title="About")
    url = f"/api/documents/post/{page['_id']}"
    assert_trokky_error(await client.get(url, headers=admin), 404, "NOT_FOUND")
    assert_trokky_error(
        await client.patch(url, json={"title": "x"}, headers=admin), 404, "NOT_FOUND"
    )
    assert_trokky_error(await client.delete(url, headers=admin), 404, "NOT_FOUND")
    assert (await client.get(f"{url}/exists", headers=admin)).json() == {"exists": False}
    ok = await client.get(f"/api/documents/page/{page['_id']}/exists", headers=admin)
    assert ok.json() == {"exists": True}


async def _seed_books(
    client: httpx.AsyncClient, admin: Headers, clock: FakeClock
) -> dict[str, str]:
    for spec in (
        {"name": "company", "fields": [{"name": "name", "type": "string"}]},
        {
            "name": "author",
            "fields": [
                {"name": "name", "type": "string"},
                {"name": "company", "type": "reference", "to": "company"},
            ],
        },
        {
            "name": "book",
            "fields": [
                {"name": "author", "type": "reference", "to": "author"},
                {"name": "pages", "type": "integer"},
                {"name": "featured", "type": "boolean"},
            ],
        },
    ):
        assert (await client.post("/v1/types", json=spec, headers=admin)).status_code == 201
    acme = await create(client, admin, "company", title="Acme", name="Acme")
    ada = await create(client, admin, "author", title="Ada", name="Ada", company=acme["_id"])
    bob = await create(client, admin, "author", title="Bob", name="Bob")
    ids = {"ada": ada["_id"], "bob": bob["_id"], "acme": acme["_id"]}
    for title, pages, featured, author in (
        ("Short", 90, True, ada),
        ("Long", 900, False, ada),
        ("Mid", 300, True, bob),
    ):
        clock.advance(1)
        book = await create(
            client, admin, "book", title=title, pages=pages, featured=featured, author=author["_id"]
        )
        ids[title] = book["_id"]
    return ids


async def test_list_paging_sorting_filtering_expanding(
    client: httpx.AsyncClient, admin: Headers, clock: FakeClock
) -> None:
    ids = await _seed_books(client, admin, clock)
    listed = await client.get("/api/documents/book?limit=2", headers=admin)
    body = listed.json()
    assert body["meta"] == {"total": 3, "limit": 2, "offset": 0}
    # Default: _createdAt descending.
    assert [d["title"] for d in body["data"]] == ["Mid", "Long"]

    asc = await client.get("/api/documents/book?orderBy=pages&order=asc", headers=admin)
    assert [d["title"] for d in asc.json()["data"]] == ["Short", "Mid", "Long"]
    sort = await client.get("/api/documents/book?sort=pages.desc", headers=admin)
    assert [d["title"] for d in sort.json()["data"]] == ["Long", "Mid", "Short"]
    created = await client.get("/api/documents/book?orderBy=_createdAt&order=asc", headers=admin)
    assert [d["title"] for d in created.json()["data"]] == ["Short", "Long", "Mid"]

    featured = await client.get(
        f"/api/documents/book?filter[featured]=true&filter[author]={ids['ada']}", headers=admin
    )
    assert [d["title"] for d in featured.json()["data"]] == ["Short"]
    as_json = await client.get(
        "/api/documents/book",
        params={"filter": '{"featured": true, "pages": {"gte": 100}}'},
        headers=admin,
    )
    assert [d["title"] for d in as_json.json()["data"]] == ["Mid"]

    expanded = await client.get(
        f"/api/documents/book/{ids['Short']}?expand=author.company", headers=admin
    )
    author = expanded.json()["data"]["author"]
    assert author["_id"] == ids["ada"]
    assert author["_type"] == "author"
    assert author["name"] == "Ada"
    assert author["company"]["_type"] == "company"
    assert author["company"]["name"] == "Acme"

    count = await client.get("/api/documents/book/count?filter[featured]=true", headers=admin)
    assert count.json() == {"count": 2}


async def test_filter_status_published(client: httpx.AsyncClient, admin: Headers) -> None:
    draft = await create(client, admin, "post", title="Draft")
    live = await create(client, admin, "post", title="Live", status="published")
    assert live["status"] == "published"
    listed = await client.get("/api/documents/post?filter[status]=published", headers=admin)
    assert [d["_id"] for d in listed.json()["data"]] == [live["_id"]]
    drafts = await client.get("/api/documents/post?filter[status]=draft", headers=admin)
    assert [d["_id"] for d in drafts.json()["data"]] == [draft["_id"]]


async def test_list_errors_name_the_parameter(client: httpx.AsyncClient, admin: Headers) -> None:
    unknown = await client.get("/api/documents/post?filter[nope]=1", headers=admin)
    error = assert_trokky_error(unknown, 422, "VALIDATION_ERROR")
    assert error["details"][0]["field"] == "nope"
    limit = await client.get("/api/documents/post?limit=101", headers=admin)
    assert assert_trokky_error(limit, 422, "VALIDATION_ERROR")["details"][0]["field"] == "limit"
    order = await client.get("/api/documents/post?order=sideways", headers=admin)
    assert_trokky_error(order, 422, "VALIDATION_ERROR")
    bad_json = await client.get("/api/documents/post", params={"filter": "{"}, headers=admin)
    assert_trokky_error(bad_json, 422, "VALIDATION_ERROR")


async def test_validation_details_name_each_field(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    spec = {
        "name": "person",
        "fields": [
            {"name": "name", "type": "string", "required": True},
            {"name": "age", "type": "integer"},
        ],
    }
    assert (await client.post("/v1/types", json=spec, headers=admin)).status_code == 201
    response = await client.post("/api/documents/person", json={"age": "old"}, headers=admin)
    error = assert_trokky_error(response, 422, "VALIDATION_ERROR")
    assert {d["field"] for d in error["details"]} == {"name", "age"}
    for detail in error["details"]:
        assert set(detail) == {"field", "message"}


async def test_roles(client: httpx.AsyncClient, admin: Headers, viewer: Headers) -> None:
    made = await create(client, admin, "post", title="Seen")
    listed = await client.get("/api/documents/post", headers=viewer)
    assert listed.status_code == 200
    assert [d["_id"] for d in listed.json()["data"]] == [made["_id"]]
    write = await client.post("/api/documents/post", json={"title": "x"}, headers=viewer)
    assert_trokky_error(write, 403, "FORBIDDEN")
    anonymous = await client.post("/api/documents/post", json={"title": "x"})
    assert_trokky_error(anonymous, 401, "UNAUTHORIZED")
    anonymous_read = await client.get("/api/documents/post")
    assert_trokky_error(anonymous_read, 401, "UNAUTHORIZED")
