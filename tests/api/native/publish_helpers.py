"""What the /v1 publishing tests share: create a document, publish the site and expect the
finished job (201, completed)."""

from __future__ import annotations

from typing import Any

import httpx

Headers = dict[str, str]


async def create_doc(client: httpx.AsyncClient, headers: Headers, **body: Any) -> dict[str, Any]:
    response = await client.post("/v1/documents", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json()["document"])


async def publish_site(client: httpx.AsyncClient, headers: Headers, **body: Any) -> dict[str, Any]:
    response = await client.post("/v1/publish", json=body, headers=headers)
    assert response.status_code == 201, response.text
    job = dict(response.json()["job"])
    assert job["status"] == "completed", job
    return job
