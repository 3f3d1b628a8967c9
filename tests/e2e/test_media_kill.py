"""A `masthead serve` killed (kill -9) in the middle of receiving an upload leaves nothing half
written behind a live asset, and the upload can be retried after the restart."""

from __future__ import annotations

import io
import signal
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PIL import Image

from tests.e2e.test_serve import LISTENING_LINE, PASSWORD_LINE, StartServer, log_in

pytestmark = pytest.mark.slow

CHUNK = 256 * 1024


def photo() -> bytes:
    out = io.BytesIO()
    Image.effect_noise((1200, 900), 40).convert("RGB").save(out, "PNG")
    return out.getvalue()


def files_under(path: Path) -> list[Path]:
    return [p for p in path.rglob("*") if p.is_file()] if path.exists() else []


def test_kill_during_an_upload_leaves_no_blob_and_the_upload_can_be_retried(
    start_server: StartServer, tmp_path: Path
) -> None:
    data_dir = tmp_path / "var"
    first = start_server(data_dir)
    password = PASSWORD_LINE.findall(first.wait_for_output(LISTENING_LINE))[0]
    first.wait_healthy()
    data = photo()
    assert len(data) > 8 * CHUNK
    with first.client() as http:
        headers = {"Authorization": f"Bearer {log_in(http, password)['accessToken']}"}
        started = http.post(
            "/v1/media", json={"filename": "p.png", "size": len(data)}, headers=headers
        ).json()

    killed = threading.Event()

    def body() -> Iterator[bytes]:
        for index, start in enumerate(range(0, len(data), CHUNK)):
            if index == 4:  # half way: the server holds part of the body
                first.process.send_signal(signal.SIGKILL)
                first.process.wait(timeout=10)
                killed.set()
            yield data[start : start + CHUNK]

    with pytest.raises(httpx.TransportError):
        httpx.put(
            started["uploadUrl"], content=body(), headers=started["requiredHeaders"], timeout=10
        )
    assert killed.is_set()
    assert files_under(data_dir / "media" / "blobs") == []

    second = start_server(data_dir)
    second.wait_for_output(LISTENING_LINE)
    second.wait_healthy()
    upload_url = started["uploadUrl"].replace(first.base_url, second.base_url)
    with second.client() as http:
        headers = {"Authorization": f"Bearer {log_in(http, password)['accessToken']}"}
        early = http.post(
            f"/v1/media/{started['mediaId']}/finalize",
            json={"uploadToken": started["uploadToken"]},
            headers=headers,
        )
        assert early.status_code == 409, early.text  # nothing complete arrived

        retried = http.put(upload_url, content=data, headers=started["requiredHeaders"])
        assert retried.status_code == 200, retried.text
        done = http.post(
            f"/v1/media/{started['mediaId']}/finalize",
            json={"uploadToken": started["uploadToken"]},
            headers=headers,
        )
        assert done.status_code == 200, done.text
        media = done.json()["media"]
        assert (media["width"], media["height"]) == (1200, 900)
        assert http.get(media["url"]).content == data
    assert len(files_under(data_dir / "media" / "tmp")) == 0
