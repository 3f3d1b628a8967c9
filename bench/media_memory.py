"""Benchmark: the memory a `masthead serve` process needs to take in large images.

Starts ``masthead serve`` on a fresh data directory (local backend, SQLite), then uploads
81-megapixel PNGs (9000x9000 RGB, under the default pixel limit) through the one-step route:
one alone, then several at once. For each round it prints the server's peak resident memory
(VmHWM, reset before the round) and its resident memory once the uploads have answered, both
as the increase over the idle server. The PNGs compress to a few hundred kilobytes: what costs
memory is the decoded image (about 324 MB for 81 Mpx RGB in Pillow, four bytes a pixel).

    python bench/media_memory.py [--concurrent 4] [--side 9000] [--renders 2]

Sizes are MiB (what /proc reports, in kB, divided by 1024).
"""

from __future__ import annotations

import argparse
import os
import platform
import struct
import tempfile
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import httpx

from harness import bench_env, serving_process


def striped_png(side: int, seeds: range) -> list[bytes]:
    """Square RGB PNGs of horizontal colour bands, one per seed (distinct bytes, so no upload
    is deduplicated). The pixel data is compressed once; a text chunk tells them apart."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    deflate = zlib.compressobj(1)
    parts = []
    for y in range(side):
        colour = bytes(((y // 64) * 37 % 256, (y // 64) * 91 % 256, 128))
        parts.append(deflate.compress(b"\x00" + colour * side))
    parts.append(deflate.flush())
    pixels = chunk(b"IDAT", b"".join(parts))
    header = chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0))
    return [
        b"\x89PNG\r\n\x1a\n"
        + header
        + chunk(b"tEXt", b"Comment\x00" + str(seed).encode())
        + pixels
        + chunk(b"IEND", b"")
        for seed in seeds
    ]


def memory_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise KeyError(field)


def reset_peak(pid: int) -> None:
    Path(f"/proc/{pid}/clear_refs").write_text("5")  # VmHWM := VmRSS


def upload(client: httpx.Client, data: bytes, name: str) -> float:
    started = time.perf_counter()
    response = client.post("/v1/media/upload", files={"file": (name, data, "image/png")})
    response.raise_for_status()
    return time.perf_counter() - started


def round_of(client: httpx.Client, pid: int, images: list[bytes]) -> tuple[int, int, float]:
    """Peak and settled RSS (MiB over ``before``) and wall seconds for uploading ``images``."""
    reset_peak(pid)
    before = memory_kb(pid, "VmRSS")
    started = time.perf_counter()
    with ThreadPoolExecutor(len(images)) as pool:
        list(
            pool.map(
                upload, [client] * len(images), images, [f"big{i}.png" for i in range(len(images))]
            )
        )
    seconds = time.perf_counter() - started
    time.sleep(0.5)
    peak = memory_kb(pid, "VmHWM") - before
    after = memory_kb(pid, "VmRSS") - before
    return peak // 1024, after // 1024, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--concurrent", type=int, default=4)
    parser.add_argument("--side", type=int, default=9000)
    parser.add_argument("--renders", type=int, default=2, help="MASTHEAD_MEDIA_CONCURRENT_RENDERS")
    args = parser.parse_args()

    images = striped_png(args.side, range(1 + 2 * args.concurrent))
    env = bench_env(Path(tempfile.mkdtemp(prefix="masthead-bench-memory-")))
    env["MASTHEAD_MEDIA_MAX_BYTES"] = str(200 * 1024 * 1024)
    env["MASTHEAD_MEDIA_CONCURRENT_RENDERS"] = str(args.renders)
    with serving_process(env, timeout=300) as (client, server):
        idle = memory_kb(server.pid, "VmRSS") // 1024
        print(
            f"Masthead upload memory, local backend, SQLite; machine: {platform.machine()}, "
            f"{os.cpu_count()} cores, Python {platform.python_version()}, "
            f"{datetime.now(UTC):%Y-%m-%d}; {args.side}x{args.side} RGB PNG "
            f"({len(images[0]) / 1e6:.1f} MB file); {args.renders} concurrent renders; "
            f"idle server {idle} MiB"
        )
        n = args.concurrent
        rounds = [
            ("1 upload", images[:1]),
            (f"{n} concurrent uploads", images[1 : 1 + n]),
            (f"{n} concurrent uploads again", images[1 + n : 1 + 2 * n]),
        ]
        for name, batch in rounds:
            peak, after, seconds = round_of(client, server.pid, batch)
            print(f"{name:30} peak +{peak:5} MiB  after +{after:5} MiB  {seconds:6.1f} s")
        held = memory_kb(server.pid, "VmRSS") // 1024 - idle
        print(f"{'held now, over idle':30} +{held:5} MiB")


if __name__ == "__main__":
    main()
