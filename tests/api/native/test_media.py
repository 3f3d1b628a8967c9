"""Native /v1 media on the local backend: both upload flows end to end, every refusal, the
library (list, edit, delete), dedup of bytes, space isolation and roles. Runs on SQLite and
PostgreSQL. Public files (ranges, caching, transforms) are in test_media_files.py.
"""

from __future__ import annotations

import unicodedata
import uuid
from datetime import datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI

from masthead.core.models import Role
from masthead.core.services.media import sweep_abandoned_uploads
from masthead.settings import Settings
from masthead.storage.uow import Database
from tests.api.native.media_helpers import (
    HTML,
    PDF,
    WINDOWS_PE,
    Client,
    H,
    blob_file,
    code,
    decode,
    direct_upload,
    files_under,
    finalize,
    image,
    log_in,
    multipart,
    png_bomb,
    put,
    rendition_rows,
    sha,
    start,
    two_tone,
    upload,
)
from tests.conftest import FakeClock
from tests.factories import make_api_token, make_space, make_user

pytestmark = pytest.mark.anyio


@pytest.fixture
def space_slug() -> str:
    return "blog"  # the tests log in to it by name


# --- the two flows ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/v1/media", "/v1/media/init"])
async def test_init_put_finalize_then_the_file_is_served(
    client: Client, ed: H, clock: FakeClock, settings: Settings, path: str
) -> None:
    data = image()
    started = await start(client, ed, {"filename": "photo.jpg", "mimeType": "image/jpeg"}, path)
    media_id, token = started["mediaId"], started["uploadToken"]
    assert started["uploadUrl"].startswith(f"http://test/v1/media/{media_id}/upload?")
    assert started["requiredHeaders"] == {"Content-Type": "image/jpeg", "X-Upload-Token": token}
    assert started["method"] == "PUT"
    expires = datetime.fromisoformat(started["expiresAt"])
    assert expires == clock.now + timedelta(seconds=settings.media_upload_ttl_seconds)
    assert (started["media"]["status"], started["media"]["url"]) == ("pending", None)

    received = await put(client, started, data)
    assert received.json() == {"ok": True, "mediaId": media_id, "size": len(data)}
    done = await finalize(client, ed, started, alt="A red square")
    assert done.status_code == 200, done.text
    media, digest = done.json()["media"], sha(data)
    assert media["id"] == media_id
    assert (media["status"], media["hash"], media["size"]) == ("ready", digest, len(data))
    assert (media["mimeType"], media["width"], media["height"]) == ("image/jpeg", 64, 48)
    assert (media["filename"], media["alt"]) == ("photo.jpg", "A red square")
    assert media["url"] == f"/media/{digest}/photo.jpg"
    assert media["variants"]["thumb"].startswith(f"{media['url']}?w=320&h=320&fit=cover&format=")
    assert media["variants"]["medium"].startswith(f"{media['url']}?w=1280&h=1280&fit=inside")
    assert media["createdBy"] is not None
    assert (await client.get(f"/v1/media/{media_id}", headers=ed)).json()["media"] == media

    served = await client.get(media["url"])  # public: no credentials
    assert (served.status_code, served.content) == (200, data)
    assert served.headers["content-type"] == "image/jpeg"
    assert served.headers["etag"] == f'"{digest}"'
    assert "immutable" in served.headers["cache-control"]
    assert served.headers["accept-ranges"] == "bytes"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert served.headers["content-disposition"].startswith("inline")
    assert blob_file(settings, digest).read_bytes() == data
    assert files_under(settings, "tmp") == []


@pytest.mark.parametrize("path", ["/v1/media", "/v1/media/init"])
async def test_init_without_a_body_then_finalize_names_the_file(
    client: Client, ed: H, path: str
) -> None:
    response = await client.post(path, headers={**ed, "Content-Type": "application/json"})
    assert response.status_code == 201, response.text
    started = response.json()
    assert started["requiredHeaders"]["Content-Type"] == "application/octet-stream"
    data = image("PNG")
    assert (await put(client, started, data)).status_code == 200
    media = (await finalize(client, ed, started, filename="shot.png")).json()["media"]
    assert (media["filename"], media["mimeType"], media["size"]) == (
        "shot.png",
        "image/png",
        len(data),
    )


