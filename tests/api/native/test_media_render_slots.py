"""Uploads decode images within the same per-process bound as transforms on request
(``MASTHEAD_MEDIA_CONCURRENT_RENDERS``): with every slot taken, an image upload answers 429
with Retry-After and loses nothing, and a refused finalize succeeds when retried (issue 13,
defect 4). Uploads that are not images need no slot."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

import pytest
from fastapi import FastAPI

from masthead.core.services import media_store
from masthead.settings import Settings
from tests.api.native.media_helpers import (
    PDF,
    Client,
    H,
    code,
    files_under,
    finalize,
    image,
    multipart,
    put,
    start,
)

pytestmark = pytest.mark.anyio


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"media_concurrent_renders": 1}


@pytest.fixture
def busy(app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.BoundedSemaphore]:
    """The process's one render slot, held by the test until it releases it."""
    monkeypatch.setattr(media_store, "RENDER_WAIT_SECONDS", 0.05)
    slots: threading.BoundedSemaphore = app.state.services.media.render_slots
    assert slots.acquire(blocking=False)
    yield slots
    with contextlib.suppress(ValueError):  # the test released it already
        slots.release()


async def test_a_one_step_image_upload_waits_for_a_render_slot(
    client: Client, ed: H, settings: Settings, busy: threading.BoundedSemaphore
) -> None:
    refused = await multipart(client, ed, image("PNG", (300, 200)), "a.png")
    assert refused.status_code == 429, refused.text
    assert refused.headers["Retry-After"] == "5"
    assert files_under(settings, "blobs") == []  # nothing kept of the refused upload

    busy.release()
    done = await multipart(client, ed, image("PNG", (300, 200)), "a.png")
    assert done.status_code == 201, done.text
    assert set(done.json()["media"]["variants"]) == {"thumb", "medium"}
    assert busy.acquire(blocking=False)  # the upload gave its slot back


async def test_a_finalize_refused_for_want_of_a_slot_can_simply_be_retried(
    client: Client, ed: H, settings: Settings, busy: threading.BoundedSemaphore
) -> None:
    data = image("JPEG", (400, 300))
    started = await start(client, ed, {"filename": "p.jpg", "size": len(data)})
    assert (await put(client, started, data)).status_code == 200

    refused = await finalize(client, ed, started)
    assert refused.status_code == 429, refused.text
    assert code(refused) == "RATE_LIMITED"
    assert files_under(settings, "blobs") == []

    busy.release()
    done = await finalize(client, ed, started)  # the same request, nothing sent again
    assert done.status_code == 200, done.text
    media = done.json()["media"]
    assert (media["width"], media["height"]) == (400, 300)
    assert (await client.get(media["url"])).content == data


async def test_uploads_that_are_not_images_need_no_render_slot(
    client: Client, ed: H, busy: threading.BoundedSemaphore
) -> None:
    response = await multipart(client, ed, PDF, "doc.pdf")
    assert response.status_code == 201, response.text
