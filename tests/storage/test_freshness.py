"""The generation watch (storage/freshness.py): what a process knows of the generations its
caches are checked against. Its own commits are seen at once, through any Database object of
the same database; another process's within the interval; never older ones; on both
databases."""

from __future__ import annotations

import subprocess
import sys
import time
from uuid import uuid4

import pytest
import redis
from sqlalchemy import update

from masthead.core.services import accounts
from masthead.settings import Settings
from masthead.storage.database import make_engine
from masthead.storage.freshness import GenerationWatch
from masthead.storage.tables import CacheGenerationRow, PublishGenerationRow
from masthead.storage.uow import Database
from tests.conftest import FakeClock
from tests.factories import make_space


class Ticks:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _raise_auth_without_telling(settings: Settings) -> None:
    """Raise the auth generation as another process would: a commit this process's watches
    are not told of (straight SQL on an engine of its own)."""
    engine = make_engine(settings.effective_database_url)
    try:
        with engine.begin() as connection:
            connection.execute(
                update(CacheGenerationRow)
                .where(CacheGenerationRow.name == "auth")
                .values(generation=CacheGenerationRow.generation + 1)
            )
    finally:
        engine.dispose()


@pytest.fixture
def ticks() -> Ticks:
    return Ticks()


@pytest.fixture
def auth_row(db: Database, clock: FakeClock) -> None:
    """The ``auth`` generation's row exists (raised once), so another process can raise it."""
    space = make_space(db, clock, "fresh")
    accounts.set_public_read(db.uow(), space.slug, True)


def test_a_commit_of_this_process_is_seen_at_once_by_every_watch(
    db: Database, settings: Settings, clock: FakeClock, ticks: Ticks
) -> None:
    space = make_space(db, clock, "fresh")
    other = Database(make_engine(settings.effective_database_url), 60.0)
    watch = GenerationWatch(db.engine, 60.0, ticks)
    before = watch.auth_generation()
    # Through another Database object (as the CLI or a test would), with a long interval.
    accounts.set_public_read(other.uow(), space.slug, True)
    assert watch.auth_generation() == before + 1
    assert other.freshness.auth_generation() == before + 1
    other.dispose()


def test_another_process_is_seen_once_the_interval_has_passed(
    db: Database, settings: Settings, ticks: Ticks, auth_row: None
) -> None:
    watch = GenerationWatch(db.engine, 0.5, ticks)
    before = watch.auth_generation()
    _raise_auth_without_telling(settings)
    ticks.now += 0.4
    assert watch.auth_generation() == before  # within the interval: what it read last
    ticks.now += 0.1
    assert watch.auth_generation() == before + 1


def test_a_zero_interval_reads_on_every_call(
    db: Database, settings: Settings, ticks: Ticks, auth_row: None
) -> None:
    watch = GenerationWatch(db.engine, 0.0, ticks)
    before = watch.auth_generation()
    _raise_auth_without_telling(settings)
    assert watch.auth_generation() == before + 1


def test_changed_makes_the_next_call_read(
    db: Database, settings: Settings, ticks: Ticks, auth_row: None
) -> None:
    watch = GenerationWatch(db.engine, 60.0, ticks)
    before = watch.auth_generation()
    _raise_auth_without_telling(settings)
    assert watch.auth_generation() == before
    watch.changed()  # what a caller does on learning of another process's write (a job done)
    assert watch.auth_generation() == before + 1


def test_a_rolled_back_change_raises_nothing(db: Database, clock: FakeClock, ticks: Ticks) -> None:
    space = make_space(db, clock, "fresh")
    watch = GenerationWatch(db.engine, 60.0, ticks)
    before = watch.auth_generation()
    with db.uow() as uow:
        uow.spaces.update(space.model_copy(update={"is_public_read": True}))
        # left without commit: rolled back
    assert watch.auth_generation() == before
    with db.read_uow() as uow:
        assert not uow.spaces.get(space.id).is_public_read


def test_publish_generations_are_per_space_and_zero_before_any(db: Database, ticks: Ticks) -> None:
    watch = GenerationWatch(db.engine, 60.0, ticks)
    assert watch.publish_generation(uuid4()) == 0


def test_another_processs_publish_is_seen_once_the_interval_has_passed(
    db: Database, settings: Settings, clock: FakeClock, ticks: Ticks
) -> None:
    space = make_space(db, clock, "fresh")
    with db.uow() as uow:
        uow.generations.bump([space.id])
        uow.commit()
    watch = GenerationWatch(db.engine, 0.5, ticks)
    before = watch.publish_generation(space.id)
    assert before >= 1
    engine = make_engine(settings.effective_database_url)
    try:
        with engine.begin() as connection:
            connection.execute(
                update(PublishGenerationRow)
                .where(PublishGenerationRow.space_id == space.id)
                .values(generation=PublishGenerationRow.generation + 1)
            )
    finally:
        engine.dispose()
    assert watch.publish_generation(space.id) == before
    ticks.now += 0.5
    assert watch.publish_generation(space.id) == before + 1


REDIS_URL = "redis://127.0.0.1:6379/14"


def test_with_redis_another_processs_change_is_seen_long_before_the_interval(
    settings: Settings, clock: FakeClock, db: Database
) -> None:
    """A change committed by another process that announces it on Redis is seen by the next
    read here, though this process would not poll for a minute."""
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    space = make_space(db, clock, "announced")
    accounts.set_public_read(db.uow(), space.slug, True)
    here = Database(make_engine(settings.effective_database_url), 60.0, redis_url=REDIS_URL)
    here.freshness.auth_generation()
    time.sleep(0.3)  # the listener subscribes (and marks the watch, as after any reconnect)
    before = here.freshness.auth_generation()
    code = (
        "import sys\n"
        "from masthead.core.services import accounts\n"
        "from masthead.storage.database import make_engine\n"
        "from masthead.storage.uow import Database\n"
        "db = Database(make_engine(sys.argv[1]), redis_url=sys.argv[2])\n"
        "accounts.set_public_read(db.uow(), sys.argv[3], False)\n"
    )
    subprocess.run(
        [sys.executable, "-c", code, settings.effective_database_url, REDIS_URL, space.slug],
        check=True,
    )
    deadline = time.monotonic() + 5
    while here.freshness.auth_generation() == before:
        assert time.monotonic() < deadline, "the announcement never arrived"
        time.sleep(0.02)
    assert here.freshness.auth_generation() == before + 1
    here.dispose()
