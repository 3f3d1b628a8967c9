"""Every example of ``trokky-http-api.txt``, replayed as written (curl and JavaScript), with
a real token from ``POST /api/auth/login``; the host ``http://localhost:3000`` is the test
app. The space is public-read, as the anonymous ``curl .../api/documents/post`` needs."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from masthead.core.models import Role
from masthead.core.services import accounts
from masthead.storage.uow import Database
from tests.api.native.media_helpers import image
from tests.conftest import FakeClock
from tests.factories import PASSWORD, make_space, make_user

pytestmark = pytest.mark.anyio


@pytest.fixture
async def token(client: httpx.AsyncClient, db: Database, clock: FakeClock) -> str:
    make_space(db, clock)
    accounts.set_public_read(db.uow(), "default", True)
    make_user(db, clock, "admin", Role.ADMIN)
    # Authentication: POST /api/auth/login {"username": "admin", "password": "password"}
    # (the password policy refuses "password" itself, so the admin has a strong one).
    response = await client.post(
        "/api/auth/login", json={"username": "admin", "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["user"]["username"] == "admin"
    assert body["user"]["role"] == "admin"
    assert set(body["user"]) == {"id", "username", "role", "name"}
    assert isinstance(body["expiresAt"], str)
    token: str = body["token"]
    return token


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _post(client: httpx.AsyncClient, token: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post(
        "/api/documents/post",
        headers={**auth(token), "Content-Type": "application/json"},
        json=body,
    )
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def test_documents_examples(client: httpx.AsyncClient, token: str, clock: FakeClock) -> None:
    # Create Document: {"title": "New Post", "content": "Post content here", "status": "draft"}
    created = await _post(
        client, token, {"title": "New Post", "content": "Post content here", "status": "draft"}
    )
    for key in ("_id", "_type", "_createdAt", "_updatedAt"):
        assert key in created
    assert (created["_type"], created["title"], created["content"], created["status"]) == (
        "post",
        "New Post",
        "Post content here",
        "draft",
    )
    url = f"/api/documents/post/{created['_id']}"

    # Update Document (PUT): {"title": "Updated Title", "content": "Updated content",
    # "status": "published"}
    clock.advance(1)
    put = await client.put(
        url,
        headers=auth(token),
        json={"title": "Updated Title", "content": "Updated content", "status": "published"},
    )
    assert put.status_code == 200, put.text
    assert put.json()["data"]["status"] == "published"
    assert put.json()["data"]["title"] == "Updated Title"

    # Partial Update: {"status": "published", "publishedAt": "2024-01-20T10:00:00Z"}
    draft = await _post(client, token, {"title": "My Post", "slug": {"current": "my-post"}})
    clock.advance(1)
    patched = await client.patch(
        f"/api/documents/post/{draft['_id']}",
        headers=auth(token),
        json={"status": "published", "publishedAt": "2024-01-20T10:00:00Z"},
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["data"]["status"] == "published"

    # curl "http://localhost:3000/api/documents/post?limit=10&orderBy=publishedAt&order=desc"
    listed = await client.get(
        "http://localhost:3000/api/documents/post?limit=10&orderBy=publishedAt&order=desc"
    )
    assert listed.status_code == 200, listed.text
    body = listed.json()
    assert body["meta"] == {"total": 2, "limit": 10, "offset": 0}
    assert [d["title"] for d in body["data"]] == ["My Post", "Updated Title"]
    assert body["data"][0]["slug"] == {"current": "my-post"}

    # Filtering: ?filter[status]=published, multiple filters, reference filtering.
    published = await client.get("/api/documents/post?filter[status]=published")
    assert published.json()["meta"]["total"] == 2

    # curl http://localhost:3000/api/documents/post (list, anonymous on a public space)
    anonymous = await client.get("http://localhost:3000/api/documents/post")
    assert anonymous.status_code == 200
    assert len(anonymous.json()["data"]) == 2

    # Delete Document → {"success": true}
    deleted = await client.delete(url, headers=auth(token))
    assert deleted.json() == {"success": True}


async def test_filtering_and_expanding_examples(client: httpx.AsyncClient, token: str) -> None:
    types = [
        {"name": "company", "fields": [{"name": "name", "type": "string"}]},
        {
            "name": "author",
            "fields": [
                {"name": "name", "type": "string"},
                {"name": "company", "type": "reference", "to": "company"},
            ],
        },
        {"name": "category", "fields": [{"name": "name", "type": "string"}]},
    ]
    for spec in types:
        response = await client.post("/v1/types", json=spec, headers=auth(token))
        assert response.status_code == 201, response.text
    fields = [
        {"name": "author", "type": "reference", "to": "author"},
        {"name": "categories", "type": "reference", "to": "category", "many": True},
        {"name": "featured", "type": "boolean"},
        {"name": "body", "type": "richtext"},
    ]
    patched = await client.patch("/v1/types/post", json={"fields": fields}, headers=auth(token))
    assert patched.status_code == 200, patched.text

    async def make(type_name: str, **body: Any) -> str:
        response = await client.post(f"/api/documents/{type_name}", json=body, headers=auth(token))
        assert response.status_code == 201, response.text
        return str(response.json()["data"]["_id"])

    # Anonymous readers get the published perspective: references resolve to published ones.
    company = await make("company", title="Acme", name="Acme", status="published")
    author = await make(
        "author", title="John Doe", name="John Doe", company=company, status="published"
    )
    category = await make("category", title="News", name="News", status="published")
    post = await make(
        "post",
        title="My Post",
        author=author,
        categories=[category],
        featured=True,
        status="published",
    )
    await make("post", title="Other", featured=False, status="published")

    # GET /api/documents/post?filter[status]=published&filter[featured]=true
    both = await client.get("/api/documents/post?filter[status]=published&filter[featured]=true")
    assert [d["_id"] for d in both.json()["data"]] == [post]
    # GET /api/documents/post?filter[author]=author-abc123 (an author's id)
    by_author = await client.get(f"/api/documents/post?filter[author]={author}")
    assert [d["_id"] for d in by_author.json()["data"]] == [post]

    # curl "http://localhost:3000/api/documents/post/abc123?expand=author"
    one = await client.get(f"http://localhost:3000/api/documents/post/{post}?expand=author")
    data = one.json()["data"]
    assert data["_id"] == post
    assert data["_type"] == "post"
    assert data["title"] == "My Post"
    assert data["author"]["_id"] == author
    assert data["author"]["_type"] == "author"
    assert data["author"]["name"] == "John Doe"
    # ?expand=author,categories and ?expand=author.company
    many = await client.get(f"/api/documents/post/{post}?expand=author,categories")
    assert many.json()["data"]["categories"][0]["name"] == "News"
    nested = await client.get(f"/api/documents/post/{post}?expand=author.company")
    assert nested.json()["data"]["author"]["company"]["name"] == "Acme"


async def test_javascript_examples(client: httpx.AsyncClient, token: str) -> None:
    # const response = await fetch('http://localhost:3000/api/documents/post',
    #   { headers: { 'Authorization': `Bearer ${token}` } }); const { data } = await ...json();
    response = await client.get("http://localhost:3000/api/documents/post", headers=auth(token))
    data = response.json()["data"]
    assert data == []
    # Create document: POST with JSON.stringify({ title: 'New Post', content: 'Content here' })
    new_post = await client.post(
        "http://localhost:3000/api/documents/post",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        content=b'{"title":"New Post","content":"Content here"}',
    )
    assert new_post.status_code == 201, new_post.text
    assert new_post.json()["data"]["content"] == "Content here"


async def test_curl_examples(client: httpx.AsyncClient, token: str) -> None:
    # curl -X POST .../api/documents/post -H "Authorization: Bearer $TOKEN"
    #   -H "Content-Type: application/json" -d '{"title": "New Post"}'
    created = await client.post(
        "http://localhost:3000/api/documents/post",
        headers={**auth(token), "Content-Type": "application/json"},
        content=b'{"title": "New Post"}',
    )
    assert created.status_code == 201, created.text
    assert created.json()["data"]["title"] == "New Post"
    # curl -X POST .../api/media -H "Authorization: Bearer $TOKEN" -F "file=@image.jpg"
    #   -F "alt=Image description"  (and the photo.jpg / "My photo" one)
    for name, alt in (("image.jpg", "Image description"), ("photo.jpg", "My photo")):
        uploaded = await client.post(
            "http://localhost:3000/api/media",
            headers=auth(token),
            files={"file": (name, image(), "image/jpeg")},
            data={"alt": alt},
        )
        assert uploaded.status_code == 201, uploaded.text
        item = uploaded.json()["data"]
        assert {"_id", "filename", "url", "variants"} <= set(item)
        assert item["filename"] == name
        assert "thumb" in item["variants"]
        assert item["alt"] == alt
    # GET /api/media, GET /api/media/:id, PATCH {"alt": ..., "title": ...}, DELETE
    listed = (await client.get("/api/media", headers=auth(token))).json()
    assert listed["meta"] == {"total": 2, "limit": 20, "offset": 0}
    media_id = listed["data"][0]["_id"]
    assert (await client.get(f"/api/media/{media_id}", headers=auth(token))).status_code == 200
    patched = await client.patch(
        f"/api/media/{media_id}",
        headers=auth(token),
        json={"alt": "Updated description", "title": "New title"},
    )
    assert patched.json()["data"]["title"] == "New title"
    assert (await client.delete(f"/api/media/{media_id}", headers=auth(token))).status_code == 200


async def test_auth_and_config_examples(client: httpx.AsyncClient, token: str) -> None:
    me = await client.get("/api/auth/me", headers=auth(token))
    assert set(me.json()["data"]) == {"id", "username", "role", "name"}
    refreshed = await client.post("/api/auth/refresh", headers=auth(token))
    assert {"token", "expiresAt"} <= set(refreshed.json())
    schemas = (await client.get("/api/config/schemas", headers=auth(token))).json()
    assert {s["name"] for s in schemas["data"]} >= {"post", "page"}
    assert all({"name", "title", "fields"} <= set(s) for s in schemas["data"])
    assert (await client.get("/api/config/studio", headers=auth(token))).status_code == 200
    assert (await client.get("/api/config/structure", headers=auth(token))).status_code == 200
    assert (await client.post("/api/auth/logout", headers=auth(token))).status_code == 200
    assert (await client.get("/api/auth/me", headers=auth(token))).status_code == 401
