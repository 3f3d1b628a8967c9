"""Public media files, ``/media/<sha256>/<filename>``: headers, ranges, conditional requests,
SVG sandboxing, transforms (rendered once, then cached) and the configured base URL. Local
backend, SQLite and PostgreSQL.
"""

from __future__ import annotations

import pytest

from masthead.storage.uow import Database
from tests.api.native.media_helpers import (
    PDF,
    SVG,
    Client,
    H,
    decode,
    image,
    problem,
    rendition_rows,
    sha,
    upload,
)

pytestmark = pytest.mark.anyio


@pytest.fixture
def space_slug() -> str:
    return "blog"  # the tests log in to it by name


class TestBaseUrl:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, object]:
        return {"media_base_url": "https://cdn.example.com/media/"}

    async def test_urls_use_the_configured_base(self, client: Client, ed: H) -> None:
        media = await upload(client, ed, image())
        assert media["url"] == f"https://cdn.example.com/media/{media['hash']}/photo.jpg"
        assert media["variants"]["thumb"].startswith(f"{media['url']}?w=320")


async def test_ranges_conditional_requests_and_head(client: Client, ed: H) -> None:
    data = image()
    media = await upload(client, ed, data)
    size = len(data)
    for header, first, last in [
        ("bytes=0-9", 0, 9),
        ("bytes=-5", size - 5, size - 1),
        ("bytes=5-", 5, size - 1),
    ]:
        part = await client.get(media["url"], headers={"Range": header})
        assert (part.status_code, part.content) == (206, data[first : last + 1]), header
        assert part.headers["content-range"] == f"bytes {first}-{last}/{size}"
        assert part.headers["content-length"] == str(last - first + 1)
    beyond = await client.get(media["url"], headers={"Range": f"bytes={size}-"})
    assert (beyond.status_code, beyond.headers["content-range"]) == (416, f"bytes */{size}")

    etag = f'"{media["hash"]}"'
    cached = await client.get(media["url"], headers={"If-None-Match": etag})
    assert (cached.status_code, cached.content, cached.headers["etag"]) == (304, b"", etag)
    assert (await client.get(media["url"], headers={"If-None-Match": '"x"'})).status_code == 200
    head = await client.head(media["url"])
    assert (head.status_code, head.content) == (200, b"")
    assert head.headers["content-length"] == str(size)


async def test_svg_is_served_as_a_sandboxed_attachment(client: Client, ed: H) -> None:
    media = await upload(client, ed, SVG, "logo.svg")
    assert (media["mimeType"], media["width"], media["height"]) == ("image/svg+xml", None, None)
    assert media["variants"] == {"thumb": None, "medium": None}
    served = await client.get(media["url"])
    assert served.content == SVG
    assert served.headers["content-disposition"].startswith("attachment")
    assert "sandbox" in served.headers["content-security-policy"]
    assert served.headers["x-content-type-options"] == "nosniff"
    assert (await client.get(f"{media['url']}?w=10")).status_code == 422


@pytest.mark.parametrize(
    ("query", "size", "fmt"),
    [
        ("w=32", (32, 24), "WEBP"),
        ("w=32&h=32&fit=cover&format=png", (32, 32), "PNG"),
        ("w=20&h=20&fit=cover&fp=0,1&format=png", (20, 20), "PNG"),
        ("w=16&h=40&fit=fill&format=jpeg&q=60", (16, 40), "JPEG"),
        ("w=200&h=200&fit=contain&format=png", (64, 48), "PNG"),
        ("h=12&fit=inside&format=avif", (16, 12), "AVIF"),
    ],
)
async def test_transforms_render_the_requested_rendition(
    client: Client, ed: H, query: str, size: tuple[int, int], fmt: str
) -> None:
    media = await upload(client, ed, image())
    response = await client.get(f"{media['url']}?{query}")
    assert response.status_code == 200, response.text
    rendered = decode(response)
    assert (rendered.size, rendered.format) == (size, fmt)
    assert response.headers["content-type"] == f"image/{fmt.lower()}"
    assert response.headers["etag"] == f'"{sha(response.content)}"'


async def test_the_same_transform_is_rendered_once(client: Client, ed: H, db: Database) -> None:
    media = await upload(client, ed, image())
    variants = rendition_rows(db)
    assert variants == 2  # thumb and medium, made on upload
    first = await client.get(f"{media['url']}?w=40&fit=inside")
    assert rendition_rows(db) == variants + 1
    again = await client.get(f"{media['url']}?fit=INSIDE&format=webp&w=40&q=80")  # same spec
    assert rendition_rows(db) == variants + 1
    assert (again.headers["etag"], again.content) == (first.headers["etag"], first.content)
    assert "immutable" in first.headers["cache-control"]
    follows_focal = await client.get(f"{media['url']}?w=40&h=40&fit=cover")
    assert follows_focal.headers["cache-control"] == "public, max-age=3600"
    assert (await client.get(media["variants"]["thumb"])).status_code == 200
    assert rendition_rows(db) == variants + 2  # the cover crop; the thumb was already there


@pytest.mark.parametrize(
    "query",
    [
        "w=0",
        "w=abc",
        "w=5000",
        "w=10&fit=stretch",
        "w=10&format=gif",
        "w=10&q=0",
        "w=10&fp=2,2",
        "fit=cover",
        "w=%C2%B2",  # "²": str.isdigit() says yes, int() says no
        "w=10&q=%C2%B2",
    ],
)
async def test_invalid_transform_parameters_are_refused(client: Client, ed: H, query: str) -> None:
    media = await upload(client, ed, image())
    response = await client.get(f"{media['url']}?{query}")
    assert problem(response)[0] == 422, response.text


async def test_unknown_files_and_transforms_of_non_images(client: Client, ed: H) -> None:
    pdf = await upload(client, ed, PDF, "doc.pdf")
    assert (await client.get(pdf["url"])).content == PDF
    transform = await client.get(f"{pdf['url']}?w=100")
    assert problem(transform)[0] == 422
    for url in (
        f"/media/{sha(b'never uploaded')}/doc.pdf",
        f"/media/{pdf['hash']}/other.pdf",
        "/media/not-a-hash/doc.pdf",
        f"/media/{pdf['hash'].upper()}/doc.pdf",
    ):
        missing = await client.get(url)
        assert problem(missing)[0] == 404, url


class TestRenditionLimit:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, object]:
        return {"media_max_renditions": 4}

    async def test_an_image_gets_at_most_the_configured_number_of_renditions(
        self, client: Client, ed: H, db: Database
    ) -> None:
        media = await upload(client, ed, image())  # thumb + medium: 2 of 4
        for width in (10, 11):
            assert (await client.get(f"{media['url']}?w={width}")).status_code == 200

        refused = await client.get(f"{media['url']}?w=12")

        status, detail = problem(refused)
        assert status == 422
        assert "renditions" in detail
        assert rendition_rows(db) == 4
        again = await client.get(f"{media['url']}?w=10")  # one it already has still works
        assert again.status_code == 200
