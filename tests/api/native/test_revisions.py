"""Revisions on /v1/documents/:id/revisions: listing (newest first, paged), explicit snapshots,
reading one, restore (appends, never rewrites, returns to draft, honours If-Match) and diff."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import httpx
import pytest

pytestmark = pytest.mark.anyio

H = dict[str, str]


@pytest.fixture
def headers(ed: H) -> H:
    """The editor's headers (tests/api/conftest.py), under the name the tests here use."""
    return ed


async def _create(client: httpx.AsyncClient, headers: H, **body: Any) -> dict[str, Any]:
    response = await client.post("/v1/documents", json={"type": "post", **body}, headers=headers)
    assert response.status_code == 201, response.text
    document: dict[str, Any] = response.json()["document"]
    return document


async def _patch(client: httpx.AsyncClient, headers: H, doc_id: str, **body: Any) -> dict[str, Any]:
    response = await client.patch(f"/v1/documents/{doc_id}", json=body, headers=headers)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def _revisions(
    client: httpx.AsyncClient, headers: H, doc_id: str, **params: Any
) -> dict[str, Any]:
    response = await client.get(f"/v1/documents/{doc_id}/revisions", params=params, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def _get(client: httpx.AsyncClient, headers: H, doc_id: str, **params: Any) -> dict[str, Any]:
    response = await client.get(f"/v1/documents/{doc_id}", params=params, headers=headers)
    assert response.status_code == 200, response.text
    document: dict[str, Any] = response.json()["document"]
    return document


async def _five_revisions(client: httpx.AsyncClient, headers: H) -> str:
    """A post with revisions 1..5 titled "v1".."v5"."""
    doc = await _create(client, headers, title="v1", content="<p>one</p>")
    for n in range(2, 6):
        await _patch(client, headers, doc["id"], title=f"v{n}")
    return str(doc["id"])


# --- listing ----------------------------------------------------------------------------------


async def test_revisions_are_listed_newest_first(client: httpx.AsyncClient, headers: H) -> None:
    doc_id = await _five_revisions(client, headers)
    body = await _revisions(client, headers, doc_id)
    assert [r["number"] for r in body["items"]] == [5, 4, 3, 2, 1]
    assert [r["title"] for r in body["items"]] == ["v5", "v4", "v3", "v2", "v1"]
    assert all(r["documentId"] == doc_id for r in body["items"])
    assert body["items"][-1]["data"]["body"] == "<p>one</p>"
    assert body["pagination"]["total"] == 5


async def test_revision_list_is_paginated(client: httpx.AsyncClient, headers: H) -> None:
    doc_id = await _five_revisions(client, headers)
    cases: list[tuple[dict[str, int], list[int], int]] = [
        ({"limit": 2}, [5, 4], 1),
        ({"limit": 2, "offset": 2}, [3, 2], 2),
        ({"limit": 2, "page": 3}, [1], 3),
        ({"limit": 2, "page": 4}, [], 4),
    ]
    for params, numbers, page in cases:
        body = await _revisions(client, headers, doc_id, **params)
        assert [r["number"] for r in body["items"]] == numbers, params
        assert body["pagination"] == {
            "page": page,
            "pageSize": 2,
            "limit": 2,
            "offset": (page - 1) * 2,
            "total": 5,
            "totalItems": 5,
            "pages": 3,
            "totalPages": 3,
        }, params


async def test_revision_list_refuses_bad_paging(client: httpx.AsyncClient, headers: H) -> None:
    doc_id = await _five_revisions(client, headers)
    for params in ({"limit": 0}, {"limit": 101}, {"offset": -1}, {"page": 0}):
        response = await client.get(
            f"/v1/documents/{doc_id}/revisions", params=params, headers=headers
        )
        assert response.status_code == 422, (params, response.text)


async def test_revisions_of_an_unknown_document_are_not_found(
    client: httpx.AsyncClient, headers: H
) -> None:
    response = await client.get(f"/v1/documents/{uuid4()}/revisions", headers=headers)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "DOCUMENT_NOT_FOUND"


# --- snapshots --------------------------------------------------------------------------------


async def test_snapshot_records_current_content_with_its_message(
    client: httpx.AsyncClient, headers: H
) -> None:
    doc = await _create(client, headers, title="Draft", content="<p>body</p>")
    response = await client.post(
        f"/v1/documents/{doc['id']}/revisions",
        json={"message": "Before the big rewrite"},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    revision = response.json()["revision"]
    assert revision["number"] == 2
    assert revision["message"] == "Before the big rewrite"
    assert revision["title"] == "Draft"
    assert revision["data"]["body"] == "<p>body</p>"

    listed = await _revisions(client, headers, doc["id"])
    assert listed["items"][0]["message"] == "Before the big rewrite"
    assert listed["items"][0]["number"] == 2
    assert (await _get(client, headers, doc["id"]))["revision"] == 2


async def test_snapshot_without_a_body_has_no_message(
    client: httpx.AsyncClient, headers: H
) -> None:
    doc = await _create(client, headers, title="Draft")
    response = await client.post(f"/v1/documents/{doc['id']}/revisions", headers=headers)
    assert response.status_code == 201, response.text
    assert response.json()["revision"]["message"] is None
    assert response.json()["revision"]["number"] == 2


async def test_snapshot_message_over_the_limit_is_refused(
    client: httpx.AsyncClient, headers: H
) -> None:
    doc = await _create(client, headers, title="Draft")
    response = await client.post(
        f"/v1/documents/{doc['id']}/revisions", json={"message": "x" * 2001}, headers=headers
    )
    assert response.status_code == 422
    assert [r["number"] for r in (await _revisions(client, headers, doc["id"]))["items"]] == [1]


# --- reading one ------------------------------------------------------------------------------


async def test_get_revision_returns_that_revisions_content(
    client: httpx.AsyncClient, headers: H
) -> None:
    doc_id = await _five_revisions(client, headers)
    response = await client.get(f"/v1/documents/{doc_id}/revisions/2", headers=headers)
    assert response.status_code == 200, response.text
    revision = response.json()["revision"]
    assert (revision["number"], revision["title"]) == (2, "v2")
    assert revision["data"]["body"] == "<p>one</p>"


async def test_unknown_revision_number_is_not_found(client: httpx.AsyncClient, headers: H) -> None:
    doc_id = await _five_revisions(client, headers)
    for number in (0, 6, 999):
        response = await client.get(f"/v1/documents/{doc_id}/revisions/{number}", headers=headers)
        assert response.status_code == 404, (number, response.text)
        assert response.json()["error"]["message"]


# --- restore ----------------------------------------------------------------------------------


async def test_restore_appends_a_revision_with_the_old_content(
    client: httpx.AsyncClient, headers: H
) -> None:
    doc = await _create(client, headers, title="First", content="<p>A</p>", data={"tags": ["x"]})
    await _patch(client, headers, doc["id"], title="Second", content="<p>B</p>", tags=["y"])
    before = await _revisions(client, headers, doc["id"])

    response = await client.post(f"/v1/documents/{doc['id']}/revisions/1/restore", headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["revision"]["number"] == 3
    assert body["revision"]["title"] == "First"
    assert body["document"]["title"] == "First"
    assert body["document"]["content"] == "<p>A</p>"
    assert body["document"]["data"]["tags"] == ["x"]
    assert body["document"]["revision"] == 3
    assert response.headers["ETag"] == f'"{body["document"]["version"]}"'

    after = await _revisions(client, headers, doc["id"])
    assert [r["number"] for r in after["items"]] == [3, 2, 1]
    # History is never rewritten: the earlier revisions are exactly as they were.
    assert after["items"][1:] == before["items"]
    assert (await _get(client, headers, doc["id"]))["title"] == "First"


async def test_restore_returns_a_published_document_to_draft_and_keeps_it_published(
    client: httpx.AsyncClient, headers: H
) -> None:
    doc = await _create(client, headers, title="First")
    await _patch(client, headers, doc["id"], title="Second")
    published = await client.post(f"/v1/documents/{doc['id']}/publish", headers=headers)
    assert published.json()["document"]["status"] == "published"

    response = await client.post(f"/v1/documents/{doc['id']}/revisions/1/restore", headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["document"]["status"] == "draft"
    # Readers still get what was published until it is published again.
    reader_view = await _get(client, headers, doc["id"], perspective="published")
    assert reader_view["title"] == "Second"


async def test_restore_of_an_unknown_revision_is_not_found_and_changes_nothing(
    client: httpx.AsyncClient, headers: H
) -> None:
    doc = await _create(client, headers, title="First")
    response = await client.post(f"/v1/documents/{doc['id']}/revisions/9/restore", headers=headers)
    assert response.status_code == 404
    assert [r["number"] for r in (await _revisions(client, headers, doc["id"]))["items"]] == [1]


async def test_restore_with_a_stale_if_match_is_a_conflict_and_changes_nothing(
    client: httpx.AsyncClient, headers: H
) -> None:
    doc = await _create(client, headers, title="First")
    stale = doc["version"]
    current = (await _patch(client, headers, doc["id"], title="Second"))["document"]["version"]
    assert current != stale

    response = await client.post(
        f"/v1/documents/{doc['id']}/revisions/1/restore",
        headers={**headers, "If-Match": f'"{stale}"'},
    )
    assert response.status_code == 409, response.text
    assert response.json()["error"]["code"] == "CONFLICT"
    assert (await _get(client, headers, doc["id"]))["title"] == "Second"
    assert len((await _revisions(client, headers, doc["id"]))["items"]) == 2

    fresh = await client.post(
        f"/v1/documents/{doc['id']}/revisions/1/restore",
        headers={**headers, "If-Match": f'"{current}"'},
    )
    assert fresh.status_code == 200, fresh.text
    assert fresh.json()["document"]["title"] == "First"


# --- diff -------------------------------------------------------------------------------------


async def test_diff_lists_changed_fields_with_before_after_and_kind(
    client: httpx.AsyncClient, headers: H
) -> None:
    doc = await _create(
        client,
        headers,
        title="First",
        content="<p>A</p>",
        data={"excerpt": "short", "tags": ["x"]},
    )
    await _patch(
        client,
        headers,
        doc["id"],
        title="Second",
        content="<p>B</p>",
        excerpt=None,
        metaTitle="Meta",
    )
    response = await client.get(f"/v1/documents/{doc['id']}/revisions/1/diff/2", headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["from"], body["to"]) == (1, 2)
    changes = {c["field"]: c for c in body["changes"]}
    assert set(changes) == {"title", "body", "excerpt", "metaTitle"}  # not slug, not tags
    assert changes["title"] == {
        "field": "title",
        "change": "changed",
        "before": "First",
        "after": "Second",
    }
    assert changes["body"]["before"] == "<p>A</p>"
    assert changes["body"]["after"] == "<p>B</p>"
    assert changes["excerpt"] == {
        "field": "excerpt",
        "change": "removed",
        "before": "short",
        "after": None,
    }
    assert changes["metaTitle"] == {
        "field": "metaTitle",
        "change": "added",
        "before": None,
        "after": "Meta",
    }

    backwards = await client.get(f"/v1/documents/{doc['id']}/revisions/2/diff/1", headers=headers)
    back = {c["field"]: c for c in backwards.json()["changes"]}
    assert back["metaTitle"]["change"] == "removed"
    assert back["excerpt"]["change"] == "added"
    assert back["title"]["before"] == "Second"

    same = await client.get(f"/v1/documents/{doc['id']}/revisions/2/diff/2", headers=headers)
    assert same.json()["changes"] == []


async def test_diff_with_an_unknown_revision_is_not_found(
    client: httpx.AsyncClient, headers: H
) -> None:
    doc = await _create(client, headers, title="First")
    response = await client.get(f"/v1/documents/{doc['id']}/revisions/1/diff/7", headers=headers)
    assert response.status_code == 404
