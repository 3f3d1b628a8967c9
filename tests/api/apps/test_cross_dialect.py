"""One core under several APIs: an entry created here is read through /v1 and Trokky, and a
document created and published through /v1 is an entry here."""

from __future__ import annotations

import httpx
import pytest

from tests.api.apps.conftest import BASE
from tests.api.conftest import Headers

pytestmark = pytest.mark.anyio
POSTS = f"{BASE}/content/blog-posts"


async def test_apps_entry_read_through_v1_and_trokky(
    client: httpx.AsyncClient, token: Headers, admin: Headers
) -> None:
    made = await client.post(POSTS, json={"title": "Across", "body": "Hi"}, headers=token)
    entry_id = made.json()["id"]
    v1 = await client.get("/v1/documents?type=blog-posts", headers=admin)
    [document] = v1.json()["items"]
    assert (document["slug"], document["title"], document["data"]["body"]) == (
        entry_id,
        "Across",
        "Hi",
    )
    assert document["status"] == "draft"

    trokky = await client.get(f"/api/documents/blog-posts/{document['id']}", headers=admin)
    assert trokky.status_code == 200, trokky.text
    data = trokky.json()["data"]
    assert (data["title"], data["slug"], "Hi" in data.values()) == (
        "Across",
        {"current": entry_id},
        True,
    )

    await client.post(f"{POSTS}/{entry_id}/publish", headers=token)
    seen = await client.get(f"/v1/documents/{document['id']}", headers=admin)
    assert seen.json()["document"]["status"] == "published"


async def test_v1_document_is_an_apps_entry(
    client: httpx.AsyncClient, token: Headers, admin: Headers
) -> None:
    made = await client.post(
        "/v1/documents",
        json={"type": "blog-posts", "title": "From v1", "data": {"published": False}},
        headers=admin,
    )
    assert made.status_code == 201, made.text
    document = made.json()["document"]
    assert (await client.get(POSTS, headers=token)).json() == []
    published = await client.post(f"/v1/documents/{document['id']}/publish", headers=admin)
    assert published.status_code == 200, published.text
    assert (await client.get(POSTS, headers=token)).json() == [
        {"id": "from-v1", "data": {"title": "From v1", "published": False}}
    ]
    trokky = await client.post(
        "/api/documents/blog-posts", json={"title": "From Trokky"}, headers=admin
    )
    assert trokky.status_code in {200, 201}, trokky.text
    got = await client.get(f"{POSTS}/from-trokky", headers=token)
    assert got.json() == {"title": "From Trokky"}