@pytest.mark.parametrize("path", ["/v1/media", "/v1/media/upload"])
async def test_one_step_multipart_upload_keeps_metadata_and_focal_point(
    client: Client, ed: H, path: str
) -> None:
    data = image("PNG")
    fields = {"alt": "Alt", "title": "Title", "caption": "Cap", "description": "Desc"}
    response = await multipart(
        client, ed, data, "pic.png", path=path, focalX="0.25", focalY="0.75", **fields
    )
    assert response.status_code == 201, response.text
    body = response.json()
    media = body["media"]
    assert body["mediaId"] == media["id"]
    assert (media["status"], media["mimeType"], media["hash"]) == ("ready", "image/png", sha(data))
    assert {k: media[k] for k in fields} == fields
    assert media["focalPoint"] == {"x": 0.25, "y": 0.75}
    assert "fp=0.250,0.750" in media["variants"]["thumb"]
    assert (await client.get(media["url"])).content == data


async def test_multipart_needs_one_file_and_a_valid_focal_point(client: Client, ed: H) -> None:
    no_file = await client.post(
        "/v1/media/upload", data={"alt": "x"}, files={"f": b"x"}, headers=ed
    )
    bad_focal = await multipart(client, ed, image(), focalX="1.5", focalY="0.5")
    two = [
        ("file", ("a.jpg", image(), "image/jpeg")),
        ("file", ("b.png", image("PNG"), "image/png")),
    ]
    two_files = await client.post("/v1/media", files=two, headers=ed)
    for refused in (no_file, bad_focal, two_files):
        assert (refused.status_code, code(refused)) == (422, "VALIDATION_ERROR")
    assert (await client.get("/v1/media", headers=ed)).json()["items"] == []


# --- refusals of the direct flow --------------------------------------------------------------


async def test_the_upload_token_guards_put_and_finalize(client: Client, ed: H) -> None:
    started = await start(client, ed)
    for token in ({"X-Upload-Token": "mu_wrong"}, {"X-Upload-Token": ""}):
        wrong = await put(client, started, image(), **token)
        assert (wrong.status_code, code(wrong)) == (401, "MEDIA_UPLOAD_TOKEN_INVALID")
    missing = await client.put(started["uploadUrl"], content=image())
    assert (missing.status_code, code(missing)) == (401, "MEDIA_UPLOAD_TOKEN_INVALID")
    early = await finalize(client, ed, started)  # nothing was stored by the refused PUTs
    assert (early.status_code, code(early)) == (409, "CONFLICT")

    assert (await put(client, started, image())).status_code == 200
    for token in ("mu_wrong", None):
        wrong = await finalize(client, ed, started, uploadToken=token)
        assert (wrong.status_code, code(wrong)) == (401, "MEDIA_UPLOAD_TOKEN_INVALID")
    pending = await client.get(f"/v1/media/{started['mediaId']}", headers=ed)
    assert pending.json()["media"]["status"] == "pending"

    assert (await finalize(client, ed, started)).status_code == 200
    again = await finalize(client, ed, started)  # used once
    assert (again.status_code, code(again)) == (401, "MEDIA_UPLOAD_TOKEN_INVALID")
    overwrite = await put(client, started, image(color="blue"))
    assert (overwrite.status_code, code(overwrite)) == (401, "MEDIA_UPLOAD_TOKEN_INVALID")


async def test_an_expired_upload_token_is_refused_and_the_upload_forgotten(
    client: Client, ed: H, clock: FakeClock, settings: Settings
) -> None:
    started = await start(client, ed)
    assert (await put(client, started, image())).status_code == 200
    clock.advance(settings.media_upload_ttl_seconds + 1)
    ed = await log_in(client, "ed", "blog")  # the access token expired too
    late_put = await put(client, started, image())
    assert (late_put.status_code, code(late_put)) == (401, "MEDIA_UPLOAD_TOKEN_INVALID")
    late = await finalize(client, ed, started)
    assert (late.status_code, code(late)) == (401, "MEDIA_UPLOAD_TOKEN_INVALID")
    gone = await client.get(f"/v1/media/{started['mediaId']}", headers=ed)
    assert (gone.status_code, code(gone)) == (404, "MEDIA_NOT_FOUND")


