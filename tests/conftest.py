"""Fixtures: settings, a migrated database (SQLite and PostgreSQL), the app and an HTTP client.

Every test that takes ``database_url`` (directly or through ``app``/``client``/``db``) runs
twice: on SQLite and on PostgreSQL. Without a PostgreSQL server the ``pg`` cases skip, except
under CI=true, where they fail: CI must prove both databases.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import psycopg
import pytest
from fastapi import FastAPI
from psycopg import sql
from sqlalchemy.engine import make_url

from masthead.api.app import build_services, create_app
from masthead.ratelimit import LimitsRateLimiter
from masthead.settings import Settings
from masthead.storage import migrate
from masthead.storage.database import make_engine
from masthead.storage.tables import Base
from masthead.storage.uow import Database
from tests.factories import FAST_PASSWORDS

pytest_plugins = ["tests.media_fixtures"]

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


class FakeClock:
    """A clock tests can move: services read time only through it."""

    def __init__(self) -> None:
        self.now = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


# --- PostgreSQL: one migrated database per test session (per xdist worker) -------------------


def _pg_base_url() -> str:
    return os.environ.get("MASTHEAD_TEST_DATABASE_URL", DEFAULT_PG_URL)


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def pytest_report_header(config: pytest.Config) -> list[str]:
    """Name the two databases every DB test runs on, with their versions."""
    return [f"databases: SQLite {sqlite3.sqlite_version}, PostgreSQL {_pg_server_version()}"]


def _pg_server_version() -> str:
    base = _pg_base_url()
    shown = make_url(base).render_as_string(hide_password=True)
    try:
        with psycopg.connect(_libpq(base), connect_timeout=3) as connection:
            row = connection.execute("SHOW server_version").fetchone()
    except psycopg.Error:
        outcome = "the pg cases will fail (CI=true)" if IN_CI else "the pg cases will skip"
        return f"unreachable at {shown}: {outcome}"
    return f"{row[0] if row else '?'} at {shown}"


@pytest.fixture(scope="session")
def pg_server_url(worker_id: str) -> Iterator[str | None]:
    base = _pg_base_url()
    try:
        admin = psycopg.connect(_libpq(base), autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        if IN_CI:
            pytest.fail(f"CI=true but PostgreSQL is unreachable at {base}: {exc}")
        yield None
        return
    name = f"masthead_test_{worker_id}_{uuid.uuid4().hex[:8]}"
    with admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        url = make_url(base).set(database=name).render_as_string(hide_password=False)
        migrate.upgrade(url)
        yield url
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@pytest.fixture(scope="session")
def worker_id(request: pytest.FixtureRequest) -> str:
    return str(getattr(request.config, "workerinput", {}).get("workerid", "main"))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "masthead.db"
    migrate.upgrade(f"sqlite:///{path}")
    return path


def _empty_all(url: str) -> None:
    """Empty every table, children first. A test writes a handful of rows: DELETE takes about
    20 ms where TRUNCATE of every table takes about half a second."""
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            for table in reversed(Base.metadata.sorted_tables):
                connection.execute(table.delete())
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "masthead.db"
        shutil.copyfile(sqlite_template, path)
        return f"sqlite:///{path}"
    url: str | None = request.getfixturevalue("pg_server_url")
    if url is None:
        pytest.skip("PostgreSQL is not reachable (set MASTHEAD_TEST_DATABASE_URL)")
    _empty_all(url)
    return url


# --- the app ----------------------------------------------------------------------------------


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    """Override in a test module to change settings for its tests."""
    return {}


@pytest.fixture
def settings(database_url: str, tmp_path: Path, settings_overrides: dict[str, object]) -> Settings:
    values: dict[str, object] = {
        "database_url": database_url,
        "data_dir": tmp_path / "data",
        "secret_key": TEST_SECRET,
        "rate_limit": "100000/minute",
        "login_rate_limit": "1000/minute",
        "redis_url": None,
    }
    values.update(settings_overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    database = Database(make_engine(settings.effective_database_url), settings.freshness_seconds)
    yield database
    database.dispose()


# Building the app (every dialect's routes) takes most of a second: a test gets the app built
# for its settings overrides by an earlier test of this process, with its own services (its
# database, clock, media directory and signing key) and an emptied rate limiter. A test that
# changes the app itself (adds a route or an error format) asks for a fresh one with
# ``@pytest.mark.fresh_app``.
_APPS: dict[str, tuple[FastAPI, LimitsRateLimiter]] = {}


@pytest.fixture
def app(
    request: pytest.FixtureRequest,
    settings: Settings,
    settings_overrides: dict[str, object],
    clock: FakeClock,
    db: Database,
) -> Iterator[FastAPI]:
    key = repr(sorted(settings_overrides.items()))
    cached = None if request.node.get_closest_marker("fresh_app") else _APPS.get(key)
    if cached is None:
        limiter = LimitsRateLimiter()
        built = create_app(
            settings, clock=clock, limiter=limiter, database=db, passwords=FAST_PASSWORDS
        )
        if not request.node.get_closest_marker("fresh_app"):
            _APPS[key] = (built, limiter)
    else:
        built, limiter = cached
        limiter.reset()
        built.state.services = build_services(
            settings, clock=clock, limiter=limiter, database=db, passwords=FAST_PASSWORDS
        )
    worker = built.state.services.worker
    yield built
    # A job the test started may still be running in the embedded worker's thread: let it
    # end before the database goes, or it would open connections nobody closes.
    if worker is not None:
        worker.stop()


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http
