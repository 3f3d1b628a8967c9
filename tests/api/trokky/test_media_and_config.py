"""Trokky /api/media (shapes, list parameters, upload, edit, delete) and /api/config."""

from __future__ import annotations

import httpx
import pytest

from tests.api.conftest import Headers
from tests.api.native.media_helpers import PDF, image
from tests.api.trokky.test_documents import assert_trokky_error

pytestmark = pytest.mark.anyio

ITEM_KEYS = {
    "_id",
    "filename",
    "originalFilename",
    "mimeType",
    "size",
    "width",
    "height",
    "alt",
    "title",
    "url",
    "variants",
    "createdAt",
    "updatedAt",
}


async def _upload(
    client: httpx.AsyncClient, headers: Headers, name: str, data: bytes, mime: str, **form: str
) -> httpx.Response:
    return await client.post(
        "/api/media", files={"file": (name, data, mime)}, data=form, headers=headers
    )


async def test_media_lifecycle(client: httpx.AsyncClient, admin: Headers) -> None:
    uploaded = await _upload(client, admin, "IMG_1234.jpg", image(), "image/jpeg", alt="My photo")
    assert uploaded.status_code == 201, uploaded.text
    item = uploaded.json()["data"]
    assert set(item) == ITEM_KEYS
    assert (item["mimeType"], item["width"], item["height"], item["alt"]) == (
        "image/jpeg",
        64,
        48,
        "My photo",
    )
    assert item["originalFilename"] == "IMG_1234.jpg"
    assert item["url"].startswith("/media/")
    assert set(item["variants"]) == {"thumb", "medium"}
    pdf = await _upload(client, admin, "doc.pdf", PDF, "application/pdf")
    assert pdf.status_code == 201, pdf.text

    listed = (await client.get("/api/media?type=image", headers=admin)).json()
    assert [m["_id"] for m in listed["data"]] == [item["_id"]]
    assert listed["meta"] == {"total": 1, "limit": 20, "offset": 0}
    searched = (await client.get("/api/media?search=doc", headers=admin)).json()
    assert [m["filename"] for m in searched["data"]] == ["doc.pdf"]
    paged = (await client.get("/api/media?limit=1&offset=1", headers=admin)).json()
    assert paged["meta"] == {"total": 2, "limit": 1, "offset": 1}

    url = f"/api/media/{item['_id']}"
    assert (await client.get(url, headers=admin)).json()["data"]["_id"] == item["_id"]
    patched = await client.patch(
        url, json={"alt": "Updated description", "title": "New title"}, headers=admin
    )
    assert (patched.json()["data"]["alt"], patched.json()["data"]["title"]) == (
        "Updated description",
        "New title",
    )
    assert (await client.delete(url, headers=admin)).json() == {"success": True}
    assert_trokky_error(await client.get(url, headers=admin), 404, "NOT_FOUND")
    assert_trokky_error(
        await client.get("/api/media/media-abc123", headers=admin), 404, "NOT_FOUND"
    )


async def test_media_checks(client: httpx.AsyncClient, admin: Headers, viewer: Headers) -> None:
    missing = await client.post(
        "/api/media", data={"alt": "x"}, files={"other": ("a", b"a")}, headers=admin
    )
    error = assert_trokky_error(missing, 422, "VALIDATION_ERROR")
    assert error["details"][0]["field"] == "file"
    refused = await _upload(client, viewer, "a.jpg", image(), "image/jpeg")
    assert_trokky_error(refused, 403, "FORBIDDEN")
    anonymous = await client.post("/api/media", files={"file": ("a.jpg", image(), "image/jpeg")})
    assert_trokky_error(anonymous, 401, "UNAUTHORIZED")
    html = await _upload(client, admin, "x.html", b"<html><script>1</script></html>", "text/html")
    assert_trokky_error(html, 422, "VALIDATION_ERROR")


async def test_media_in_use_is_a_conflict(client: httpx.AsyncClient, admin: Headers) -> None:
    item = (await _upload(client, admin, "a.jpg", image(), "image/jpeg")).json()["data"]
    post = await client.post(
        "/api/documents/post", json={"title": "P", "featureImage": item["_id"]}, headers=admin
    )
    assert post.status_code == 201, post.text
    expanded = await client.get(
        f"/api/documents/post/{post.json()['data']['_id']}?expand=featureImage", headers=admin
    )
    assert expanded.json()["data"]["featureImage"]["_id"] == item["_id"]
    conflict = await client.delete(f"/api/media/{item['_id']}", headers=admin)
    assert_trokky_error(conflict, 409, "CONFLICT")
    forced = await client.delete(f"/api/media/{item['_id']}?force=true", headers=admin)
    assert forced.json() == {"success": True}


async def test_config_schemas(client: httpx.AsyncClient, admin: Headers) -> None:
    spec = {
        "name": "author",
        "title": "Author",
        "fields": [
            {"name": "name", "type": "string", "required": True},
            {"name": "boss", "type": "reference", "to": "author"},
        ],
    }
    assert (await client.post("/v1/types", json=spec, headers=admin)).status_code == 201
    schemas = (await client.get("/api/config/schemas", headers=admin)).json()["data"]
    by_name = {s["name"]: s for s in schemas}
    assert {"post", "page", "author"} <= set(by_name)
    post_fields = {f["name"]: f for f in by_name["post"]["fields"]}
    assert post_fields["content"]["type"] == "richtext"
    assert post_fields["slug"]["type"] == "slug"
    assert post_fields["featureImage"]["type"] == "image"
    author = {f["name"]: f for f in by_name["author"]["fields"]}
    assert author["name"]["validation"] == {"required": True}
    assert author["boss"] == {
        "name": "boss",
        "title": "boss",
        "type": "reference",
        "to": [{"type": "author"}],
    }
    assert by_name["author"]["title"] == "Author"


async def test_config_studio_and_structure(
    client: httpx.AsyncClient, admin: Headers, viewer: Headers
) -> None:
    single = {"name": "settings", "kind": "single", "fields": [{"name": "x", "type": "string"}]}
    assert (await client.post("/v1/types", json=single, headers=admin)).status_code == 201
    made = await client.post("/api/documents/settings", json={"x": "1"}, headers=admin)
    assert made.status_code == 201, made.text
    studio = (await client.get("/api/config/studio", headers=admin)).json()["data"]
    assert studio["basePath"] == "/api"
    assert studio["media"]["variants"] == ["medium", "thumb"]
    structure = (await client.get("/api/config/structure", headers=admin)).json()["data"]
    items = {i["id"]: i for i in structure["items"]}
    assert items["post"]["type"] == "documentList"
    assert items["settings"]["type"] == "document"
    assert items["settings"]["documentId"] == made.json()["data"]["_id"]
    assert items["post"]["readOnly"] is False
    seen = (await client.get("/api/config/structure", headers=viewer)).json()["data"]
    assert all(i["readOnly"] for i in seen["items"])
    assert_trokky_error(await client.get("/api/config/structure"), 401, "UNAUTHORIZED")