async def test_put_of_more_bytes_than_declared_is_too_large(client: Client, ed: H) -> None:
    data = image()
    started = await start(client, ed, {"size": len(data) - 1})
    refused = await put(client, started, data)
    assert (refused.status_code, code(refused)) == (413, "PAYLOAD_TOO_LARGE")
    assert (await finalize(client, ed, started)).status_code == 409  # nothing was kept


@pytest.mark.parametrize("declared", ["at-init", "at-finalize"])
async def test_a_size_mismatch_is_refused_and_the_upload_discarded(
    client: Client, ed: H, settings: Settings, declared: str
) -> None:
    data = image()
    started = await start(client, ed, {"size": len(data) + 5} if declared == "at-init" else {})
    assert (await put(client, started, data)).status_code == 200
    extra = {"size": len(data) + 1} if declared == "at-finalize" else {}
    refused = await finalize(client, ed, started, **extra)
    assert (refused.status_code, code(refused)) == (422, "VALIDATION_ERROR")
    gone = await client.get(f"/v1/media/{started['mediaId']}", headers=ed)
    assert (gone.status_code, code(gone)) == (404, "MEDIA_NOT_FOUND")
    assert files_under(settings, "blobs") == files_under(settings, "tmp") == []


async def test_init_refuses_a_declared_type_or_size_it_would_never_accept(
    client: Client, ed: H, settings: Settings
) -> None:
    for body, status in [
        ({"mimeType": "text/html"}, 422),
        ({"size": 0}, 422),
        ({"size": -1}, 422),
        ({"size": settings.media_max_bytes + 1}, 413),
    ]:
        response = await client.post("/v1/media/init", json=body, headers=ed)
        assert response.status_code == status, body
    assert (await client.post("/v1/media/init", json=[], headers=ed)).status_code == 422


REFUSED = {
    "windows-exe-named-jpg": (WINDOWS_PE, "photo.jpg"),
    "html": (HTML, "page.html"),
    "empty": (b"", "empty.png"),
    "png-bomb": (png_bomb(), "bomb.png"),
    "truncated-jpeg": (image()[:200], "cut.jpg"),
}


@pytest.mark.parametrize("flow", ["direct", "multipart"])
@pytest.mark.parametrize("case", list(REFUSED))
async def test_refused_bytes_leave_no_asset_and_no_blob(
    client: Client, ed: H, settings: Settings, flow: str, case: str
) -> None:
    data, filename = REFUSED[case]
    if flow == "direct":
        started = await start(client, ed, {"filename": filename, "mimeType": "image/jpeg"})
        assert (await put(client, started, data)).status_code == 200
        refused = await finalize(client, ed, started)
        gone = await client.get(f"/v1/media/{started['mediaId']}", headers=ed)
        assert (gone.status_code, code(gone)) == (404, "MEDIA_NOT_FOUND")
    else:
        refused = await multipart(client, ed, data, filename, content_type="image/jpeg")
    assert (refused.status_code, code(refused)) == (422, "VALIDATION_ERROR"), refused.text
    assert (await client.get("/v1/media", headers=ed)).json()["items"] == []
    assert files_under(settings, "blobs") == files_under(settings, "tmp") == []


class TestPixelLimit:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, object]:
        return {"media_max_image_pixels": 100}

    async def test_an_image_over_the_pixel_limit_is_refused(
        self, client: Client, ed: H, settings: Settings
    ) -> None:
        refused = await multipart(client, ed, image())  # 64 x 48 = 3072 pixels
        assert (refused.status_code, code(refused)) == (422, "VALIDATION_ERROR")
        assert "pixels" in refused.json()["error"]["message"]
        small = await upload(client, ed, image(size=(10, 10)))
        assert (small["width"], small["height"]) == (10, 10)
        assert not blob_file(settings, sha(image())).exists()


