"""SQLite's full-text rows sit at a rowid derived from the document id (storage/search.py), so
a write finds its row by rowid instead of scanning the FTS5 table: the cost of a write must not
grow with the number of documents (issue 19). Clashing keys share the probe window without
losing or mixing up a row; migration 0008 moves rows indexed before it to their keys."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from masthead.core import access
from masthead.core.models import Actor, Principal, Role, TokenKind
from masthead.core.services import documents
from masthead.core.services.documents import DocumentInput
from masthead.storage import migrate, queries, search
from masthead.storage.database import make_engine
from masthead.storage.uow import Database
from tests.conftest import FakeClock
from tests.factories import make_space, make_user

SPACE = uuid.uuid4()


def _rows(session: Session) -> dict[str, tuple[int, str]]:
    found = session.execute(text("SELECT document_id, rowid, body FROM documents_fts")).all()
    return {d: (rowid, body) for d, rowid, body in found}


def _matching(session: Session, words: str) -> set[str]:
    query = search.fts_query(words)
    found = session.scalars(
        text("SELECT document_id FROM documents_fts WHERE documents_fts MATCH :q"), {"q": query}
    )
    return set(found)


@pytest.fixture
def admin(db: Database, clock: FakeClock) -> Actor:
    space = make_space(db, clock)
    user = make_user(db, clock, "ada", Role.ADMIN)
    return access.actor_for(Principal(kind=TokenKind.ACCESS, user=user), space)


@pytest.fixture
def session(db: Database) -> Session:
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL searches a GIN index on the documents table itself")
    with Session(db.engine) as session:
        session.execute(text("DELETE FROM documents_fts"))
        return session


def test_a_row_lives_at_its_key_and_is_replaced_in_place(session: Session) -> None:
    doc = uuid.uuid4()
    search.index(session, queries.DOCUMENTS, doc, SPACE, "First words")
    search.index(session, queries.DOCUMENTS, doc, SPACE, "Second words")
    assert _rows(session) == {doc.hex: (search.fts_key(doc), "second words")}
    search.unindex(session, queries.DOCUMENTS, doc)
    assert _rows(session) == {}


def test_clashing_keys_keep_every_row_apart(session: Session) -> None:
    first = uuid.uuid4()
    # Same top 62 bits (the key), different tail: the rare clash, forced.
    second = uuid.UUID(int=first.int ^ 1)
    third = uuid.UUID(int=first.int ^ 2)
    key = search.fts_key(first)
    assert search.fts_key(second) == search.fts_key(third) == key

    search.index(session, queries.DOCUMENTS, first, SPACE, "alpha")
    search.index(session, queries.DOCUMENTS, second, SPACE, "beta")
    search.index(session, queries.DOCUMENTS, third, SPACE, "gamma")
    assert {d: r for d, (r, _) in _rows(session).items()} == {
        first.hex: key,
        second.hex: key + 1,
        third.hex: key + 2,
    }

    search.index(session, queries.DOCUMENTS, second, SPACE, "beta again")
    search.unindex(session, queries.DOCUMENTS, first)
    rows = _rows(session)
    assert set(rows) == {second.hex, third.hex}
    assert rows[second.hex][1] == "beta again"
    assert rows[third.hex][1] == "gamma"
    assert _matching(session, "beta") == {second.hex}
    assert _matching(session, "gamma") == {third.hex}
    # The freed key is taken again by the next clash.
    search.index(session, queries.DOCUMENTS, first, SPACE, "alpha back")
    assert _rows(session)[first.hex][0] in {key, key + 1, key + 2, key + 3}
    assert len(_rows(session)) == 3


def test_bulk_indexing_uses_the_same_keys(session: Session) -> None:
    first = uuid.uuid4()
    clash = uuid.UUID(int=first.int ^ 1)
    search.index_many(session, queries.DOCUMENTS, [(first, SPACE, "one"), (clash, SPACE, "two")])
    key = search.fts_key(first)
    assert {d: r for d, (r, _) in _rows(session).items()} == {first.hex: key, clash.hex: key + 1}


def test_document_writes_keep_one_row_per_document(
    db: Database, clock: FakeClock, admin: Actor
) -> None:
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's FTS5 tables")
    created = documents.create_document(
        db.uow(), clock, admin, DocumentInput(type="post", title="Tidal power")
    )
    doc = created.document.id
    for title in ("Wave power", "Solar power"):
        documents.update_document(db.uow(), clock, admin, doc, DocumentInput(title=title))
    with Session(db.engine) as session:
        rows = session.execute(
            text("SELECT rowid, body FROM documents_fts WHERE document_id = :d"), {"d": doc.hex}
        ).all()
    assert len(rows) == 1
    assert rows[0][0] == search.fts_key(doc)
    assert "solar" in rows[0][1]


def test_migration_0008_moves_earlier_rows_to_their_keys(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fts.db'}"
    migrate.upgrade(url, "0007")
    docs = [uuid.uuid4() for _ in range(3)]
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            for i, doc in enumerate(docs):  # as earlier code wrote them: rowids 1, 2, 3
                for table in ("documents_fts", "published_documents_fts"):
                    connection.execute(
                        text(
                            f"INSERT INTO {table} (document_id, space_id, body) "  # noqa: S608
                            "VALUES (:d, :s, :b)"
                        ),
                        {"d": doc.hex, "s": SPACE.hex, "b": f"word{i}"},
                    )
        migrate.upgrade(url)
        with engine.connect() as connection:
            for table in ("documents_fts", "published_documents_fts"):
                rows = connection.execute(
                    text(f"SELECT document_id, rowid, body FROM {table}")  # noqa: S608
                ).all()
                assert {(d, r, b) for d, r, b in rows} == {
                    (doc.hex, search.fts_key(doc), f"word{i}") for i, doc in enumerate(docs)
                }
    finally:
        engine.dispose()
