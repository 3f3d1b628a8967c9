"""Native /v1 media on the s3 backend, against a real moto server (``tests/media_fixtures.py``).

The client PUTs the bytes straight to the presigned S3 URL (a real HTTP request, not through
the app), then finalizes and reads the file through Masthead. After every refusal the bucket
must be empty: no temp object, no blob. The essentials only; test_media.py covers the rest.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from masthead.core.blobs import TEMP_PREFIX
from tests.api.native.media_helpers import (
    HTML,
    PDF,
    WINDOWS_PE,
    Client,
    H,
    code,
    decode,
    finalize,
    image,
    multipart,
    sha,
    start,
    upload,
)
from tests.media_fixtures import KEY_ID, REGION, SECRET

pytestmark = pytest.mark.anyio


@pytest.fixture
def bucket(s3_client: Any) -> str:
    name = f"media-{uuid.uuid4().hex[:12]}"
    s3_client.create_bucket(Bucket=name)
    return name


@pytest.fixture
def s3_settings(s3_endpoint: str, bucket: str) -> dict[str, object]:
    return {
        "media_backend": "s3",
        "s3_endpoint_url": s3_endpoint,
        "s3_bucket": bucket,
        "s3_region": REGION,
        "s3_access_key_id": KEY_ID,
        "s3_secret_access_key": SECRET,
    }


@pytest.fixture
def settings_overrides(s3_settings: dict[str, object]) -> dict[str, object]:
    return s3_settings


@pytest.fixture
def space_slug() -> str:
    return "blog"  # the tests log in to it by name


def keys(s3_client: Any, bucket: str) -> list[str]:
    listed = s3_client.list_objects_v2(Bucket=bucket).get("Contents", [])
    return sorted(str(o["Key"]) for o in listed)


def put_to_s3(started: Any, data: bytes) -> httpx.Response:
    """The client's PUT, straight to the presigned URL with the required headers."""
    return httpx.put(started["uploadUrl"], content=data, headers=started["requiredHeaders"])


async def direct_to_s3(client: Client, ed: H, data: bytes, filename: str = "photo.jpg") -> Any:
    started = await start(client, ed, {"filename": filename, "size": len(data)})
    assert put_to_s3(started, data).status_code == 200
    done = await finalize(client, ed, started)
    assert done.status_code == 200, done.text
    return done.json()["media"]


async def test_a_direct_upload_goes_to_s3_and_masthead_serves_it(
    client: Client, ed: H, s3_endpoint: str, bucket: str, s3_client: Any
) -> None:
    data = image()
    started = await start(client, ed, {"filename": "photo.jpg", "mimeType": "image/jpeg"})
    url = started["uploadUrl"]
    assert url.startswith(f"{s3_endpoint}/{bucket}/{TEMP_PREFIX}")
    assert "Signature=" in url
    received = put_to_s3(started, data)
    assert received.status_code == 200, received.text
    assert [k for k in keys(s3_client, bucket) if k.startswith(TEMP_PREFIX)] != []

    done = await finalize(client, ed, started)
    assert done.status_code == 200, done.text
    media = done.json()["media"]
    digest = sha(data)
    assert (media["status"], media["hash"], media["size"]) == ("ready", digest, len(data))
    assert (media["mimeType"], media["width"], media["height"]) == ("image/jpeg", 64, 48)
    stored = keys(s3_client, bucket)
    assert f"{digest[:2]}/{digest}" in stored
    assert not [k for k in stored if k.startswith(TEMP_PREFIX)]

    served = await client.get(media["url"])
    assert (served.status_code, served.content) == (200, data)
    assert served.headers["etag"] == f'"{digest}"'
    part = await client.get(media["url"], headers={"Range": "bytes=0-9"})
    assert (part.status_code, part.content) == (206, data[:10])
    assert part.headers["content-range"] == f"bytes 0-9/{len(data)}"
    tail = await client.get(media["url"], headers={"Range": "bytes=-5"})
    assert (tail.status_code, tail.content) == (206, data[-5:])


