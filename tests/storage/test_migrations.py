"""The migrations build exactly the schema ``tables.py`` describes, on both databases, and the
latest one can be rolled back and applied again."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from masthead.storage import migrate
from masthead.storage.database import make_engine
from masthead.storage.tables import Base

# Built on purpose outside tables.py: full-text search by the migrations (FTS5 tables on
# SQLite, GIN expression indexes on PostgreSQL), and one expression index per field of the
# content types at run time (``ix_doc_f_*``, ``ix_pub_f_*``; the PostgreSQL test database is
# shared by a worker's tests, so earlier tests' types leave theirs behind).
MIGRATION_ONLY_INDEXES = {"ix_documents_search", "ix_published_documents_search"}
FIELD_INDEX_PREFIXES = ("ix_doc_f_", "ix_pub_f_")


def _is_migration_only(diff: Any) -> bool:
    kind, obj = diff[0], diff[1]
    if kind == "remove_table":
        return "_fts" in obj.name
    if kind == "remove_index":
        return obj.name in MIGRATION_ONLY_INDEXES or obj.name.startswith(FIELD_INDEX_PREFIXES)
    return False


def _schema_differences(url: str) -> list[Any]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            diffs = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    return [d for d in diffs if not (isinstance(d, tuple) and _is_migration_only(d))]


def test_migrated_schema_matches_the_table_definitions(database_url: str) -> None:
    assert _schema_differences(database_url) == []


def test_the_media_migration_rolls_back_and_forward(tmp_path: Any) -> None:
    url = f"sqlite:///{tmp_path / 'roundtrip.db'}"
    migrate.upgrade(url)
    migrate.upgrade(url)  # a second upgrade is a no-op

    migrate.downgrade(url, "0002")
    engine = make_engine(url)
    try:
        assert "media_assets" not in inspect(engine).get_table_names()
    finally:
        engine.dispose()
    migrate.upgrade(url)
    assert _schema_differences(url) == []


def test_the_menus_and_forms_migration_rolls_back_and_forward(tmp_path: Any) -> None:
    url = f"sqlite:///{tmp_path / 'roundtrip.db'}"
    migrate.upgrade(url)
    migrate.downgrade(url, "0009")
    engine = make_engine(url)
    try:
        tables = set(inspect(engine).get_table_names())
        assert not tables & {"menus", "forms", "form_submissions"}
    finally:
        engine.dispose()
    migrate.upgrade(url)
    assert _schema_differences(url) == []
