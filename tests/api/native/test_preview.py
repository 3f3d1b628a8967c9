"""Preview links: signed and expiring, readable without a login, showing the working copy
inside the active release's site; an unknown link 404, a wrong signature 401, an expired
link 410 — as a page for browsers, as the /v1 error body for other clients, never the draft."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.api.errors import assert_error
from tests.conftest import FakeClock

pytestmark = pytest.mark.anyio

Headers = dict[str, str]
BROWSER = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


async def _doc(client: httpx.AsyncClient, headers: Headers, **body: Any) -> dict[str, Any]:
    response = await client.post("/v1/documents", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json()["document"])


async def _link(client: httpx.AsyncClient, headers: Headers, doc_id: str, **params: Any) -> str:
    response = await client.get(f"/v1/preview/{doc_id}", headers=headers, params=params)
    assert response.status_code == 200, response.text
    return str(response.json()["previewUrl"])


async def test_a_preview_shows_the_working_copy_inside_the_active_site(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    doc = await _doc(client, admin, title="Hello", type="post", content="<p>Published words</p>")
    await client.put(
        "/v1/navigation/menus/main",
        json={"items": [{"label": "Home page", "url": "/"}]},
        headers=admin,
    )
    published = await client.post("/v1/publish", json={}, headers=admin)
    assert published.status_code == 201
    await client.patch(
        f"/v1/documents/{doc['id']}", json={"content": "<p>Draft words</p>"}, headers=admin
    )
    page = await client.get(await _link(client, admin, doc["id"]))
    assert page.status_code == 200
    assert "Draft words" in page.text
    assert "Published words" not in page.text
    assert "Home page" in page.text  # the active release's menu
    assert 'name="robots" content="noindex' in page.text
    assert page.headers["cache-control"] == "no-store"
    # What readers see did not change.
    live = await client.get(f"/v1/private/{doc['id']}", headers=admin)
    assert "Published words" in live.json()["html"]


async def test_a_preview_escapes_every_field(client: httpx.AsyncClient, admin: Headers) -> None:
    doc = await _doc(
        client,
        admin,
        title="<script>alert(1)</script>",
        content='<img src=x onerror="alert(2)"><a href="javascript:alert(3)">x</a>',
    )
    page = await client.get(await _link(client, admin, doc["id"]))
    assert page.status_code == 200
    assert "<script>alert" not in page.text
    assert "onerror" not in page.text
    assert "javascript:" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


async def test_a_tampered_signature_is_401_and_shows_no_draft(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    doc = await _doc(client, admin, title="Secret plan", content="<p>Secret words</p>")
    url = await _link(client, admin, doc["id"])
    path, _, _ = url.partition("?")
    assert_error(await client.get(f"{path}?sig=tampered"), 401, "PREVIEW_TOKEN_INVALID")
    assert_error(await client.get(path), 401, "PREVIEW_TOKEN_INVALID")
    page = await client.get(f"{path}?sig=0000", headers=BROWSER)
    assert page.status_code == 401
    assert page.headers["content-type"].startswith("text/html")
    assert "PREVIEW_TOKEN_INVALID" in page.text
    assert "Secret" not in page.text


async def test_an_unknown_link_is_404(client: httpx.AsyncClient, admin: Headers) -> None:
    assert_error(await client.get("/preview/not-a-token?sig=abc"), 404, "PREVIEW_NOT_FOUND")
    page = await client.get("/preview/not-a-token?sig=abc", headers=BROWSER)
    assert page.status_code == 404
    assert "PREVIEW_NOT_FOUND" in page.text


async def test_an_expired_link_is_410(
    client: httpx.AsyncClient, admin: Headers, clock: FakeClock
) -> None:
    doc = await _doc(client, admin, title="Soon", content="<p>Draft words</p>")
    url = await _link(client, admin, doc["id"], ttl=60)
    assert (await client.get(url)).status_code == 200
    clock.advance(61)
    assert_error(await client.get(url), 410, "PREVIEW_EXPIRED")
    page = await client.get(url, headers=BROWSER)
    assert page.status_code == 410
    assert "Draft words" not in page.text


async def test_a_link_whose_document_was_deleted_is_404(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    doc = await _doc(client, admin, title="Gone soon")
    url = await _link(client, admin, doc["id"])
    deleted = await client.delete(f"/v1/documents/{doc['id']}?permanent=1", headers=admin)
    assert deleted.status_code == 200
    assert_error(await client.get(url), 404, "PREVIEW_NOT_FOUND")


async def test_issuing_a_link_needs_a_reader_of_the_space(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    doc = await _doc(client, admin, title="Hello")
    assert_error(await client.get(f"/v1/preview/{doc['id']}"), 401, "AUTH_REQUIRED")
    response = await client.get(f"/v1/preview/{doc['id']}", headers=admin, params={"ttl": 5})
    assert response.status_code == 422
