"""Every example of ``apps-content-api.txt`` replayed as written (each curl, with a real
editor API token as ``$TOKEN``), checking the documented statuses and bodies."""

from __future__ import annotations

import httpx
import pytest

from tests.api.apps.conftest import BASE
from tests.api.conftest import Headers

pytestmark = pytest.mark.anyio
POSTS = f"{BASE}/content/blog-posts"
JSON = {"Content-Type": "application/json"}


async def test_list_entries_returns_published_entries(
    client: httpx.AsyncClient, token: Headers
) -> None:
    data = {"title": "My First Post", "body": "Hello world", "published": True}
    made = await client.post(POSTS, json=data, headers=token)
    assert made.json() == {"id": "my-first-post"}
    assert (await client.get(POSTS, headers=token)).json() == []  # a draft until published
    published = await client.post(f"{POSTS}/my-first-post/publish", headers=token)
    assert published.status_code == 200, published.text

    response = await client.get(POSTS, headers=token)
    assert response.status_code == 200
    assert response.json() == [{"id": "my-first-post", "data": data}]

    entry = await client.get(f"{POSTS}/my-first-post", headers=token)
    assert entry.status_code == 200
    assert entry.json() == data
    assert entry.headers["ETag"]
    missing = await client.get(f"{POSTS}/no-such-post", headers=token)
    assert missing.status_code == 404


async def test_create_update_delete_as_documented(
    client: httpx.AsyncClient, token: Headers
) -> None:
    created = await client.post(
        POSTS,
        content=b'{"title": "New Post", "body": "Content here"}',
        headers={**token, **JSON},
    )
    assert (created.status_code, created.json()) == (201, {"id": "new-post"})

    invalid = await client.post(POSTS, json={"body": "Content here"}, headers={**token, **JSON})
    assert (invalid.status_code, invalid.json()) == (
        400,
        {"errors": ['title: "title" is a required property']},
    )

    updated = await client.put(
        f"{POSTS}/new-post",
        content=b'{"title": "Updated Post", "body": "New content", "published": true}',
        headers={**token, **JSON},
    )
    assert updated.status_code == 200, updated.text
    got = await client.get(f"{POSTS}/new-post", headers=token)
    assert got.json() == {"title": "Updated Post", "body": "New content", "published": True}

    deleted = await client.delete(f"{POSTS}/new-post", headers=token)
    assert (deleted.status_code, deleted.content) == (204, b"")
    assert (await client.get(f"{POSTS}/new-post", headers=token)).status_code == 404


async def test_publish_and_unpublish_move_the_entry_in_and_out_of_the_list(
    client: httpx.AsyncClient, token: Headers
) -> None:
    await client.post(POSTS, json={"title": "New Post"}, headers=token)
    assert (await client.post(f"{POSTS}/new-post/publish", headers=token)).status_code == 200
    assert [e["id"] for e in (await client.get(POSTS, headers=token)).json()] == ["new-post"]
    assert (await client.post(f"{POSTS}/new-post/unpublish", headers=token)).status_code == 200
    assert (await client.get(POSTS, headers=token)).json() == []


async def test_single_endpoints(client: httpx.AsyncClient, token: Headers) -> None:
    url = f"{BASE}/content/site-settings/single"
    assert (await client.get(url, headers=token)).status_code == 404
    put = await client.put(
        url,
        content=b'{"site_name": "My Site", "tagline": "A great site"}',
        headers={**token, **JSON},
    )
    assert put.status_code == 200, put.text
    got = await client.get(url, headers=token)
    assert got.status_code == 200
    assert got.json() == {"title": "My Site", "site_name": "My Site", "tagline": "A great site"}
    again = await client.put(url, json={"site_name": "Renamed"}, headers=token)
    assert again.json()["site_name"] == "Renamed"
    assert "tagline" not in again.json()  # PUT replaces
    deleted = await client.delete(url, headers=token)
    assert deleted.status_code == 204
    assert (await client.get(url, headers=token)).status_code == 404


async def test_content_with_an_upload_reference(client: httpx.AsyncClient, token: Headers) -> None:
    pdf = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
    uploaded = await client.post(
        f"{BASE}/uploads", files={"file": ("photo.pdf", pdf, "application/pdf")}, headers=token
    )
    assert uploaded.status_code == 201, uploaded.text
    upload = uploaded.json()
    reference = {k: upload[k] for k in ("hash", "filename", "mime")}
    made = await client.post(
        POSTS, json={"title": "Post with Image", "cover": reference}, headers=token
    )
    assert made.status_code == 201, made.text
    got = await client.get(f"{POSTS}/{made.json()['id']}", headers=token)
    assert got.json() == {"title": "Post with Image", "cover": reference}
