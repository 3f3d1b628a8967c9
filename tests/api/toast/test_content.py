"""Toast /api/content: items in the documented shape, the list's paging, sort and filters,
create/update/delete, publish rules, site scope and every error case, on SQLite and
PostgreSQL."""

from __future__ import annotations

from uuid import uuid4

import httpx
import pytest

from masthead.core.models import Role
from masthead.storage.uow import Database
from tests.api.conftest import Headers
from tests.api.native.media_helpers import image
from tests.api.toast.helpers import (
    assert_toast_error,
    assert_validation_error,
    create,
    issue_at,
)
from tests.conftest import FakeClock
from tests.factories import login, make_space, make_user

pytestmark = pytest.mark.anyio


# --- items ---------------------------------------------------------------------------------


async def test_create_stores_every_field_and_answers_201(
    client: httpx.AsyncClient, ed: Headers
) -> None:
    body = {
        "title": "Hello World",
        "body": {"type": "doc", "content": [{"type": "paragraph", "text": "Hi"}]},
        "contentType": "page",
        "excerpt": "Short",
        "featureImage": "https://cdn.example.com/a.jpg",
        "metaTitle": "Meta",
        "metaDescription": "Description",
        "ogImage": "http://example.com/og.png",
    }
    item = await create(client, ed, **body)
    for key, value in body.items():
        assert item[key] == value, key
    assert (item["slug"], item["status"], item["publishedAt"]) == ("hello-world", "draft", None)
    got = await client.get(f"/api/content/{item['id']}", headers=ed)
    assert got.json() == item


async def test_slugs_are_generated_unique_within_the_site(
    client: httpx.AsyncClient, ed: Headers
) -> None:
    first = await create(client, ed, title="Same Title")
    second = await create(client, ed, title="Same Title")
    assert (first["slug"], second["slug"]) == ("same-title", "same-title-2")
    chosen = await create(client, ed, title="Other", slug="my-slug")
    assert chosen["slug"] == "my-slug"
    taken = await client.post("/api/content", json={"title": "X", "slug": "my-slug"}, headers=ed)
    assert_toast_error(taken, 409)


async def test_a_malformed_slug_is_a_zod_string_issue(
    client: httpx.AsyncClient, ed: Headers
) -> None:
    response = await client.post(
        "/api/content", json={"title": "X", "slug": "Not A Slug"}, headers=ed
    )
    issue = issue_at(assert_validation_error(response), "slug")
    assert issue["code"] == "invalid_string"


async def test_put_changes_only_the_keys_sent_and_null_clears(
    client: httpx.AsyncClient, ed: Headers, clock: FakeClock
) -> None:
    item = await create(client, ed, title="One", excerpt="keep", metaTitle="drop")
    clock.advance(5)
    put = await client.put(
        f"/api/content/{item['id']}",
        json={"title": "Two", "metaTitle": None, "body": {"type": "doc"}},
        headers=ed,
    )
    assert put.status_code == 200, put.text
    updated = put.json()
    assert (updated["title"], updated["excerpt"], updated["metaTitle"]) == ("Two", "keep", None)
    assert updated["body"] == {"type": "doc"}
    assert updated["slug"] == "one"  # the slug stays unless sent
    assert updated["updatedAt"] == "2026-01-15T12:00:05.000Z"
    assert updated["createdAt"] == item["createdAt"]


