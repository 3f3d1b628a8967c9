"""'List contains' filters read an index of list elements that follows every write: edits,
publishing, unpublishing and deletion."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select

from masthead.storage.tables import DocumentValueRow
from masthead.storage.uow import Database

pytestmark = pytest.mark.anyio


async def _titles(client: httpx.AsyncClient, headers: dict[str, str], query: str) -> list[str]:
    response = await client.get(f"/v1/documents?type=post&{query}", headers=headers)
    assert response.status_code == 200, response.text
    return [item["title"] for item in response.json()["items"]]


async def test_contains_filters_follow_edits_publishing_and_deletion(
    client: httpx.AsyncClient, db: Database, admin: dict[str, str]
) -> None:
    h = admin
    created = await client.post(
        "/v1/documents",
        json={"type": "post", "title": "Tagged", "data": {"tags": ["a", "b"]}},
        headers=h,
    )
    doc_id = created.json()["document"]["id"]
    await client.post("/v1/documents", json={"type": "post", "title": "Other"}, headers=h)
    assert await _titles(client, h, "filter[tags][contains]=a") == ["Tagged"]
    assert await _titles(client, h, "filter[tags]=b") == ["Tagged"]

    await client.post(f"/v1/documents/{doc_id}/publish", headers=h)
    await client.patch(f"/v1/documents/{doc_id}", json={"data": {"tags": ["c"]}}, headers=h)
    assert await _titles(client, h, "filter[tags][contains]=a") == []
    assert await _titles(client, h, "filter[tags][contains]=c") == ["Tagged"]
    published = "perspective=published&filter[tags][contains]="
    assert await _titles(client, h, published + "a") == ["Tagged"]
    assert await _titles(client, h, published + "c") == []

    await client.post(f"/v1/documents/{doc_id}/unpublish", headers=h)
    assert await _titles(client, h, published + "a") == []

    await client.delete(f"/v1/documents/{doc_id}?permanent=1", headers=h)
    with db.read_uow() as uow:
        left = uow.session.scalar(select(func.count()).select_from(DocumentValueRow))
    assert left == 0
