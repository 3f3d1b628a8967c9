"""NUL characters get the same 422 on both databases, wherever they arrive: PostgreSQL text
cannot hold them, so without the guard SQLite stored what PostgreSQL answered 500 to."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.anyio


@pytest.fixture
def space_slug() -> str:
    return "site"  # a space other than the default one


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/v1/documents", {"title": "a\u0000b"}),
        ("POST", "/v1/documents", {"title": "ok", "excerpt": "deep \u0000"}),
        ("POST", "/v1/documents", {"title": "ok", "blocks": [{"type": "p", "text": "\u0000"}]}),
        ("GET", "/v1/documents?q=a%00b", None),
        ("GET", "/v1/documents?type=post&filter[title]=a%00", None),
        ("GET", "/v1/documents?type=a%00", None),
        ("GET", "/v1/types/a%00", None),
        ("POST", "/v1/types", {"name": "kind", "title": "a\u0000", "fields": []}),
        ("POST", "/v1/auth/token", {"username": "a\u0000", "password": "long-enough-1"}),
        ("GET", "/v1/media?q=a%00", None),
    ],
)
async def test_nul_anywhere_in_a_request_is_refused_with_422(
    client: httpx.AsyncClient, admin: dict[str, str], method: str, path: str, body: Any
) -> None:
    response = await client.request(method, path, json=body, headers=admin)

    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert "NUL" in response.json()["error"]["message"]


async def test_an_escaped_backslash_before_u0000_is_ordinary_text(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    response = await client.post(
        "/v1/documents",
        content=b'{"title": "path C:\\\\u0000dir"}',
        headers={**admin, "Content-Type": "application/json"},
    )

    assert response.status_code == 201, response.text
    assert response.json()["document"]["title"] == "path C:\\u0000dir"


async def test_nul_in_a_media_file_name_is_dropped_like_other_control_characters(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    response = await client.post("/v1/media/init", json={"filename": "a\u0000b.png"}, headers=admin)

    assert response.status_code == 201, response.text
    assert response.json()["media"]["filename"] == "ab.png"


async def test_nul_in_multipart_media_fields_is_refused(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    response = await client.post(
        "/v1/media",
        files={"file": ("a.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml")},
        data={"alt": "a\x00b"},
        headers=admin,
    )

    assert response.status_code == 422, response.text
    assert response.json()["error"]["details"] == [
        {"field": "alt", "message": "may not contain NUL characters"}
    ]