class TestSizeLimit:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, object]:
        return {"media_max_bytes": 4096}

    async def test_nothing_larger_than_media_max_bytes_is_accepted(
        self, client: Client, ed: H, settings: Settings
    ) -> None:
        big = PDF + bytes(5000)
        refused = await put(client, await start(client, ed), big)  # no size declared
        assert (refused.status_code, code(refused)) == (413, "PAYLOAD_TOO_LARGE")
        one_step = await multipart(client, ed, big, "big.pdf")
        assert (one_step.status_code, code(one_step)) == (413, "PAYLOAD_TOO_LARGE")
        declared = await client.post("/v1/media/init", json={"size": 5000}, headers=ed)
        assert declared.status_code == 413
        assert files_under(settings, "blobs") == []
        assert (await upload(client, ed, PDF, "small.pdf"))["size"] == len(PDF)


# --- what the bytes say wins ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("../../etc/pa\x00ss wd.png", "pass wd.png"),
        ("..\\..\\windows\\evil\x1b[31m.png", "evil[31m.png"),
        ("\u202egnp.exe", "gnp.exe"),
        ("..", "file"),
        ("naïve café 100%?#&.png", "naïve café 100%?#&.png"),
        ("a" * 300 + ".png", "a" * 196 + ".png"),
    ],
)
async def test_filenames_are_sanitised_and_their_urls_work(
    client: Client, ed: H, raw: str, expected: str
) -> None:
    started = await start(client, ed, {"filename": raw})
    assert (await put(client, started, image())).status_code == 200
    media = (await finalize(client, ed, started)).json()["media"]
    name = media["filename"]
    assert name == media["originalFilename"] == expected
    assert not {"/", "\\"} & set(name)
    assert not any(unicodedata.category(c).startswith("C") for c in name)
    served = await client.get(media["url"])
    assert (served.status_code, served.content) == (200, image())
    # Multipart: httpx percent-encodes control characters in the part's filename itself.
    renamed = (await upload(client, ed, image("PNG"), raw))["filename"]
    assert renamed == expected or "\x00" in raw
    assert "/" not in renamed


async def test_the_sniffed_type_and_real_dimensions_win_over_the_clients(
    client: Client, ed: H
) -> None:
    data = image()  # a JPEG
    started = await start(client, ed, {"filename": "x.png", "mimeType": "image/png"})
    assert (await put(client, started, data)).status_code == 200
    lies = {"mimeType": "image/gif", "width": 9999, "height": 1}
    media = (await finalize(client, ed, started, **lies)).json()["media"]
    assert (media["mimeType"], media["width"], media["height"]) == ("image/jpeg", 64, 48)
    assert (await client.get(media["url"])).headers["content-type"] == "image/jpeg"
    pdf = await upload(client, ed, PDF, "scan.png", content_type="image/png")
    assert (pdf["mimeType"], pdf["width"]) == ("application/pdf", None)
    assert pdf["variants"] == {"thumb": None, "medium": None}


# --- sweep and dedup ----------------------------------------------------------------------------


async def test_the_sweep_removes_expired_pending_uploads_only(
    client: Client, ed: H, clock: FakeClock, settings: Settings, db: Database, app: FastAPI
) -> None:
    old = await start(client, ed)
    ready = await upload(client, ed, image())
    clock.advance(settings.media_upload_ttl_seconds + 1)
    ed = await log_in(client, "ed", "blog")  # the access token expired too
    fresh = await start(client, ed)
    assert sweep_abandoned_uploads(db.uow, app.state.services.media) == 1
    gone = await client.get(f"/v1/media/{old['mediaId']}", headers=ed)
    assert (gone.status_code, code(gone)) == (404, "MEDIA_NOT_FOUND")
    kept = await client.get(f"/v1/media/{fresh['mediaId']}", headers=ed)
    assert kept.json()["media"]["status"] == "pending"
    assert (await client.get(f"/v1/media/{ready['id']}", headers=ed)).status_code == 200
    assert sweep_abandoned_uploads(db.uow, app.state.services.media) == 0


