"""`masthead serve` as a real process on the embedded SQLite default: first start, kill -9,
restart on the same data directory."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.slow

MASTHEAD = Path(sys.executable).parent / "masthead"
START_TIMEOUT = 20.0
PASSWORD_LINE = re.compile(r"^Generated admin password \(shown once\): (\S+)$", re.MULTILINE)
LISTENING_LINE = "Masthead listening on http://"
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MASTHEAD_")}
    env["MASTHEAD_DATA_DIR"] = str(data_dir)
    env["PYTHONUNBUFFERED"] = "1"
    return env


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base_url: str
    stdout_path: Path
    stderr_path: Path

    def stdout(self) -> str:
        return ANSI.sub("", self.stdout_path.read_text(errors="replace"))

    def logs(self) -> str:
        return f"stdout:\n{self.stdout()}\nstderr:\n{self.stderr_path.read_text(errors='replace')}"

    def wait_for_output(self, marker: str) -> str:
        """The stdout once ``marker`` appears in it; fails if the process exits first."""
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            output = self.stdout()
            if marker in output:
                return output
            if self.process.poll() is not None:
                pytest.fail(f"masthead serve exited with {self.process.returncode}\n{self.logs()}")
            time.sleep(0.05)
        pytest.fail(f"no {marker!r} within {START_TIMEOUT}s\n{self.logs()}")

    def wait_healthy(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        with httpx.Client(base_url=self.base_url, timeout=2.0) as http:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    pytest.fail(
                        f"masthead serve exited with {self.process.returncode}\n{self.logs()}"
                    )
                try:
                    response = http.get("/health")
                except httpx.TransportError:
                    response = None
                if response is not None and response.status_code == 200:
                    assert response.json() == {"status": "ok"}
                    return
                time.sleep(0.1)
        pytest.fail(f"/health did not answer 200 within {START_TIMEOUT}s\n{self.logs()}")

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, timeout=10.0)


StartServer = Callable[[Path], Server]


@pytest.fixture
def start_server(tmp_path: Path) -> Iterator[StartServer]:
    """Start `masthead serve` on a free port with cwd=tmp_path; every server is stopped at the
    end of the test, whatever happened."""
    servers: list[Server] = []

    def start(data_dir: Path) -> Server:
        index = len(servers)
        port = free_port()
        stdout_path = tmp_path / f"serve-{index}.stdout"
        stderr_path = tmp_path / f"serve-{index}.stderr"
        with stdout_path.open("wb") as out, stderr_path.open("wb") as err:
            process = subprocess.Popen(
                [str(MASTHEAD), "serve", "--port", str(port)],
                cwd=tmp_path,
                env=server_env(data_dir),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
            )
        server = Server(process, f"http://127.0.0.1:{port}", stdout_path, stderr_path)
        servers.append(server)
        return server

    try:
        yield start
    finally:
        for server in servers:
            stop(server.process)


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
    process.wait(timeout=10)


def log_in(http: httpx.Client, password: str) -> dict[str, object]:
    response = http.post("/v1/auth/token", json={"username": "admin", "password": password})
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    assert isinstance(body["accessToken"], str)
    return body


def me(http: httpx.Client, access_token: object) -> httpx.Response:
    return http.get("/v1/auth/me", headers={"Authorization": f"Bearer {access_token}"})


def test_first_start_prints_an_admin_password_that_logs_in(
    start_server: StartServer, tmp_path: Path
) -> None:
    data_dir = tmp_path / "var"
    server = start_server(data_dir)

    output = server.wait_for_output(LISTENING_LINE)
    passwords = PASSWORD_LINE.findall(output)
    assert len(passwords) == 1, output
    server.wait_healthy()

    with server.client() as http:
        tokens = log_in(http, passwords[0])
        response = me(http, tokens["accessToken"])
        assert response.status_code == 200, response.text
        assert response.json()["user"]["username"] == "admin"
        wrong = http.post("/v1/auth/token", json={"username": "admin", "password": "nope-nope-1"})
        assert wrong.status_code == 401
    assert (data_dir / "masthead.db").is_file()
    assert not (tmp_path / "masthead.db").exists()


def test_restart_after_kill_keeps_admin_password_and_secret_key(
    start_server: StartServer, tmp_path: Path
) -> None:
    data_dir = tmp_path / "var"
    first = start_server(data_dir)
    password = PASSWORD_LINE.findall(first.wait_for_output(LISTENING_LINE))[0]
    first.wait_healthy()
    with first.client() as http:
        access_token = log_in(http, password)["accessToken"]
    key_file = data_dir / "secret_key"
    secret_key = key_file.read_text()
    assert len(secret_key.strip()) >= 32
    assert key_file.stat().st_mode & 0o777 == 0o600

    first.process.send_signal(signal.SIGKILL)
    assert first.process.wait(timeout=10) == -signal.SIGKILL

    second = start_server(data_dir)
    output = second.wait_for_output(LISTENING_LINE)
    second.wait_healthy()

    assert PASSWORD_LINE.search(output) is None, output
    assert "password" not in output.lower()
    assert "Created space" not in output
    assert (data_dir / "secret_key").read_text() == secret_key
    with second.client() as http:
        response = me(http, access_token)
        assert response.status_code == 200, response.text
        assert response.json()["user"]["username"] == "admin"
        log_in(http, password)
