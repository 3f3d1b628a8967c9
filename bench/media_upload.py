"""Benchmark: media uploads and image renditions, through real HTTP.

Starts ``masthead serve`` on a fresh data directory (local backend, SQLite) and measures:
direct-upload throughput (PUT to the upload URL, then finalize), one-step multipart
throughput, the finalize of a 12-megapixel JPEG (hash, sniff, probe and both WebP variants),
and an on-the-fly transform: its first (rendering) request and its cached repeats.

    python bench/media_upload.py [--megabytes 40] [--repeats 5]
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx
from PIL import Image, ImageDraw, ImageFilter

from harness import bench_env, serving


def photo_like_jpeg(width: int = 4000, height: int = 3000) -> bytes:
    """A 12 MP JPEG that compresses like a photo: gradients, shapes and fine noise."""
    rng = random.Random(7)  # noqa: S311 - test data, not secrets
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    draw = ImageDraw.Draw(image)
    for _ in range(300):
        x, y = rng.randrange(width), rng.randrange(height)
        r = rng.randrange(20, 400)
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)
    image = image.filter(ImageFilter.GaussianBlur(3))
    noise = Image.effect_noise((width, height), 24).convert("RGB")
    image = Image.blend(image, noise, 0.15)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88)
    return out.getvalue()


def video_like(megabytes: int) -> bytes:
    """An MP4 header followed by incompressible bytes: an accepted type of a chosen size."""
    header = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
    return header + os.urandom(megabytes * 1024 * 1024 - len(header))


def timed(action: Callable[[], httpx.Response]) -> tuple[float, httpx.Response]:
    started = time.perf_counter()
    response = action()
    response.raise_for_status()
    return time.perf_counter() - started, response


def direct_upload(client: httpx.Client, data: bytes, name: str) -> tuple[float, float, dict]:
    """Seconds for the PUT and for the finalize, and the finalized media."""
    init = client.post("/v1/media", json={"filename": name, "size": len(data)}).json()
    put_s, _ = timed(
        lambda: client.put(init["uploadUrl"], content=data, headers=init["requiredHeaders"])
    )
    fin_s, response = timed(
        lambda: client.post(
            f"/v1/media/{init['mediaId']}/finalize", json={"uploadToken": init["uploadToken"]}
        )
    )
    return put_s, fin_s, response.json()["media"]


def report(name: str, seconds: list[float], unit: str = "ms", scale: float = 1000) -> None:
    print(f"{name:44} median {statistics.median(seconds) * scale:9.1f} {unit}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--megabytes", type=int, default=40)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="masthead-bench-media-"))
    with serving(bench_env(data_dir), timeout=120) as client:
        run(client, args.megabytes, args.repeats)


def run(client: httpx.Client, megabytes: int, repeats: int) -> None:
    print(
        f"Masthead media, local backend, SQLite; machine: {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{datetime.now(UTC):%Y-%m-%d}"
    )
    puts, finals, multiparts = [], [], []
    for _ in range(repeats):
        data = video_like(megabytes)  # fresh bytes each time: no deduplication shortcut
        put_s, fin_s, _ = direct_upload(client, data, "clip.mp4")
        puts.append(megabytes / put_s)
        finals.append(fin_s)
        data = video_like(megabytes)
        seconds, _ = timed(
            lambda data=data: client.post(
                "/v1/media/upload", files={"file": ("clip.mp4", data, "video/mp4")}
            )
        )
        multiparts.append(megabytes / seconds)
    report(f"direct upload PUT, {megabytes} MB", puts, "MB/s", 1)
    report(f"finalize of {megabytes} MB (hash, move)", finals)
    report(f"one-step multipart upload, {megabytes} MB", multiparts, "MB/s", 1)

    photo = photo_like_jpeg()
    print(f"12 MP JPEG: 4000x3000, {len(photo) / 1e6:.1f} MB")
    photo_finals, firsts, cached = [], [], []
    media: dict = {}
    for n in range(repeats):
        # A different byte after the end marker keeps the JPEG valid but the hash fresh.
        data = photo + bytes([n % 256])
        _, fin_s, media = direct_upload(client, data, f"photo{n}.jpg")
        photo_finals.append(fin_s)
        url = media["url"] + "?w=800&h=600&fit=cover&format=avif"
        first_s, _ = timed(lambda url=url: client.get(url))
        firsts.append(first_s)
        for _ in range(20):
            seconds, _ = timed(lambda url=url: client.get(url))
            cached.append(seconds)
    report("finalize 12 MP JPEG (probe + thumb + medium)", photo_finals)
    report("transform 800x600 cover AVIF, first request", firsts)
    report("same transform, cached", cached)
    thumb_s, _ = timed(lambda: client.get(media["variants"]["thumb"]))
    print(f"{'thumb variant request (made at upload)':44} {thumb_s * 1000:16.1f} ms")


if __name__ == "__main__":
    main()
