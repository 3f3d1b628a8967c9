"""Fixtures for tests that need S3: a real moto server on 127.0.0.1 and boto3 clients for it.

Registered for every test through ``pytest_plugins`` in ``tests/conftest.py``. The server
starts on first use, once per session (per xdist worker); nothing in boto3 is patched.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest

REGION = "us-east-1"
KEY_ID = "testing"
SECRET = "testing"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real S3-compatible HTTP server (moto) on 127.0.0.1, for this session (xdist worker)."""
    port = _free_port()
    executable = Path(sys.executable).with_name("moto_server")
    command = [str(executable)] if executable.exists() else [sys.executable, "-m", "moto.server"]
    log_path = tmp_path_factory.mktemp("moto") / "moto.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [*command, "-H", "127.0.0.1", "-p", str(port)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            if process.poll() is not None:
                pytest.fail(f"moto_server exited early:\n{log_path.read_text()}")
            try:
                httpx.get(f"{endpoint}/moto-api/", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    pytest.fail(f"moto_server did not answer in 20 s:\n{log_path.read_text()}")
                time.sleep(0.05)
        yield endpoint
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def boto_session() -> boto3.session.Session:
    """One session for every store: a client built from a fresh session takes ~0.2 s."""
    return boto3.session.Session()


@pytest.fixture(scope="session")
def s3_client(s3_endpoint: str, boto_session: boto3.session.Session) -> Any:
    """A plain client, for what the tests create and inspect behind the store's back."""
    return boto_session.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name=REGION,
        aws_access_key_id=KEY_ID,
        aws_secret_access_key=SECRET,
    )