async def test_the_same_bytes_are_stored_once_and_removed_with_their_last_asset(
    client: Client, ed: H, settings: Settings, db: Database
) -> None:
    data = image()
    first = await direct_upload(client, ed, data, "a.jpg")
    files = files_under(settings, "blobs")
    assert blob_file(settings, sha(data)) in files
    second = await upload(client, ed, data, "b.jpg")
    assert first["id"] != second["id"]
    assert first["hash"] == second["hash"] == sha(data)
    assert files_under(settings, "blobs") == files  # no second copy of the bytes or variants
    assert (await client.get(f"{second['url']}?w=10")).status_code == 200
    assert len(files_under(settings, "blobs")) == len(files) + 1  # the transform's blob
    files = files_under(settings, "blobs")

    assert (await client.delete(f"/v1/media/{first['id']}", headers=ed)).status_code == 200
    assert files_under(settings, "blobs") == files
    assert (await client.get(first["url"])).status_code == 404  # its name is gone
    assert (await client.get(second["url"])).content == data

    assert (await client.delete(f"/v1/media/{second['id']}", headers=ed)).status_code == 200
    assert files_under(settings, "blobs") == []  # the bytes, the variants, the transform
    assert rendition_rows(db) == 0
    assert (await client.get(second["url"])).status_code == 404


# --- the library ----------------------------------------------------------------------------


async def test_list_filters_sorts_and_pages_ready_assets(
    client: Client, ed: H, clock: FakeClock
) -> None:
    await start(client, ed, {"filename": "pending.jpg"})  # never listed
    cat = await upload(client, ed, image(), "b-cat.jpg", alt="Sleepy kitten")
    clock.advance(1)
    dog = await upload(client, ed, image("PNG"), "a-dog.png")
    clock.advance(1)
    pdf = await upload(client, ed, PDF, "c.pdf")

    async def ids(query: str = "") -> list[str]:
        response = await client.get(f"/v1/media{query}", headers=ed)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    everything = (await client.get("/v1/media", headers=ed)).json()
    assert [i["id"] for i in everything["items"]] == [pdf["id"], dog["id"], cat["id"]]
    pagination = everything["pagination"]
    assert [pagination[k] for k in ("page", "pageSize", "totalItems", "totalPages")] == [
        1,
        20,
        3,
        1,
    ]
    assert await ids("?q=kitten") == await ids("?search=KITTEN") == [cat["id"]]
    assert await ids("?q=dog") == [dog["id"]]
    assert await ids("?q=%25") == await ids("?q=_") == []  # LIKE wildcards are literal
    assert await ids("?mimeType=image") == [dog["id"], cat["id"]]
    assert await ids("?mimeType=image/png") == [dog["id"]]
    assert await ids("?type=application/pdf") == [pdf["id"]]
    assert await ids("?sortBy=filename&sortDir=asc") == [dog["id"], cat["id"], pdf["id"]]
    by_size = sorted((m["size"], m["id"]) for m in (cat, dog, pdf))
    assert await ids("?sortBy=size&sortDir=asc") == [i for _, i in by_size]
    assert await ids("?sortBy=mimeType&sortDir=asc") == [pdf["id"], cat["id"], dog["id"]]
    assert await ids("?sortBy=createdAt&sortDir=asc") == [cat["id"], dog["id"], pdf["id"]]

    paged = (await client.get("/v1/media?pageSize=2&page=2", headers=ed)).json()
    assert [i["id"] for i in paged["items"]] == [cat["id"]]
    assert (paged["pagination"]["page"], paged["pagination"]["totalPages"]) == (2, 2)
    assert await ids("?limit=1&offset=1") == [dog["id"]]

    clock.advance(1)
    await client.patch(f"/v1/media/{cat['id']}", json={"alt": "Awake"}, headers=ed)
    assert (await ids("?sortBy=updatedAt"))[0] == cat["id"]
    for bad in ("?sortBy=bogus", "?pageSize=101", "?page=0", "?sortDir=sideways"):
        response = await client.get(f"/v1/media{bad}", headers=ed)
        assert (response.status_code, code(response)) == (422, "VALIDATION_ERROR"), bad


