"""A real `masthead serve` taking in several 81-megapixel PNGs at once stays within the memory
bound the README states, and gives the memory back afterwards (issue 13, defect 4).

The PNGs are bands of colour: about a megabyte each on the wire, 324 MB each once decoded
(Pillow keeps RGB in four bytes a pixel), which is the cost that matters. Two go through the
one-step upload, two through the direct flow (PUT, then finalize). Memory is the server's own,
read from /proc: its peak resident set (VmHWM) and its resident set once every upload has
answered, each over its resident set before the uploads.
"""

from __future__ import annotations

import io
import platform
import struct
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from masthead.settings import Settings
from tests.e2e.test_serve import LISTENING_LINE, PASSWORD_LINE, StartServer, log_in

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc (Linux)"),
]

SIDE = 9000  # 81 Mpx, under the default pixel limit (89.5 Mpx)
UPLOADS = 4
MIB = 1024 * 1024
DECODED = SIDE * SIDE * 4  # bytes of one decoded frame
SLOTS = Settings.model_fields["media_concurrent_renders"].default
PER_RENDER = DECODED * 5 // 4  # the decode and its half-size reduction (variants <= 1280 px)
IN_FLIGHT = 200 * MIB  # bands, encoders, request bodies and the allocator's slack, all at once
PEAK_BOUND = SLOTS * PER_RENDER + IN_FLIGHT  # README, "Upload memory": 972 MiB by default
SETTLED_BOUND = 100 * MIB


def chunk(kind: bytes, data: bytes) -> bytes:
    """One PNG chunk: length, type, data, CRC."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def banded_pngs(count: int) -> list[bytes]:
    """``count`` distinct SIDE x SIDE RGB PNGs (a text chunk tells them apart), compressed once."""
    deflate = zlib.compressobj(1)
    rows = [deflate.compress(b"\x00" + bytes((y // 64 % 256, 91, 128)) * SIDE) for y in range(SIDE)]
    pixels = chunk(b"IDAT", b"".join(rows) + deflate.flush())
    header = chunk(b"IHDR", struct.pack(">IIBBBBB", SIDE, SIDE, 8, 2, 0, 0, 0))
    return [
        b"\x89PNG\r\n\x1a\n"
        + header
        + chunk(b"tEXt", b"Comment\x00%d" % n)
        + pixels
        + chunk(b"IEND", b"")
        for n in range(count)
    ]


def small_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (128, 16, 16)).save(out, "PNG")
    return out.getvalue()


def memory(pid: int, field: str) -> int:
    """A VmRSS/VmHWM line of /proc/<pid>/status, in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"no {field} in /proc/{pid}/status")


def one_step(http: httpx.Client, headers: dict[str, str], data: bytes, name: str) -> dict[str, Any]:
    response = http.post(
        "/v1/media/upload", files={"file": (name, data, "image/png")}, headers=headers
    )
    assert response.status_code == 201, response.text
    return dict(response.json()["media"])


def direct(http: httpx.Client, headers: dict[str, str], data: bytes, name: str) -> dict[str, Any]:
    started = http.post("/v1/media", json={"filename": name, "size": len(data)}, headers=headers)
    assert started.status_code == 201, started.text
    body = started.json()
    put = http.put(body["uploadUrl"], content=data, headers=body["requiredHeaders"])
    assert put.status_code == 200, put.text
    done = http.post(
        f"/v1/media/{body['mediaId']}/finalize",
        json={"uploadToken": body["uploadToken"]},
        headers=headers,
    )
    assert done.status_code == 200, done.text
    return dict(done.json()["media"])


def test_concurrent_large_uploads_stay_within_the_bound_and_give_the_memory_back(
    start_server: StartServer, tmp_path: Path
) -> None:
    server = start_server(tmp_path / "var")
    password = PASSWORD_LINE.findall(server.wait_for_output(LISTENING_LINE))[0]
    server.wait_healthy()
    pid = server.process.pid
    pngs = banded_pngs(UPLOADS)
    with httpx.Client(base_url=server.base_url, timeout=60) as http:
        headers = {"Authorization": f"Bearer {log_in(http, password)['accessToken']}"}
        one_step(http, headers, small_png(), "warm.png")  # the codecs load on first use
        before = memory(pid, "VmRSS")
        flows = [one_step, direct] * (UPLOADS // 2)
        with ThreadPoolExecutor(UPLOADS) as pool:
            uploaded = list(
                pool.map(lambda n: flows[n](http, headers, pngs[n], f"big{n}.png"), range(UPLOADS))
            )
        peak = memory(pid, "VmHWM") - before
        settled = memory(pid, "VmRSS") - before

    assert [(m["width"], m["height"]) for m in uploaded] == [(SIDE, SIDE)] * UPLOADS
    assert all(set(m["variants"]) == {"thumb", "medium"} for m in uploaded)
    assert peak < PEAK_BOUND, f"peak +{peak // MIB} MiB over {before // MIB} MiB"
    if platform.libc_ver()[0] == "glibc":  # elsewhere freed memory may stay with the allocator
        assert settled < SETTLED_BOUND, f"+{settled // MIB} MiB still held after the uploads"