async def test_a_one_step_upload_and_a_transform_on_s3(
    client: Client, ed: H, bucket: str, s3_client: Any
) -> None:
    data = image("PNG")
    media = await upload(client, ed, data, "pic.png", alt="Alt")
    assert (media["mimeType"], media["alt"], media["hash"]) == ("image/png", "Alt", sha(data))
    before = keys(s3_client, bucket)
    assert len(before) == 3  # the file, its thumb and medium variants
    rendered = await client.get(f"{media['url']}?w=32&format=png")
    assert rendered.status_code == 200, rendered.text
    assert (decode(rendered).size, decode(rendered).format) == ((32, 24), "PNG")
    assert len(keys(s3_client, bucket)) == 4
    assert (await client.get(media["url"])).content == data


async def test_finalize_before_the_put_is_a_conflict_on_s3(client: Client, ed: H) -> None:
    started = await start(client, ed)
    early = await finalize(client, ed, started)
    assert (early.status_code, code(early)) == (409, "CONFLICT")
    assert put_to_s3(started, image()).status_code == 200
    assert (await finalize(client, ed, started)).json()["media"]["status"] == "ready"


async def test_a_size_mismatch_on_s3_leaves_nothing_in_the_bucket(
    client: Client, ed: H, bucket: str, s3_client: Any
) -> None:
    data = image()
    started = await start(client, ed, {"size": len(data) + 5})
    assert put_to_s3(started, data).status_code == 200  # S3 does not know the declared size
    refused = await finalize(client, ed, started)
    assert (refused.status_code, code(refused)) == (422, "VALIDATION_ERROR")
    gone = await client.get(f"/v1/media/{started['mediaId']}", headers=ed)
    assert (gone.status_code, code(gone)) == (404, "MEDIA_NOT_FOUND")
    assert keys(s3_client, bucket) == []


@pytest.mark.parametrize("flow", ["direct", "multipart"])
async def test_refused_bytes_leave_no_object_in_the_bucket(
    client: Client, ed: H, bucket: str, s3_client: Any, flow: str
) -> None:
    for data, filename in ((WINDOWS_PE, "photo.jpg"), (HTML, "page.html")):
        if flow == "direct":
            started = await start(client, ed, {"filename": filename, "mimeType": "image/jpeg"})
            assert put_to_s3(started, data).status_code == 200
            refused = await finalize(client, ed, started)
        else:
            refused = await multipart(client, ed, data, filename, content_type="image/jpeg")
        assert (refused.status_code, code(refused)) == (422, "VALIDATION_ERROR"), refused.text
    assert (await client.get("/v1/media", headers=ed)).json()["items"] == []
    assert keys(s3_client, bucket) == []


async def test_s3_objects_go_with_the_last_asset_using_them(
    client: Client, ed: H, bucket: str, s3_client: Any
) -> None:
    data = image()
    first = await direct_to_s3(client, ed, data, "a.jpg")
    second = await upload(client, ed, data, "b.jpg")
    assert first["hash"] == second["hash"]
    stored = keys(s3_client, bucket)
    assert len(stored) == 3  # one copy of the bytes, one of each variant
    assert (await client.delete(f"/v1/media/{first['id']}", headers=ed)).status_code == 200
    assert keys(s3_client, bucket) == stored
    assert (await client.get(second["url"])).content == data
    assert (await client.delete(f"/v1/media/{second['id']}", headers=ed)).status_code == 200
    assert keys(s3_client, bucket) == []


class TestSizeLimitOnS3:
    @pytest.fixture
    def settings_overrides(self, s3_settings: dict[str, object]) -> dict[str, object]:
        return {**s3_settings, "media_max_bytes": 4096}

    async def test_bytes_over_the_limit_put_to_s3_are_refused_at_finalize(
        self, client: Client, ed: H, bucket: str, s3_client: Any
    ) -> None:
        big = PDF + bytes(5000)
        started = await start(client, ed, {"filename": "big.pdf"})  # no size declared
        assert put_to_s3(started, big).status_code == 200  # a presigned PUT takes anything
        refused = await finalize(client, ed, started)
        assert (refused.status_code, code(refused)) == (413, "PAYLOAD_TOO_LARGE")
        assert keys(s3_client, bucket) == []
        assert (await direct_to_s3(client, ed, PDF, "small.pdf"))["size"] == len(PDF)
