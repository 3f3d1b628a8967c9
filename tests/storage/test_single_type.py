"""The database holds a single type to one document (``documents.single_type`` and its unique
index, migration 0004), whatever the services check first (issue 13, defect 2)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from uuid import UUID, uuid4

import psycopg
import pytest
import sqlalchemy as sa
from psycopg import sql
from sqlalchemy.engine import make_url

from masthead.core.content_types import ContentType, TypeKind, WorkflowMode
from masthead.core.documents import Document
from masthead.core.errors import SingleTypeTaken
from masthead.core.workflow import Status
from masthead.storage import migrate
from masthead.storage.database import make_engine
from masthead.storage.tables import ContentTypeRow, DocumentRow, SpaceRow
from masthead.storage.uow import Database
from tests.conftest import IN_CI, FakeClock, _libpq, _pg_base_url
from tests.factories import make_space


def _type(space_id: UUID, name: str, kind: TypeKind, at: datetime) -> ContentType:
    return ContentType(
        id=uuid4(),
        space_id=space_id,
        name=name,
        title=name.title(),
        kind=kind,
        fields=(),
        route_pattern=None,
        template=None,
        workflow=WorkflowMode.NONE,
        is_builtin=False,
        created_at=at,
        updated_at=at,
    )


def _document(space_id: UUID, type_name: str, slug: str, at: datetime) -> Document:
    return Document(
        id=uuid4(),
        space_id=space_id,
        type=type_name,
        title=slug,
        slug=slug,
        data={},
        status=Status.DRAFT,
        version=1,
        revision=1,
        author_id=None,
        created_at=at,
        updated_at=at,
        published_at=None,
        published_revision=None,
    )


def test_storage_refuses_a_second_document_of_a_single_type(db: Database, clock: FakeClock) -> None:
    space = make_space(db, clock)
    now = clock()
    with db.uow() as uow:
        uow.content_types.add(_type(space.id, "settings", TypeKind.SINGLE, now))
        uow.content_types.add(_type(space.id, "note", TypeKind.COLLECTION, now))
        uow.documents.add(_document(space.id, "settings", "one", now), "")
        with pytest.raises(SingleTypeTaken):
            uow.documents.add(_document(space.id, "settings", "two", now), "")
        with pytest.raises(SingleTypeTaken):
            uow.documents.add_many([(_document(space.id, "settings", "three", now), "")])
        uow.documents.add(_document(space.id, "note", "a", now), "")
        uow.documents.add(_document(space.id, "note", "b", now), "")
        uow.commit()  # the refused inserts left the transaction usable
    with db.read_uow() as uow:
        assert uow.documents.count(space.id, "settings") == 1
        assert uow.documents.count(space.id, "note") == 2


def _single_type_of(db: Database, document: Document) -> str | None:
    with db.engine.connect() as connection:
        return connection.scalar(
            sa.select(DocumentRow.single_type).where(DocumentRow.id == document.id)
        )


def test_a_document_moved_between_types_takes_the_new_types_single_type(
    db: Database, clock: FakeClock
) -> None:
    space = make_space(db, clock)
    now = clock()
    note = _document(space.id, "note", "n", now)
    with db.uow() as uow:
        uow.content_types.add(_type(space.id, "settings", TypeKind.SINGLE, now))
        uow.content_types.add(_type(space.id, "note", TypeKind.COLLECTION, now))
        uow.documents.add(note, "")
        uow.commit()
    assert _single_type_of(db, note) is None

    moved = note.model_copy(update={"type": "settings", "version": 2})
    with db.uow() as uow:
        assert uow.documents.save(moved, 1, "")
        uow.commit()
    assert _single_type_of(db, moved) == "settings"
    with db.uow() as uow, pytest.raises(SingleTypeTaken):
        uow.documents.add(_document(space.id, "settings", "other", now), "")

    back = moved.model_copy(update={"type": "note", "version": 3})
    with db.uow() as uow:
        assert uow.documents.save(back, 2, "")
        uow.commit()
    assert _single_type_of(db, back) is None


# --- the migration ----------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database no migration has touched yet."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    base = _pg_base_url()
    try:
        admin = psycopg.connect(_libpq(base), autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        if IN_CI:
            pytest.fail(f"CI=true but PostgreSQL is unreachable at {base}: {exc}")
        pytest.skip("PostgreSQL is not reachable (set MASTHEAD_TEST_DATABASE_URL)")
    name = f"masthead_mig_{uuid.uuid4().hex[:12]}"
    with admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            yield make_url(base).set(database=name).render_as_string(hide_password=False)
        finally:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def test_the_migration_gives_each_single_type_its_oldest_document(
    empty_database_url: str, clock: FakeClock
) -> None:
    """Databases written before 0004 may hold several documents of one single type: the
    oldest (the one the singleton routes answered with) becomes the type's document."""
    url = empty_database_url
    migrate.upgrade(url, "0003")
    now = clock()
    space_id = uuid4()
    older = _document(space_id, "settings", "older", now)
    newer = _document(space_id, "settings", "newer", now + timedelta(seconds=1))
    post = _document(space_id, "post", "a-post", now)
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(
                sa.insert(SpaceRow.__table__).values(
                    id=space_id, slug="s", name="S", is_public_read=False, created_at=now
                )
            )
            for name, kind in (("settings", "single"), ("post", "collection")):
                connection.execute(
                    sa.insert(ContentTypeRow.__table__).values(
                        id=uuid4(),
                        space_id=space_id,
                        name=name,
                        title=name,
                        kind=kind,
                        fields=[],
                        workflow="none",
                        is_builtin=False,
                        created_at=now,
                        updated_at=now,
                    )
                )
            for document in (newer, older, post):
                connection.execute(
                    sa.insert(DocumentRow.__table__).values(
                        id=document.id,
                        space_id=space_id,
                        type=document.type,
                        slug=document.slug,
                        title=document.title,
                        status="draft",
                        version=1,
                        revision=1,
                        created_at=document.created_at,
                        updated_at=document.updated_at,
                        data={},
                    )
                )
        migrate.upgrade(url, "0004")
        with engine.connect() as connection:
            singles = dict(
                connection.execute(sa.select(DocumentRow.id, DocumentRow.single_type)).all()
            )
        assert singles == {older.id: "settings", newer.id: None, post.id: None}

        migrate.downgrade(url, "0003")
        with engine.connect() as connection:
            columns = {c["name"] for c in sa.inspect(connection).get_columns("documents")}
        assert "single_type" not in columns
        migrate.upgrade(url, "0004")
    finally:
        engine.dispose()
