"""SQLite writers of one process queue on one lock per database file (storage/uow.py), so the
next one starts the moment the last one ends instead of sleeping in SQLite's busy handler."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import pytest

from masthead.core.services import accounts
from masthead.settings import Settings
from masthead.storage.database import make_engine
from masthead.storage.uow import Database
from tests.conftest import FakeClock
from tests.factories import make_space


@pytest.fixture
def database_url(tmp_path: Path, sqlite_template: Path) -> str:
    """SQLite only: PostgreSQL lets writers of different rows write at once."""
    path = tmp_path / "masthead.db"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def sqlite_db(db: Database) -> Database:
    return db


def _holding_a_write(db: Database, entered: threading.Event, leave: threading.Event) -> None:
    with db.uow():
        entered.set()
        leave.wait(5)


def test_a_second_writer_waits_for_the_first_and_then_proceeds(
    sqlite_db: Database, settings: Settings, clock: FakeClock
) -> None:
    space = make_space(sqlite_db, clock, "locked")
    entered, leave = threading.Event(), threading.Event()
    holder = threading.Thread(target=_holding_a_write, args=(sqlite_db, entered, leave))
    holder.start()
    assert entered.wait(5)
    # Another Database object of the same file (the CLI's, a test's) shares the queue.
    other = Database(make_engine(settings.effective_database_url))
    finished: list[float] = []

    def write() -> None:
        accounts.set_public_read(other.uow(), space.slug, True)
        finished.append(time.monotonic())

    writer = threading.Thread(target=write)
    writer.start()
    time.sleep(1.0)  # long enough for SQLite's busy handler to sleep 100 ms at a time
    assert finished == []  # still waiting for the first
    released = time.monotonic()
    leave.set()
    holder.join(5)
    writer.join(5)
    assert len(finished) == 1
    assert finished[0] - released < 0.05  # woken at once, not after a busy-handler sleep
    other.dispose()


def test_a_write_that_fails_lets_the_next_one_in(sqlite_db: Database, clock: FakeClock) -> None:
    make_space(sqlite_db, clock, "first")
    with pytest.raises(RuntimeError), sqlite_db.uow():
        raise RuntimeError("the write failed")
    done = threading.Event()

    def write() -> None:
        make_space(sqlite_db, clock, "second")
        done.set()

    threading.Thread(target=write).start()
    assert done.wait(2)


def test_a_write_inside_a_write_of_the_same_thread_does_not_wait_for_itself(
    sqlite_db: Database, clock: FakeClock
) -> None:
    with sqlite_db.uow():
        # Not started yet (no statement ran): the inner unit of work writes and commits.
        space = make_space(sqlite_db, clock, "inner")
    assert space.slug == "inner"
