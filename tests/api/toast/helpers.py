"""What the Toast tests share: the item's keys, and checks of Toast's error bodies."""

from __future__ import annotations

from typing import Any

import httpx

from tests.api.conftest import Headers

ITEM_KEYS = {
    "id",
    "siteId",
    "authorId",
    "title",
    "slug",
    "body",
    "status",
    "contentType",
    "excerpt",
    "featureImage",
    "metaTitle",
    "metaDescription",
    "ogImage",
    "publishedAt",
    "createdAt",
    "updatedAt",
}
VERSION_KEYS = {"id", "contentId", "version", "title", "body", "createdAt"}
ISO = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"


def assert_toast_error(response: httpx.Response, status: int) -> str:
    """``{"error": "..."}`` with ``status``; returns the message."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}, body
    assert isinstance(body["error"], str)
    assert body["error"]
    message: str = body["error"]
    return message


def assert_validation_error(response: httpx.Response) -> list[dict[str, Any]]:
    """400 ``{"error", "details": [{code, message, path: [...]}, ...]}``; returns details."""
    assert response.status_code == 400, response.text
    body = response.json()
    assert set(body) == {"error", "details"}, body
    assert isinstance(body["error"], str)
    for issue in body["details"]:
        assert {"code", "message", "path"} <= set(issue), issue
        assert isinstance(issue["message"], str)
        assert isinstance(issue["path"], list)
    details: list[dict[str, Any]] = body["details"]
    return details


def issue_at(details: list[dict[str, Any]], *path: str | int) -> dict[str, Any]:
    found = [d for d in details if d["path"] == list(path)]
    assert len(found) == 1, details
    return found[0]


async def create(client: httpx.AsyncClient, headers: Headers, **body: Any) -> dict[str, Any]:
    response = await client.post("/api/content", json=body, headers=headers)
    assert response.status_code == 201, response.text
    item: dict[str, Any] = response.json()
    return item