async def test_patch_edits_metadata_and_the_focal_point_moves_the_thumb_crop(
    client: Client, ed: H, clock: FakeClock
) -> None:
    media = await upload(client, ed, two_tone(), "tones.png", title="Kept")
    clock.advance(5)
    path = f"/v1/media/{media['id']}"
    edit = {"alt": "A", "caption": "C", "description": "D"}
    edited = (await client.patch(path, json=edit, headers=ed)).json()["media"]
    assert {k: edited[k] for k in edit} == edit
    assert edited["title"] == "Kept"
    assert edited["updatedAt"] != media["updatedAt"]

    def red_share(response: httpx.Response) -> float:
        thumb = decode(response).convert("RGB")
        row = [thumb.getpixel((x, thumb.height // 2)) for x in range(thumb.width)]
        return sum(1 for r, _, b in row if r > b) / len(row)

    shares = {}
    for x in (0.0, 1.0):
        response = await client.patch(path, json={"focalPoint": {"x": x, "y": 0.5}}, headers=ed)
        moved = response.json()["media"]
        assert moved["focalPoint"] == {"x": x, "y": 0.5}
        assert f"fp={x:.3f},0.500" in moved["variants"]["thumb"]
        assert moved["variants"]["medium"] == media["variants"]["medium"]  # inside: no crop
        shares[x] = red_share(await client.get(moved["variants"]["thumb"]))
    assert shares[0.0] > 0.6 > 0.4 > shares[1.0]  # left crop mostly red, right mostly blue

    cleared = (await client.patch(path, json={"focalPoint": None}, headers=ed)).json()["media"]
    assert cleared["focalPoint"] is None
    assert "fp=0.500,0.500" in cleared["variants"]["thumb"]
    for bad in ({"focalPoint": {"x": 1.5, "y": 0}}, {"alt": "x" * 1001}):
        refused = await client.patch(path, json=bad, headers=ed)
        assert (refused.status_code, code(refused)) == (422, "VALIDATION_ERROR")
    missing = await client.patch(f"/v1/media/{uuid.uuid4()}", json={}, headers=ed)
    assert (missing.status_code, code(missing)) == (404, "MEDIA_NOT_FOUND")


async def test_text_with_a_nul_character_gets_the_same_answer_on_both_databases(
    client: Client, ed: H
) -> None:
    """PostgreSQL text cannot hold NUL: refuse it (422) or drop it, on SQLite alike; never 500."""
    media = await upload(client, ed, image())
    patched = await client.patch(f"/v1/media/{media['id']}", json={"alt": "a\x00b"}, headers=ed)
    one_step = await multipart(client, ed, image("PNG"), title="a\x00b")
    for response in (patched, one_step):
        assert (response.status_code, code(response)) == (422, "VALIDATION_ERROR"), response.text
    searched = await client.get("/v1/media?q=a%00b", headers=ed)
    assert (searched.status_code, code(searched)) == (422, "VALIDATION_ERROR"), searched.text


async def test_delete_refuses_media_that_documents_use_unless_forced(
    client: Client, ed: H, settings: Settings
) -> None:
    media = await upload(client, ed, image())
    for body in ({"type": "post", "featureImage": media["id"]}, {"ogImage": media["id"]}):
        doc = await client.post("/v1/documents", json={"title": "Doc", **body}, headers=ed)
        assert doc.status_code == 201, doc.text
    path = f"/v1/media/{media['id']}"
    in_use = await client.delete(path, headers=ed)
    assert (in_use.status_code, code(in_use)) == (409, "CONFLICT")
    assert "2 document" in in_use.json()["error"]["message"]
    assert (await client.get(path, headers=ed)).status_code == 200
    assert (await client.delete(f"{path}?force=no", headers=ed)).status_code == 409

    forced = await client.delete(f"{path}?force=true", headers=ed)
    assert forced.status_code == 200, forced.text
    body = forced.json()
    assert (body["ok"], body["deleted"], body["media"]["id"]) == (True, True, media["id"])
    assert (await client.get(path, headers=ed)).status_code == 404
    assert not blob_file(settings, media["hash"]).exists()
    again = await client.delete(path, headers=ed)
    assert (again.status_code, code(again)) == (404, "MEDIA_NOT_FOUND")


# --- spaces and roles ---------------------------------------------------------------------------


async def test_media_of_one_space_is_invisible_from_another(
    client: Client, ed: H, db: Database, clock: FakeClock, settings: Settings
) -> None:
    make_space(db, clock, "other")
    make_user(db, clock, "otto", Role.ADMIN, space="other")
    otto = await log_in(client, "otto", "other")
    mine = await upload(client, ed, image())
    pending = await start(client, ed)
    assert (await put(client, pending, image("PNG"))).status_code == 200

    path = f"/v1/media/{mine['id']}"
    finalize_path = f"/v1/media/{pending['mediaId']}/finalize"
    for method, url, body in [
        ("GET", path, None),
        ("PATCH", path, {"alt": "stolen"}),
        ("DELETE", f"{path}?force=true", None),
        ("POST", finalize_path, {"uploadToken": pending["uploadToken"]}),
    ]:
        response = await client.request(method, url, json=body, headers=otto)
        assert (response.status_code, code(response)) == (404, "MEDIA_NOT_FOUND"), method
    assert (await client.get("/v1/media", headers=otto)).json()["items"] == []
    doc = await client.post("/v1/documents", json={"featureImage": mine["id"]}, headers=otto)
    assert doc.status_code == 422
    assert (await client.get(path, headers=ed)).json()["media"]["alt"] == ""
    listed = (await client.get("/v1/media", headers=ed)).json()["items"]
    assert [i["id"] for i in listed] == [mine["id"]]
    assert (await finalize(client, ed, pending)).status_code == 200

    theirs = await upload(client, otto, image(), "theirs.jpg")  # the same bytes, other space
    assert (await client.delete(path, headers=ed)).status_code == 200
    assert blob_file(settings, mine["hash"]).exists()
    assert (await client.get(theirs["url"])).content == image()


async def test_viewers_read_but_never_write_and_anonymous_callers_must_log_in(
    client: Client, ed: H, viewer: H, db: Database, clock: FakeClock
) -> None:
    media = await upload(client, ed, image())
    token = make_api_token(db, clock, "blog", Role.VIEWER)
    path = f"/v1/media/{media['id']}"
    for headers in (viewer, {"Authorization": f"Bearer {token}", "X-Space": "blog"}):
        listed = await client.get("/v1/media", headers=headers)
        assert [i["id"] for i in listed.json()["items"]] == [media["id"]]
        assert (await client.get(path, headers=headers)).json()["media"]["id"] == media["id"]
        for response in (
            await client.post("/v1/media", headers=headers),
            await client.post("/v1/media/init", json={}, headers=headers),
            await multipart(client, headers, image("PNG")),
            await multipart(client, headers, image("PNG"), path="/v1/media/upload"),
            await client.patch(path, json={"alt": "x"}, headers=headers),
            await client.delete(path, headers=headers),
        ):
            assert (response.status_code, code(response)) == (403, "FORBIDDEN")
    anonymous = {"X-Space": "blog"}
    for response in (
        await client.get("/v1/media", headers=anonymous),
        await client.get(path, headers=anonymous),
        await client.post("/v1/media/init", headers=anonymous),
        await multipart(client, anonymous, image("PNG")),
        await client.delete(path, headers=anonymous),
    ):
        assert (response.status_code, code(response)) == (401, "AUTH_REQUIRED")
    unchanged = (await client.get(path, headers=ed)).json()["media"]
    assert (unchanged["alt"], unchanged["updatedAt"]) == ("", media["updatedAt"])
    assert len((await client.get("/v1/media", headers=ed)).json()["items"]) == 1
