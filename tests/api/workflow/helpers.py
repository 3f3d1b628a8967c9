"""Helpers for the workflow API tests: its error body, and items made through it."""

from __future__ import annotations

from typing import Any

import httpx

from tests.api.conftest import Headers

BASE = "/api/v1/content"


def assert_workflow_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The status and the dialect's one error body (docs/workflow-api.md)."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}, body
    error: dict[str, Any] = body["error"]
    assert error["code"] == code, error
    assert isinstance(error["message"], str)
    assert error["message"]
    return error


async def create_item(
    client: httpx.AsyncClient, headers: Headers, name: str = "Item", **body: Any
) -> dict[str, Any]:
    payload = {"templateId": "page", "name": name, **body}
    response = await client.post(BASE, json=payload, headers=headers)
    assert response.status_code == 201, response.text
    item: dict[str, Any] = response.json()
    return item


async def act(
    client: httpx.AsyncClient, headers: Headers, item_id: str, action: str, **body: Any
) -> httpx.Response:
    return await client.post(f"{BASE}/{item_id}/{action}", json=body or None, headers=headers)
