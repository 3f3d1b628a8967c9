"""Publish jobs run by real `masthead worker` processes: a worker killed (kill -9) mid-build
leaves nothing visible and its job is taken over once the lease lapses; two workers racing
over 100 jobs on PostgreSQL run each job once; two API processes and two workers on
PostgreSQL and Redis agree on the active release."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import httpx
import orjson
import psycopg
import pytest
import redis
from psycopg import sql
from sqlalchemy.engine import make_url

from masthead.core import access
from masthead.core.services import accounts
from masthead.core.services.documents import DocumentInput
from masthead.core.services.imports import import_documents
from masthead.core.services.publishing import request_publish
from masthead.storage.database import make_engine
from masthead.storage.uow import Database
from tests.e2e.test_serve import (
    LISTENING_LINE,
    MASTHEAD,
    Server,
    free_port,
    log_in,
    server_env,
    stop,
)

pytestmark = pytest.mark.slow

ADMIN_PASSWORD = "correct-horse-battery-staple-9"
SECRET_KEY = "e2e-publish-workers-secret-key-0123456789abcdef"
WORKER_READY = "waiting for jobs."
DEFAULT_PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
REDIS_URL = "redis://127.0.0.1:6379"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
BUILT_LINE = re.compile(r"release ([0-9a-f-]{36}) \([0-9a-f]+\) built")
FAILED_ATTEMPT = re.compile(r"job \S+ attempt \d+ failed")
POLL = 0.05
T = TypeVar("T")

# Demo posts for the kill test: enough that a first build takes several seconds on this
# machine (most of it writing about two blobs a post), so the kill lands mid-build.
KILL_TEST_POSTS = 1200


def now() -> datetime:
    return datetime.now(UTC)


# --- processes ----------------------------------------------------------------------------------


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    stdout_path: Path
    stderr_path: Path

    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def logs(self) -> str:
        out = self.stdout_path.read_text(errors="replace")
        return f"worker {self.process.pid} stdout:\n{out}\nstderr:\n{self.stderr()}"

    def messages(self) -> list[str]:
        """The messages of this worker's JSON log lines (stderr); a line still being written
        is skipped."""
        found = []
        for line in self.stderr().splitlines():
            try:
                record = orjson.loads(line)
            except orjson.JSONDecodeError:
                continue
            if isinstance(record, dict):
                found.append(str(record.get("msg", "")))
        return found

    def built_releases(self) -> set[str]:
        """Ids of the releases this worker logged as built, after their commit."""
        return {m.group(1) for msg in self.messages() if (m := BUILT_LINE.search(msg))}

    def failed_attempts(self) -> list[str]:
        return [msg[:400] for msg in self.messages() if FAILED_ATTEMPT.match(msg)]

    def wait_ready(self, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if WORKER_READY in self.stdout_path.read_text(errors="replace"):
                return
            if self.process.poll() is not None:
                pytest.fail(f"masthead worker exited with {self.process.returncode}\n{self.logs()}")
            time.sleep(POLL)
        pytest.fail(f"masthead worker not ready within {timeout}s\n{self.logs()}")


class Processes:
    """`masthead serve` and `masthead worker` processes of one test, all stopped at its end."""

    def __init__(self, directory: Path):
        self._directory = directory
        self._all: list[subprocess.Popen[bytes]] = []

    def _popen(self, args: list[str], env: dict[str, str], name: str) -> tuple[Any, Path, Path]:
        index = len(self._all)
        stdout_path = self._directory / f"{name}-{index}.stdout"
        stderr_path = self._directory / f"{name}-{index}.stderr"
        with stdout_path.open("wb") as out, stderr_path.open("wb") as err:
            process = subprocess.Popen(
                [str(MASTHEAD), *args],
                cwd=self._directory,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
            )
        self._all.append(process)
        return process, stdout_path, stderr_path

    def serve(self, env: dict[str, str]) -> Server:
        port = free_port()
        process, out, err = self._popen(
            ["serve", "--no-migrate", "--port", str(port)], env, "serve"
        )
        return Server(process, f"http://127.0.0.1:{port}", out, err)

    def worker(self, env: dict[str, str]) -> Worker:
        process, out, err = self._popen(["worker"], env, "worker")
        return Worker(process, out, err)

    def stop_all(self) -> None:
        for process in self._all:
            stop(process)


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Processes]:
    started = Processes(tmp_path)
    try:
        yield started
    finally:
        started.stop_all()


def masthead_env(data_dir: Path, **settings: str | float) -> dict[str, str]:
    env = server_env(data_dir)
    env["MASTHEAD_ADMIN_PASSWORD"] = ADMIN_PASSWORD
    env["MASTHEAD_EMBEDDED_WORKER"] = "false"
    env["MASTHEAD_RATE_LIMIT"] = "100000/minute"
    env["MASTHEAD_LOGIN_RATE_LIMIT"] = "1000/minute"
    env["MASTHEAD_WORKER_POLL_SECONDS"] = "0.1"
    env.update({f"MASTHEAD_{k.upper()}": str(v) for k, v in settings.items()})
    return env


def cli(env: dict[str, str], cwd: Path, *args: str) -> str:
    done = subprocess.run(
        [str(MASTHEAD), *args], env=env, cwd=cwd, capture_output=True, timeout=120, check=False
    )
    output = done.stdout.decode(errors="replace")
    assert done.returncode == 0, f"masthead {' '.join(args)}: {output}\n{done.stderr.decode()}"
    return output


def wait_until(
    what: str, probe: Callable[[], T | None], timeout: float, *alive: Worker | Server
) -> T:
    """Poll ``probe`` until it returns something other than None; fail if a process of
    ``alive`` exits or ``timeout`` passes first."""
    deadline = time.monotonic() + timeout
    while True:
        found = probe()
        if found is not None:
            return found
        for process in alive:
            if process.process.poll() is not None:
                pytest.fail(f"a process exited while waiting for {what}\n{process.logs()}")
        if time.monotonic() > deadline:
            logs = "\n".join(p.logs() for p in alive)
            pytest.fail(f"no {what} within {timeout}s\n{logs}")
        time.sleep(POLL)


def bearer(http: httpx.Client) -> dict[str, str]:
    return {"Authorization": f"Bearer {log_in(http, ADMIN_PASSWORD)['accessToken']}"}


def get_job(http: httpx.Client, headers: dict[str, str], job_id: str) -> dict[str, Any]:
    response = http.get(f"/v1/publish/{job_id}", headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json()["job"])


def get_releases(http: httpx.Client, headers: dict[str, str]) -> dict[str, Any]:
    response = http.get("/v1/releases", headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


# --- PostgreSQL and Redis -----------------------------------------------------------------------


def _pg_admin_url() -> str:
    base = os.environ.get("MASTHEAD_TEST_DATABASE_URL", DEFAULT_PG_ADMIN_URL)
    return make_url(base).set(database="postgres").render_as_string(hide_password=False)


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture
def pg_database() -> Iterator[str]:
    """A fresh, empty PostgreSQL database of this test (SQLAlchemy URL), dropped at its end."""
    admin_url = _pg_admin_url()
    try:
        admin = psycopg.connect(_libpq(admin_url), autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        if IN_CI:
            pytest.fail(f"CI=true but PostgreSQL is unreachable at {admin_url}: {exc}")
        pytest.skip(f"PostgreSQL is not reachable: {exc}")
    name = f"masthead_e2e_{uuid.uuid4().hex[:10]}"
    with admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        finally:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.fixture
def redis_url() -> str:
    """A Redis database of its own for this test (rate limits shared by the API processes)."""
    number = 8 + uuid.uuid4().int % 8
    url = f"{REDIS_URL}/{number}"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        if IN_CI:
            pytest.fail(f"CI=true but Redis is unreachable at {url}: {exc}")
        pytest.skip(f"Redis is not reachable: {exc}")
    return url


# --- 1. kill -9 mid-build on the embedded SQLite default ----------------------------------------


def test_a_worker_killed_mid_build_leaves_nothing_visible_and_a_second_worker_takes_over(
    processes: Processes, tmp_path: Path
) -> None:
    data_dir = tmp_path / "var"
    env = masthead_env(data_dir, job_lease_seconds=2, publish_wait_seconds=0)
    cli(env, tmp_path, "migrate")
    cli(env, tmp_path, "demo", "--documents", str(KILL_TEST_POSTS))
    with sqlite3.connect(data_dir / "masthead.db") as db:
        (published,) = db.execute("SELECT count(*) FROM published_documents").fetchone()
        (documents,) = db.execute("SELECT count(*) FROM documents").fetchone()
        (post_hex,) = db.execute(
            "SELECT document_id FROM published_documents WHERE type = 'post' LIMIT 1"
        ).fetchone()
    post_id = str(uuid.UUID(post_hex))
    assert 0 < published < documents  # the demo leaves a tenth of its posts as drafts

    server = processes.serve(env)
    server.wait_for_output(LISTENING_LINE)
    server.wait_healthy()
    with server.client() as http:
        headers = bearer(http)
        queued = http.post("/v1/publish", json={"publishDrafts": False}, headers=headers)
        assert queued.status_code == 202, queued.text
        job_id = queued.json()["job"]["id"]
        assert queued.json()["job"]["status"] == "queued"  # the server runs no jobs itself

        first = processes.worker(env)

        def building() -> dict[str, Any] | None:
            job = get_job(http, headers, job_id)
            assert job["status"] in {"queued", "running"}, f"build too short to kill: {job}"
            return job if job["status"] == "running" and job["progress"]["done"] > 0 else None

        running = wait_until("a running build with progress", building, 30, first)
        assert running["attempts"] == 1
        assert 0 < running["progress"]["done"] < running["progress"]["total"]
        first.process.send_signal(signal.SIGKILL)
        assert first.process.wait(timeout=10) == -signal.SIGKILL

        after_kill = get_job(http, headers, job_id)
        assert after_kill["status"] == "running", after_kill
        assert after_kill["releaseId"] is None
        assert after_kill["attempts"] == 1
        releases = get_releases(http, headers)
        assert releases["items"] == []
        assert releases["activeRelease"] is None
        assert first.built_releases() == set()

        second = processes.worker(env)

        def finished() -> dict[str, Any] | None:
            job = get_job(http, headers, job_id)
            return job if job["status"] in {"completed", "failed"} else None

        done = wait_until("the job to finish", finished, 40, second)
        assert done["status"] == "completed", done
        assert done["attempts"] == 2
        release_id = done["releaseId"]
        assert second.built_releases() == {release_id}

        releases = get_releases(http, headers)
        assert [r["id"] for r in releases["items"]] == [release_id]
        release = releases["items"][0]
        assert releases["activeRelease"] == release_id
        assert release["active"] is True
        assert release["jobId"] == job_id
        assert release["documentCount"] == published

        page = http.get(f"/v1/private/{post_id}", headers=headers)
        assert page.status_code == 200, page.text
        assert page.json()["releaseId"] == release_id
        assert page.json()["documentId"] == post_id
        assert page.json()["route"].startswith("/blog/")
        assert "<html" in page.json()["html"].lower()


# --- 2. two workers racing over 100 jobs on PostgreSQL ------------------------------------------

SPACES = 10
JOBS_PER_SPACE = 10
POSTS_PER_SPACE = 3


def test_two_workers_on_postgresql_run_each_of_100_jobs_exactly_once(
    pg_database: str, processes: Processes, tmp_path: Path
) -> None:
    env = masthead_env(tmp_path / "var", database_url=pg_database)
    cli(env, tmp_path, "migrate")
    database = Database(make_engine(pg_database))
    try:
        actors = []
        for index in range(SPACES):
            with database.read_uow() as uow:
                existing = uow.spaces.find_by_slug("default") if index == 0 else None
            space = existing or accounts.create_space(database.uow(), now, f"space-{index}")
            actor = access.system_actor(space)
            posts = [
                DocumentInput(type="post", title=f"Post {n} of {space.slug}")
                for n in range(POSTS_PER_SPACE)
            ]
            for _ in import_documents(database.uow(), now, actor, posts, publish=True):
                pass
            actors.append(actor)

        workers = [processes.worker(env), processes.worker(env)]
        for worker in workers:
            worker.wait_ready()
        # Ten jobs of a space in a row: both workers often build the same space at once.
        job_ids = {
            request_publish(database.uow(), now, actor).id
            for actor in actors
            for _ in range(JOBS_PER_SPACE)
        }
        assert len(job_ids) == SPACES * JOBS_PER_SPACE

        def jobs() -> list[tuple[Any, ...]]:
            with database.engine.connect() as connection:
                return [
                    tuple(row)
                    for row in connection.exec_driver_sql(
                        "SELECT id, status, attempts, error FROM jobs"
                    )
                ]

        def all_finished() -> list[tuple[Any, ...]] | None:
            rows = jobs()
            return rows if all(r[1] in {"completed", "failed"} for r in rows) else None

        finished = wait_until("all 100 jobs to finish", all_finished, 60, *workers)
        with database.engine.connect() as connection:
            releases = list(
                connection.exec_driver_sql("SELECT id, job_id, space_id, number FROM releases")
            )
    finally:
        database.dispose()

    assert {r[0] for r in finished} == job_ids
    problems = [r for r in finished if r[1] != "completed" or r[2] != 1]
    failures = [f for w in workers for f in w.failed_attempts()]
    assert problems == [], (
        f"{len(problems)} jobs not completed on their first attempt: {problems[:5]}\n"
        f"the workers logged {len(failures)} failed attempts, e.g. {failures[:2]}"
    )
    assert len(releases) == len(job_ids)
    assert sorted(r[1] for r in releases) == sorted(job_ids)  # one release per job, no more
    numbers: dict[Any, list[int]] = {}
    for release in releases:
        numbers.setdefault(release[2], []).append(release[3])
    assert {k: sorted(v) for k, v in numbers.items()} == {
        actor.space_id: list(range(1, JOBS_PER_SPACE + 1)) for actor in actors
    }

    built = [w.built_releases() for w in workers]
    assert all(built), f"a worker ran no job: {[len(b) for b in built]}"
    assert built[0].isdisjoint(built[1])
    assert built[0] | built[1] == {str(r[0]) for r in releases}


# --- 3. two API processes and two workers on PostgreSQL + Redis ---------------------------------


def test_two_api_processes_and_two_workers_agree_on_the_active_release(
    pg_database: str, redis_url: str, processes: Processes, tmp_path: Path
) -> None:
    env = masthead_env(
        tmp_path / "shared",
        database_url=pg_database,
        redis_url=redis_url,
        secret_key=SECRET_KEY,
    )
    cli(env, tmp_path, "migrate")
    # Two cores: four processes importing at once take most of the servers' start timeout, so
    # the workers start once the APIs answer (and get ready while the test logs in).
    apis = [processes.serve(env), processes.serve(env)]
    for api in apis:
        api.wait_healthy()
    workers = [processes.worker(env), processes.worker(env)]

    with apis[0].client() as one, apis[1].client() as two:
        headers = bearer(one)

        def publish() -> str:
            response = one.post("/v1/publish", json={}, headers=headers)
            assert response.status_code in {201, 202}, response.text
            job_id = str(response.json()["job"]["id"])

            def completed() -> dict[str, Any] | None:
                job = get_job(two, headers, job_id)  # API 1's token, checked by API 2
                assert job["status"] != "failed", job
                return job if job["status"] == "completed" else None

            job = wait_until(f"job {job_id} to complete", completed, 30, *workers, *apis)
            assert job["attempts"] == 1
            return str(job["releaseId"])

        created = one.post(
            "/v1/documents",
            json={"title": "First story", "content": "<p>Alpha</p>"},
            headers=headers,
        )
        assert created.status_code == 201, created.text
        first_doc = created.json()["document"]["id"]
        for worker in workers:
            worker.wait_ready()
        first_release = publish()
        created = one.post(
            "/v1/documents",
            json={"title": "Second story", "content": "<p>Beta</p>"},
            headers=headers,
        )
        assert created.status_code == 201, created.text
        second_release = publish()
        assert second_release != first_release

        before = get_releases(two, headers)
        assert before["activeRelease"] == first_release  # only the first activates itself
        activated = two.post(f"/v1/releases/{second_release}/activate", headers=headers)
        assert activated.status_code == 200, activated.text
        assert activated.json()["activeRelease"] == second_release

        for http in (one, two):
            releases = get_releases(http, headers)
            assert releases["activeRelease"] == second_release
            assert [r["id"] for r in releases["items"]] == [second_release, first_release]
            assert [r["documentCount"] for r in releases["items"]] == [2, 1]
            page = http.get(f"/v1/private/{first_doc}", headers=headers)
            assert page.status_code == 200, page.text
            assert page.json()["releaseId"] == second_release
            assert "Alpha" in page.json()["html"]
        built = set().union(*(w.built_releases() for w in workers))
        assert built == {first_release, second_release}
