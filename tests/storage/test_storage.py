"""What lands in the database: secrets only as hashes, passwords as argon2; SQLite's settings.

The checks read the tables directly with SQLAlchemy (listed from the migrated database, so every
column of every table is searched, including ones added later).
"""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from masthead.core import security
from masthead.core.models import Role
from masthead.core.services import auth
from masthead.core.services.auth import AuthPolicy
from masthead.ratelimit import LimitsRateLimiter
from masthead.storage.uow import Database
from tests.conftest import TEST_SECRET, FakeClock
from tests.factories import FAST_PASSWORDS, PASSWORD, make_api_token, make_space, make_user


def _all_cells(db: Database) -> list[tuple[str, str, str]]:
    """(table, column, value as text) for every non-null cell of every table."""
    # Tables and columns only: full reflection would also parse indexes, which warns on
    # PostgreSQL's expression indexes.
    inspector = sa.inspect(db.engine)
    tables = [
        sa.table(name, *(sa.column(c["name"]) for c in inspector.get_columns(name)))
        for name in inspector.get_table_names()
    ]
    assert {"users", "api_tokens", "refresh_tokens"} <= {t.name for t in tables}
    cells: list[tuple[str, str, str]] = []
    with db.engine.connect() as connection:
        for table in tables:
            for row in connection.execute(sa.select(table)).mappings():
                cells.extend(
                    (table.name, column, str(value))
                    for column, value in row.items()
                    if value is not None
                )
    return cells


def _where_stored(db: Database, needle: str) -> list[tuple[str, str]]:
    return [(table, column) for table, column, text in _all_cells(db) if needle in text]


def _column(db: Database, table: str, column: str) -> list[object]:
    with db.engine.connect() as connection:
        return list(
            connection.execute(sa.select(sa.column(column)).select_from(sa.table(table))).scalars()
        )


@pytest.fixture
def policy(clock: FakeClock) -> AuthPolicy:
    return AuthPolicy(
        signer=security.TokenSigner(TEST_SECRET, timedelta(minutes=15)),
        clock=clock,
        limiter=LimitsRateLimiter(),
        refresh_ttl=timedelta(days=30),
        login_limit="1000/minute",
        passwords=FAST_PASSWORDS,
    )


def test_refresh_tokens_are_stored_only_as_hashes(
    db: Database, clock: FakeClock, policy: AuthPolicy
) -> None:
    make_space(db, clock)
    make_user(db, clock, "alice", Role.EDITOR)
    first = auth.login(db.uow(), policy, "alice", PASSWORD, "test-client").tokens
    second = auth.refresh(db.uow(), policy, first.refresh_token)

    stored = set(_column(db, "refresh_tokens", "token_hash"))
    assert stored == {
        security.hash_secret(first.refresh_token),
        security.hash_secret(second.refresh_token),
    }
    for secret in (first.refresh_token, second.refresh_token):
        assert _where_stored(db, secret) == []
    # Access tokens are not stored at all.
    for token in (first.access_token, second.access_token):
        assert _where_stored(db, token) == []
        assert _where_stored(db, token.rsplit(".", 1)[1]) == []


def test_api_tokens_are_stored_only_as_hashes(db: Database, clock: FakeClock) -> None:
    make_space(db, clock)
    secret = make_api_token(db, clock, "default", Role.EDITOR)

    assert _column(db, "api_tokens", "secret_hash") == [security.hash_secret(secret)]
    assert _where_stored(db, secret) == []
    # Only a short prefix is kept, to tell tokens apart in a list.
    (prefix,) = _column(db, "api_tokens", "prefix")
    assert isinstance(prefix, str)
    assert secret.startswith(prefix)
    assert len(prefix) <= 10
    assert _where_stored(db, secret[len(prefix) :][:8]) == []


def test_passwords_are_stored_as_argon2_hashes(db: Database, clock: FakeClock) -> None:
    make_space(db, clock)
    make_user(db, clock, "alice", Role.EDITOR, passwords=security.DEFAULT_PASSWORDS)

    (stored,) = _column(db, "users", "password_hash")
    assert isinstance(stored, str)
    assert stored.startswith("$argon2id$")
    assert security.DEFAULT_PASSWORDS.verify(stored, PASSWORD)
    assert _where_stored(db, PASSWORD) == []


def test_foreign_keys_are_enforced(db: Database, clock: FakeClock) -> None:
    space = make_space(db, clock)
    with db.uow() as uow, pytest.raises(IntegrityError):
        uow.users.add_membership(uuid4(), space.id, Role.EDITOR, clock())  # no such user
    with db.read_uow() as uow:
        assert uow.users.count() == 0


def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_busy_timeout(db: Database) -> None:
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite connection settings")
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        busy_timeout = connection.exec_driver_sql("PRAGMA busy_timeout").scalar()
        assert isinstance(busy_timeout, int)
        assert busy_timeout > 0
    # The read-only unit of work's connections get the same settings.
    with db.read_uow() as uow:
        assert uow.session.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1
        assert uow.session.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
