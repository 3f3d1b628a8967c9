"""One core under several APIs: an item created on /v1, submitted here, approved here by
another editor and published here is read as published through /v1, Trokky and Toast."""

from __future__ import annotations

import httpx
import pytest

from tests.api.conftest import Headers
from tests.api.workflow.helpers import BASE, act

pytestmark = pytest.mark.anyio


async def test_created_on_v1_reviewed_here_read_as_published_everywhere(
    client: httpx.AsyncClient, ed: Headers, eve: Headers, viewer: Headers
) -> None:
    created = await client.post(
        "/v1/documents",
        json={"type": "post", "title": "Crossing", "slug": "crossing", "data": {"excerpt": "x"}},
        headers=ed,
    )
    assert created.status_code == 201, created.text
    item_id = created.json()["document"]["id"]

    assert (await act(client, ed, item_id, "submit")).json()["status"] == "in_review"
    assert (await act(client, eve, item_id, "approve")).json()["status"] == "approved"
    published = await act(client, eve, item_id, "publish")
    assert published.status_code == 200, published.text
    assert published.json()["source"]["origin"] == "v1"

    v1 = await client.get(f"/v1/documents/{item_id}", headers=ed)
    assert v1.status_code == 200, v1.text
    assert v1.json()["document"]["status"] == "published"
    v1_published = await client.get(
        f"/v1/documents/{item_id}?perspective=published", headers=viewer
    )
    assert v1_published.status_code == 200, v1_published.text
    assert v1_published.json()["document"]["title"] == "Crossing"

    trokky = await client.get(f"/api/documents/post/{item_id}", headers=ed)
    assert trokky.status_code == 200, trokky.text
    assert (trokky.json()["data"]["status"], trokky.json()["data"]["title"]) == (
        "published",
        "Crossing",
    )
    toast = await client.get(f"/api/content/{item_id}", headers=ed)
    assert toast.status_code == 200, toast.text
    toast_item = toast.json().get("data", toast.json())
    assert (toast_item["status"], toast_item["title"]) == ("published", "Crossing")

    item = (await client.get(f"{BASE}/{item_id}", headers=viewer)).json()
    assert item["status"] == "published"
