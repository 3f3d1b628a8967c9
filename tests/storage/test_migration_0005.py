"""Migration 0005 (the access-token deny-list, the access token of each refresh token, folded
full-text search) rolls back and forward on both databases, and folds the text SQLite had
already indexed."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from masthead.storage import migrate
from masthead.storage.database import make_engine
from tests.conftest import _libpq, _pg_base_url
from tests.storage.test_migrations import _schema_differences


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of its own (the shared test databases stay migrated)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    if request.getfixturevalue("pg_server_url") is None:
        pytest.skip("PostgreSQL is not reachable (set MASTHEAD_TEST_DATABASE_URL)")
    name = f"masthead_0005_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(_libpq(_pg_base_url()), autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            yield make_url(_pg_base_url()).set(database=name).render_as_string(hide_password=False)
        finally:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def _tables_and_columns(url: str) -> tuple[set[str], set[str]]:
    engine = make_engine(url)
    try:
        inspector = inspect(engine)
        tables = set(inspector.get_table_names())
        columns = {c["name"] for c in inspector.get_columns("refresh_tokens")}
    finally:
        engine.dispose()
    return tables, columns


def test_0005_rolls_back_and_forward(fresh_url: str) -> None:
    migrate.upgrade(fresh_url)
    migrate.downgrade(fresh_url, "0004")
    tables, columns = _tables_and_columns(fresh_url)
    assert "revoked_access_tokens" not in tables
    assert not {"access_jti", "access_expires_at"} & columns

    migrate.upgrade(fresh_url)

    tables, columns = _tables_and_columns(fresh_url)
    assert "revoked_access_tokens" in tables
    assert {"access_jti", "access_expires_at"} <= columns
    assert _schema_differences(fresh_url) == []


def test_0005_folds_the_text_sqlite_had_indexed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fts.db'}"
    migrate.upgrade(url, "0004")
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO documents_fts (document_id, space_id, body) VALUES ('d', 's', :b)"
                ),
                {"b": "ﬁnance Café ÉCOLE"},
            )
        migrate.upgrade(url, "0005")
        with engine.connect() as connection:
            body = connection.execute(text("SELECT body FROM documents_fts")).scalar_one()
    finally:
        engine.dispose()
    assert body == "finance cafe ecole"
