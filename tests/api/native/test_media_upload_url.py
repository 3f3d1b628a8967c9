"""The local upload URL is signed and expiring; finalize checks a declared SHA-256; the server
sweeps abandoned uploads by itself; upload hash references find the space's asset."""

from __future__ import annotations

import asyncio
import hashlib
import io
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from PIL import Image

from masthead.api.app import create_app
from masthead.core import access
from masthead.core.errors import MediaNotFound
from masthead.core.services import media, uploads
from masthead.ratelimit import LimitsRateLimiter
from masthead.settings import Settings
from masthead.storage.uow import Database
from tests.conftest import FakeClock
from tests.factories import make_space

pytestmark = pytest.mark.anyio


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "teal").save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def space_slug() -> str:
    return "site"  # the tests look it up by name


async def start(client: httpx.AsyncClient, headers: dict[str, str], **body: Any) -> Any:
    response = await client.post("/v1/media/init", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def with_query(url: str, **changes: str | None) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    return parts._replace(query=urlencode(query)).geturl()


async def test_upload_url_carries_an_expiry_and_a_signature_that_are_checked(
    client: httpx.AsyncClient, ed: dict[str, str]
) -> None:
    started = await start(client, ed, filename="a.png")
    query = parse_qs(urlsplit(started["uploadUrl"]).query)
    assert set(query) == {"expires", "signature"}
    data, headers = png_bytes(), started["requiredHeaders"]

    for broken in (
        with_query(started["uploadUrl"], signature="0" * 64),
        with_query(started["uploadUrl"], signature=None),
        with_query(started["uploadUrl"], expires=str(int(query["expires"][0]) + 3600)),
    ):
        refused = await client.put(broken, content=data, headers=headers)
        assert refused.status_code == 401, broken
        assert refused.json()["error"]["code"] == "MEDIA_UPLOAD_TOKEN_INVALID"

    accepted = await client.put(started["uploadUrl"], content=data, headers=headers)
    assert accepted.status_code == 200
    assert accepted.json()["size"] == len(data)


async def test_a_signed_url_stops_working_when_it_expires(
    client: httpx.AsyncClient, ed: dict[str, str], clock: FakeClock, settings: Settings
) -> None:
    started = await start(client, ed, filename="late.png")
    clock.advance(settings.media_upload_ttl_seconds + 1)

    late = await client.put(
        started["uploadUrl"], content=png_bytes(), headers=started["requiredHeaders"]
    )

    assert late.status_code == 401
    assert "expired" in late.json()["error"]["message"]


async def test_finalize_checks_a_declared_sha256_and_discards_a_mismatch(
    client: httpx.AsyncClient, ed: dict[str, str]
) -> None:
    data = png_bytes()
    good_hash = hashlib.sha256(data).hexdigest()

    wrong = await start(client, ed, filename="w.png")
    await client.put(wrong["uploadUrl"], content=data, headers=wrong["requiredHeaders"])
    refused = await client.post(
        f"/v1/media/{wrong['mediaId']}/finalize",
        json={"uploadToken": wrong["uploadToken"], "sha256": "a" * 64},
        headers=ed,
    )
    assert refused.status_code == 422
    gone = await client.get(f"/v1/media/{wrong['mediaId']}", headers=ed)
    assert gone.status_code == 404

    malformed = await client.post(
        f"/v1/media/{wrong['mediaId']}/finalize",
        json={"uploadToken": wrong["uploadToken"], "sha256": "not-a-hash"},
        headers=ed,
    )
    assert malformed.status_code == 422
    assert malformed.json()["error"]["code"] == "VALIDATION_ERROR"

    right = await start(client, ed, filename="r.png")
    await client.put(right["uploadUrl"], content=data, headers=right["requiredHeaders"])
    finalized = await client.post(
        f"/v1/media/{right['mediaId']}/finalize",
        json={"uploadToken": right["uploadToken"], "sha256": good_hash},
        headers=ed,
    )
    assert finalized.status_code == 200, finalized.text
    assert finalized.json()["media"]["hash"] == good_hash


async def test_the_server_sweeps_abandoned_uploads_while_it_runs(
    settings: Settings, clock: FakeClock, db: Database
) -> None:
    space = make_space(db, clock, "site")
    app = create_app(
        settings, clock=clock, limiter=LimitsRateLimiter(), database=db, sweep_interval=0.05
    )
    context = app.state.services.media
    abandoned = uploads.start_upload(
        db.uow(), context, access.system_actor(space), filename="x", mime_type=None, size=None
    )
    clock.advance(settings.media_upload_ttl_seconds + 1)

    async with app.router.lifespan_context(app):
        for _ in range(100):
            with db.read_uow() as uow:
                if uow.media.find(space.id, abandoned.asset.id) is None:
                    break
            await asyncio.sleep(0.05)

    with db.read_uow() as uow:
        assert uow.media.find(space.id, abandoned.asset.id) is None


async def test_upload_hash_references_find_the_asset_of_the_callers_space_only(
    client: httpx.AsyncClient, ed: dict[str, str], db: Database, clock: FakeClock
) -> None:
    data = png_bytes()
    uploaded = await client.post(
        "/v1/media", files={"file": ("a.png", data, "image/png")}, headers=ed
    )
    assert uploaded.status_code == 201
    sha256 = hashlib.sha256(data).hexdigest()
    with db.read_uow() as uow:
        site = uow.spaces.get_by_slug("site")
    other = make_space(db, clock, "other")

    found = media.get_media_by_hash(db.read_uow(), access.system_actor(site), sha256)
    assert str(found.id) == uploaded.json()["mediaId"]
    with pytest.raises(MediaNotFound):
        media.get_media_by_hash(db.read_uow(), access.system_actor(other), sha256)
    with pytest.raises(MediaNotFound):
        media.get_media_by_hash(db.read_uow(), access.system_actor(site), "zz")
