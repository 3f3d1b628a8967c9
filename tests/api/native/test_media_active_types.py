"""Public media files of types a browser could run (PDF, SVG) are sandboxed attachments;
passive raster images are still shown inline. And the library's search folds case and
accents like document filters. Local backend, SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from tests.api.native.media_helpers import PDF, SVG, Client, H, image, upload

pytestmark = pytest.mark.anyio


@pytest.fixture
def space_slug() -> str:
    return "blog"


@pytest.mark.parametrize(
    ("data", "filename", "mime_type"),
    [(PDF, "report.pdf", "application/pdf"), (SVG, "logo.svg", "image/svg+xml")],
)
async def test_active_types_are_sandboxed_attachments(
    client: Client, ed: H, data: bytes, filename: str, mime_type: str
) -> None:
    media = await upload(client, ed, data, filename)
    assert media["mimeType"] == mime_type
    for response in (await client.get(media["url"]), await client.head(media["url"])):
        assert response.status_code == 200
        assert response.headers["content-disposition"] == (
            f"attachment; filename*=UTF-8''{filename}"
        )
        policy = response.headers["content-security-policy"]
        assert "sandbox" in policy
        assert "default-src 'none'" in policy
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["content-type"].startswith(mime_type)


async def test_a_range_of_a_pdf_is_sandboxed_too(client: Client, ed: H) -> None:
    media = await upload(client, ed, PDF, "report.pdf")
    part = await client.get(media["url"], headers={"Range": "bytes=0-3"})
    assert (part.status_code, part.content) == (206, PDF[:4])
    assert part.headers["content-disposition"].startswith("attachment")
    assert "sandbox" in part.headers["content-security-policy"]


async def test_raster_images_stay_inline_without_a_sandbox(client: Client, ed: H) -> None:
    media = await upload(client, ed, image())
    served = await client.get(media["url"])
    assert served.headers["content-disposition"].startswith("inline")
    assert "content-security-policy" not in served.headers


async def test_media_search_ignores_case_and_accents_on_both_databases(
    client: Client, ed: H
) -> None:
    cafe = await upload(client, ed, image(), "Café-ÉCOLE.jpg", alt="Une école d'été")
    other = await upload(client, ed, image(color=(0, 90, 200)), "plain.jpg")

    async def ids(q: str) -> list[str]:
        response = await client.get("/v1/media", params={"q": q}, headers=ed)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    for q in ("cafe", "CAFÉ", "école", "ECOLE", "ete"):
        assert await ids(q) == [cafe["id"]], q
    assert await ids("plain") == [other["id"]]
    assert await ids("%") == await ids("_") == []
