"""One core under several APIs: an item created through Toast is read through /v1 and Trokky,
and a document published through /v1 is seen published here."""

from __future__ import annotations

import httpx
import pytest

from tests.api.conftest import Headers
from tests.api.toast.helpers import create

pytestmark = pytest.mark.anyio


async def test_toast_item_read_through_v1_and_trokky_then_published_through_v1(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    item = await create(
        client,
        admin,
        title="Across",
        body={"type": "doc"},
        excerpt="Short",
        metaTitle="Meta",
        featureImage="https://x.test/a.png",
    )
    v1 = await client.get(f"/v1/documents/{item['id']}", headers=admin)
    assert v1.status_code == 200, v1.text
    document = v1.json()["document"]
    assert (document["type"], document["title"], document["slug"]) == ("post", "Across", "across")
    assert document["data"]["excerpt"] == "Short"
    assert document["data"]["metaTitle"] == "Meta"

    trokky = await client.get(f"/api/documents/post/{item['id']}", headers=admin)
    assert trokky.status_code == 200, trokky.text
    data = trokky.json()["data"]
    assert (data["_id"], data["title"], data["excerpt"]) == (item["id"], "Across", "Short")

    published = await client.post(f"/v1/documents/{item['id']}/publish", headers=admin)
    assert published.status_code == 200, published.text
    seen = (await client.get(f"/api/content/{item['id']}", headers=admin)).json()
    assert seen["status"] == "published"
    assert seen["publishedAt"] is not None
    listed = await client.get("/api/content?status=published", headers=admin)
    assert [i["id"] for i in listed.json()["data"]] == [item["id"]]

    # /v1's unpublish clears its publishedAt as before; Toast keeps showing when it was.
    withdrawn = await client.post(f"/v1/documents/{item['id']}/unpublish", headers=admin)
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["document"]["publishedAt"] is None
    kept = (await client.get(f"/api/content/{item['id']}", headers=admin)).json()
    assert (kept["status"], kept["publishedAt"]) == ("draft", seen["publishedAt"])


async def test_v1_document_is_toast_content(client: httpx.AsyncClient, admin: Headers) -> None:
    made = await client.post(
        "/v1/documents",
        json={"type": "page", "title": "About", "data": {"metaDescription": "Us"}},
        headers=admin,
    )
    assert made.status_code == 201, made.text
    listed = (await client.get("/api/content?type=page", headers=admin)).json()
    [item] = listed["data"]
    assert (item["title"], item["contentType"], item["metaDescription"]) == (
        "About",
        "page",
        "Us",
    )
