"""What every benchmark needs: an environment for a data directory, `masthead` commands, and a
`masthead serve` process with a client logged in as its admin."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

PASSWORD = "bench-password-123"
MASTHEAD = Path(sys.executable).parent / "masthead"
TIME = shutil.which("time", path="/usr/bin") or "/usr/bin/time"  # GNU time: peak RSS


def bench_env(data_dir: Path, database_url: str | None = None) -> dict[str, str]:
    """This process's environment without MASTHEAD_* settings, plus the benchmark's own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MASTHEAD_")}
    if database_url is not None:
        env["MASTHEAD_DATABASE_URL"] = database_url
    return env | {
        "MASTHEAD_DATA_DIR": str(data_dir),
        "MASTHEAD_ADMIN_PASSWORD": PASSWORD,
        "MASTHEAD_RATE_LIMIT": "1000000/minute",
        "MASTHEAD_LOG_LEVEL": "WARNING",
    }


def masthead(*args: str, env: dict[str, str]) -> None:
    subprocess.run([str(MASTHEAD), *args], env=env, check=True)  # noqa: S603


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(env: dict[str, str], *, timeout: float = 30) -> Iterator[httpx.Client]:
    """`masthead serve` on a free port, and a client logged in as the admin; the server
    stops when the block ends."""
    with serving_process(env, timeout=timeout) as (client, _server):
        yield client


@contextmanager
def serving_process(
    env: dict[str, str], *, timeout: float = 30
) -> Iterator[tuple[httpx.Client, subprocess.Popen[bytes]]]:
    """As ``serving``, with the server's process (to read its memory)."""
    port = free_port()
    server = subprocess.Popen(  # noqa: S603
        [str(MASTHEAD), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=timeout) as client:
            for _ in range(300):
                try:
                    if client.get("/health").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.1)
            token = client.post(
                "/v1/auth/token", json={"username": "admin", "password": PASSWORD}
            ).json()["accessToken"]
            client.headers["Authorization"] = f"Bearer {token}"
            yield client, server
    finally:
        server.terminate()
        server.wait(timeout=10)


def timed_publish(env: dict[str, str]) -> dict[str, Any]:
    """One ``masthead releases publish`` under GNU time: wall seconds and peak RSS."""
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603
        [TIME, "-f", "maxrss_kib=%M", str(MASTHEAD), "releases", "publish", "--activate"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = time.perf_counter() - started
    peak_kib = int(done.stderr.rsplit("maxrss_kib=", 1)[1].split()[0])
    return {
        "seconds": round(seconds, 2),
        "peak_rss_mib": round(peak_kib / 1024, 1),
        "output": done.stdout.strip().splitlines()[-1],
    }