async def test_an_html_body_stored_by_another_api_is_shown_as_an_object(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    made = await client.post(
        "/v1/documents",
        json={"type": "post", "title": "From v1", "data": {"body": "<p>Hi</p>"}},
        headers=admin,
    )
    assert made.status_code == 201, made.text
    got = await client.get(f"/api/content/{made.json()['document']['id']}", headers=admin)
    assert got.json()["body"] == {"type": "html", "html": "<p>Hi</p>"}


async def test_uploaded_images_are_absolute_urls_and_external_ones_stay(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    upload = {"file": ("photo.png", image("PNG"), "image/png")}
    made = await client.post("/v1/media/upload", files=upload, headers=admin)
    assert made.status_code == 201, made.text
    asset = made.json()["media"]
    item = await create(
        client, admin, title="Pic", featureImage=asset["id"], ogImage="https://x.test/o.png"
    )
    assert item["featureImage"] == f"http://test/media/{asset['hash']}/photo.png"
    assert item["ogImage"] == "https://x.test/o.png"
    listed = await client.get("/api/content", headers=admin)
    assert listed.json()["data"][0]["featureImage"] == item["featureImage"]
    served = await client.get(item["featureImage"].removeprefix("http://test"))
    assert served.status_code == 200


async def test_an_image_that_is_neither_url_nor_asset_is_refused(
    client: httpx.AsyncClient, ed: Headers
) -> None:
    not_url = await client.post(
        "/api/content", json={"title": "X", "featureImage": "not a url"}, headers=ed
    )
    issue = issue_at(assert_validation_error(not_url), "featureImage")
    assert (issue["code"], issue["validation"], issue["message"]) == (
        "invalid_string",
        "url",
        "Invalid url",
    )
    no_asset = await client.post(
        "/api/content", json={"title": "X", "ogImage": str(uuid4())}, headers=ed
    )
    assert issue_at(assert_validation_error(no_asset), "ogImage")["code"] == "custom"


async def test_delete_is_204_then_404(client: httpx.AsyncClient, ed: Headers) -> None:
    item = await create(client, ed, title="Bye")
    deleted = await client.delete(f"/api/content/{item['id']}", headers=ed)
    assert (deleted.status_code, deleted.content) == (204, b"")
    for method in ("GET", "PUT", "DELETE"):
        response = await client.request(
            method, f"/api/content/{item['id']}", json={"title": "T"}, headers=ed
        )
        assert assert_toast_error(response, 404) == "Content not found"


# --- validation errors in Zod's shape --------------------------------------------------------


async def test_validation_errors_are_zod_issues(client: httpx.AsyncClient, ed: Headers) -> None:
    missing = assert_validation_error(await client.post("/api/content", json={}, headers=ed))
    assert issue_at(missing, "title") == {
        "code": "invalid_type",
        "expected": "string",
        "received": "undefined",
        "message": "Required",
        "path": ["title"],
    }
    wrong = assert_validation_error(
        await client.post("/api/content", json={"title": 5, "body": "text"}, headers=ed)
    )
    assert issue_at(wrong, "title")["code"] == "invalid_type"
    assert (issue_at(wrong, "title")["expected"], issue_at(wrong, "title")["received"]) == (
        "string",
        "number",
    )
    assert issue_at(wrong, "body")["expected"] == "object"
    empty = assert_validation_error(
        await client.post("/api/content", json={"title": ""}, headers=ed)
    )
    assert issue_at(empty, "title")["code"] == "too_small"
    assert issue_at(empty, "title")["minimum"] == 1
    long = assert_validation_error(
        await client.post("/api/content", json={"title": "x" * 501}, headers=ed)
    )
    assert (issue_at(long, "title")["code"], issue_at(long, "title")["maximum"]) == (
        "too_big",
        500,
    )
    enum = assert_validation_error(
        await client.post("/api/content", json={"title": "x", "contentType": "blog"}, headers=ed)
    )
    assert issue_at(enum, "contentType") == {
        "code": "invalid_enum_value",
        "options": ["post", "page"],
        "received": "blog",
        "message": "Invalid enum value. Expected 'post' | 'page', received 'blog'",
        "path": ["contentType"],
    }
    status = assert_validation_error(
        await client.post("/api/content", json={"title": "x", "status": "live"}, headers=ed)
    )
    assert issue_at(status, "status")["options"] == ["draft", "published"]
    too_long_excerpt = assert_validation_error(
        await client.post("/api/content", json={"title": "x", "excerpt": "e" * 2001}, headers=ed)
    )
    assert issue_at(too_long_excerpt, "excerpt")["code"] == "too_big"


async def test_a_body_that_is_not_json_is_400(client: httpx.AsyncClient, ed: Headers) -> None:
    response = await client.post(
        "/api/content", content=b"{nope", headers={**ed, "Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert "error" in response.json()


# --- list: paging, sort, filters -------------------------------------------------------------


async def test_paging_and_its_edges(client: httpx.AsyncClient, ed: Headers) -> None:
    for n in range(5):
        await create(client, ed, title=f"Item {n}")
    page = await client.get("/api/content?page=2&limit=2", headers=ed)
    assert page.status_code == 200, page.text
    assert page.json()["meta"] == {"total": 5, "page": 2, "limit": 2, "pages": 3}
    assert len(page.json()["data"]) == 2
    past = await client.get("/api/content?page=9&limit=2", headers=ed)
    assert (past.json()["data"], past.json()["meta"]["page"]) == ([], 9)
    full = await client.get("/api/content?limit=100", headers=ed)
    assert full.json()["meta"] == {"total": 5, "page": 1, "limit": 100, "pages": 1}
    for query, param in (
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("page=0", "page"),
        ("page=-1", "page"),
        ("limit=abc", "limit"),
        ("page=1.5", "page"),
    ):
        response = await client.get(f"/api/content?{query}", headers=ed)
        issue = issue_at(assert_validation_error(response), param)
        assert issue["code"] in {"too_small", "too_big", "invalid_type"}, query
    assert (
        issue_at(
            assert_validation_error(await client.get("/api/content?limit=101", headers=ed)), "limit"
        )["maximum"]
        == 100
    )


async def test_sort_fields_and_directions(
    client: httpx.AsyncClient, admin: Headers, clock: FakeClock
) -> None:
    b = await create(client, admin, title="Banana")
    clock.advance(1)
    a = await create(client, admin, title="Apple")
    clock.advance(1)
    c = await create(client, admin, title="Cherry")
    clock.advance(1)
    await client.put(f"/api/content/{b['id']}", json={"excerpt": "edited"}, headers=admin)
    clock.advance(1)
    await client.post(f"/api/content/{a['id']}/publish", headers=admin)

    async def order(query: str) -> list[str]:
        response = await client.get(f"/api/content{query}", headers=admin)
        assert response.status_code == 200, response.text
        return [i["title"] for i in response.json()["data"]]

    assert await order("") == ["Apple", "Banana", "Cherry"]  # updated_at, newest first
    assert await order("?sort=updated_at") == ["Apple", "Banana", "Cherry"]
    assert await order("?sort=created_at") == ["Cherry", "Apple", "Banana"]
    assert (await order("?sort=published_at"))[0] == "Apple"  # the only one published
    assert await order("?sort=title") == ["Apple", "Banana", "Cherry"]  # A to Z
    assert c["title"] == "Cherry"


async def test_status_and_type_filters(client: httpx.AsyncClient, admin: Headers) -> None:
    post = await create(client, admin, title="Post")
    page = await create(client, admin, title="Page", contentType="page")
    await client.post(f"/api/content/{page['id']}/publish", headers=admin)

    async def ids(query: str) -> set[str]:
        response = await client.get(f"/api/content?{query}", headers=admin)
        assert response.status_code == 200, response.text
        return {i["id"] for i in response.json()["data"]}

    assert await ids("status=draft") == {post["id"]}
    assert await ids("status=published") == {page["id"]}
    assert await ids("type=post") == {post["id"]}
    assert await ids("type=page&status=published") == {page["id"]}
    for query, param in (
        ("status=archived", "status"),
        ("type=article", "type"),
        ("sort=x", "sort"),
    ):
        issue = issue_at(
            assert_validation_error(await client.get(f"/api/content?{query}", headers=admin)),
            param,
        )
        assert issue["code"] == "invalid_enum_value"
        assert issue["received"] == query.split("=")[1]


async def test_documents_of_other_types_or_archived_are_not_content(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    note = {"name": "note", "fields": [{"name": "text", "type": "string"}]}
    assert (await client.post("/v1/types", json=note, headers=admin)).status_code == 201
    made = await client.post("/v1/documents", json={"type": "note", "title": "N"}, headers=admin)
    note_id = made.json()["document"]["id"]
    archived = await create(client, admin, title="Archived")
    gone = await client.delete(f"/v1/documents/{archived['id']}", headers=admin)  # archives
    assert gone.status_code == 200, gone.text
    listed = await client.get("/api/content", headers=admin)
    assert listed.json()["meta"]["total"] == 0
    for item_id in (note_id, archived["id"]):
        assert_toast_error(await client.get(f"/api/content/{item_id}", headers=admin), 404)
        assert_toast_error(await client.post(f"/api/content/{item_id}/publish", headers=admin), 404)


# --- publishing --------------------------------------------------------------------------------


async def test_unpublish_keeps_published_at_and_republish_sets_it_again(
    client: httpx.AsyncClient, ed: Headers, clock: FakeClock
) -> None:
    item = await create(client, ed, title="News")
    clock.advance(10)
    published = (await client.post(f"/api/content/{item['id']}/publish", headers=ed)).json()
    assert (published["status"], published["publishedAt"]) == (
        "published",
        "2026-01-15T12:00:10.000Z",
    )
    clock.advance(10)
    unpublished = (await client.post(f"/api/content/{item['id']}/unpublish", headers=ed)).json()
    assert (unpublished["status"], unpublished["publishedAt"]) == (
        "draft",
        "2026-01-15T12:00:10.000Z",
    )
    listed = await client.get("/api/content?status=draft", headers=ed)
    assert listed.json()["data"][0]["publishedAt"] == "2026-01-15T12:00:10.000Z"
    clock.advance(10)
    again = (await client.post(f"/api/content/{item['id']}/publish", headers=ed)).json()
    assert again["publishedAt"] == "2026-01-15T12:00:30.000Z"


async def test_create_with_status_published_publishes(
    client: httpx.AsyncClient, ed: Headers
) -> None:
    item = await create(client, ed, title="Live", status="published")
    assert item["status"] == "published"
    assert item["publishedAt"] is not None


async def test_publish_refusals_are_clear(
    client: httpx.AsyncClient, admin: Headers, ed: Headers, viewer: Headers
) -> None:
    item = await create(client, ed, title="Draft")
    url = f"/api/content/{item['id']}"
    # A viewer may read but not write or publish.
    assert (await client.get(url, headers=viewer)).status_code == 200
    for method, path in (
        ("POST", "/publish"),
        ("POST", "/unpublish"),
        ("PUT", ""),
        ("DELETE", ""),
        ("POST", "/versions"),
        ("POST", "/versions/1/restore"),
    ):
        response = await client.request(method, url + path, json={"title": "T"}, headers=viewer)
        assert_toast_error(response, 403)
    assert_toast_error(await client.post("/api/content", json={"title": "T"}, headers=viewer), 403)
    # Unpublishing what is not published is a conflict.
    assert "not published" in assert_toast_error(
        await client.post(url + "/unpublish", headers=ed), 409
    )
    # A type that needs review: an editor cannot publish straight from draft, an admin can.
    patched = await client.patch("/v1/types/post", json={"workflow": "review"}, headers=admin)
    assert patched.status_code == 200, patched.text
    assert "review" in assert_toast_error(await client.post(url + "/publish", headers=ed), 409)
    published = await client.post(url + "/publish", headers=admin)
    assert published.json()["status"] == "published"
    assert_toast_error(await client.post(url + "/publish", headers=admin), 409)  # already


# --- site scope ------------------------------------------------------------------------------


async def test_items_of_another_site_are_not_found(
    client: httpx.AsyncClient, db: Database, clock: FakeClock, admin: Headers
) -> None:
    make_space(db, clock, "other")
    make_user(db, clock, "olga", Role.ADMIN, space="other")
    olga = {"Authorization": (await login(client, "olga")).headers["Authorization"]}
    theirs = await create(client, olga, title="Theirs")
    assert theirs["siteId"] != (await create(client, admin, title="Ours"))["siteId"]
    listed = await client.get("/api/content", headers=admin)
    assert [i["title"] for i in listed.json()["data"]] == ["Ours"]
    for method, path in (
        ("GET", ""),
        ("PUT", ""),
        ("DELETE", ""),
        ("POST", "/publish"),
        ("GET", "/versions"),
        ("GET", "/versions/1"),
        ("POST", "/versions/1/restore"),
    ):
        response = await client.request(
            method, f"/api/content/{theirs['id']}{path}", json={"title": "T"}, headers=admin
        )
        assert_toast_error(response, 404)
    # The same slug is free on another site.
    same = await create(client, admin, title="Theirs")
    assert same["slug"] == theirs["slug"] == "theirs"


async def test_x_space_picks_the_site(
    client: httpx.AsyncClient, db: Database, clock: FakeClock, ed: Headers
) -> None:
    """A superuser enters every site: ``X-Space`` says which; a member of one site is refused
    another (403)."""
    make_space(db, clock, "second")
    make_user(db, clock, "root", None, is_superuser=True)
    token = (await login(client, "root")).headers["Authorization"]
    second = {"Authorization": token, "X-Space": "second"}
    first = {"Authorization": token, "X-Space": "default"}
    theirs = await create(client, second, title="Second")
    ours = await create(client, first, title="First")
    assert theirs["siteId"] != ours["siteId"]
    listed = await client.get("/api/content", headers=second)
    assert [i["id"] for i in listed.json()["data"]] == [theirs["id"]]
    assert_toast_error(await client.get(f"/api/content/{theirs['id']}", headers=first), 404)
    assert_toast_error(await client.get(f"/api/content/{theirs['id']}", headers=ed), 404)
    refused = await client.get("/api/content", headers={**ed, "X-Space": "second"})
    assert_toast_error(refused, 403)


async def test_unknown_routes_and_methods_answer_in_toast_format(
    client: httpx.AsyncClient, ed: Headers
) -> None:
    item = await create(client, ed, title="X")
    missing = await client.get(f"/api/content/{item['id']}/nothing", headers=ed)
    assert_toast_error(missing, 404)
    wrong = await client.patch(f"/api/content/{item['id']}", json={}, headers=ed)
    assert_toast_error(wrong, 405)
    assert "allow" in wrong.headers
