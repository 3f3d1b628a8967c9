"""Full-text search behind one interface: SQLite FTS5 tables, PostgreSQL tsvector + GIN.

``index`` keeps a document's searchable text current; ``matches`` is the WHERE clause that
restricts a query to documents matching the user's words. User text only ever travels as a
bound parameter; FTS5 query syntax is neutralised by quoting each word.

Both databases fold case and accents alike (``folding.py``): "cafe" finds "Café" and
"ÉCOLE" finds "école". The indexed text and the user's words are folded the same way.
"""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from sqlalchemy import (
    Column,
    ColumnElement,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    bindparam,
    delete,
    false,
    func,
    insert,
    literal_column,
    select,
)
from sqlalchemy.orm import Session

from masthead.storage.folding import fold, folded_column_sql

_WORD = re.compile(r"\w+", re.UNICODE)
_fts_metadata = MetaData()


def _fts(name: str) -> Table:
    # The FTS5 tables are created by the migration (SQLite only); SQLAlchemy stores UUIDs on
    # SQLite as 32-character hex, so document_id holds the same text as documents.id.
    return Table(
        f"{name}_fts",
        _fts_metadata,
        Column("rowid", Integer, primary_key=True),  # FTS5's own rowid: see fts_key
        Column("document_id", String),
        Column("space_id", String),
        Column("body", Text),
    )


FTS_TABLES = {name: _fts(name) for name in ("documents", "published_documents")}


def fts_query(text: str) -> str | None:
    """'hello wor' → '"hello" "wor"*': every word must appear; the last may be a prefix."""
    words = _WORD.findall(fold(text) or "")
    if not words:
        return None
    quoted = [f'"{w}"' for w in words]
    quoted[-1] += "*"
    return " ".join(quoted)


def ts_query(text: str) -> str | None:
    """'hello wor' → 'hello & wor:*': the same meaning as ``fts_query`` on PostgreSQL. Only
    word characters reach the query, so its syntax cannot be injected."""
    words = _WORD.findall(fold(text) or "")
    if not words:
        return None
    return " & ".join([*words[:-1], f"{words[-1]}:*"])


# SQLite: a document's full-text row lives at a rowid derived from its id, so upkeep finds it
# by rowid (a B-tree seek) instead of scanning the table for an UNINDEXED column, which made
# every write slower as content grew. A rare clash of derived keys moves a row to the next
# free rowid within PROBE of its key; each row keeps its document_id, so no row is mistaken.
PROBE = 16
_KEY_BITS = 62  # key + PROBE stays inside SQLite's signed 64-bit rowid


def fts_key(document_id: UUID) -> int:
    """The first rowid a document's full-text row may take."""
    return document_id.int >> (128 - _KEY_BITS)


def _own_rows(fts: Table, document_id: UUID) -> ColumnElement[bool]:
    key = fts_key(document_id)
    rowid = fts.c.rowid
    return (rowid >= key) & (rowid < key + PROBE) & (fts.c.document_id == document_id.hex)


def _free_rowid(session: Session, fts: Table, document_id: UUID) -> int:
    key = fts_key(document_id)
    rowid = fts.c.rowid
    taken = set(session.scalars(select(rowid).where(rowid >= key, rowid < key + PROBE)))
    for candidate in range(key, key + PROBE):
        if candidate not in taken:
            return candidate
    raise RuntimeError(f"no free full-text rowid near {key}")  # pragma: no cover - 2^-900


def _is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def index(
    session: Session,
    table: Table,
    document_id: UUID,
    space_id: UUID,
    text: str,
    *,
    fresh: bool = False,
) -> None:
    """Index a document's text, replacing its row; ``fresh``: it has none (a new document,
    or one whose rows were just removed), so there is nothing to delete first."""
    if not _is_sqlite(session):
        return  # PostgreSQL indexes the search_text column itself (GIN expression index)
    fts = FTS_TABLES[table.name]
    if not fresh:
        session.execute(delete(fts).where(_own_rows(fts, document_id)))
    session.execute(
        insert(fts).values(
            rowid=_free_rowid(session, fts, document_id),
            document_id=document_id.hex,
            space_id=space_id.hex,
            body=fold(text),
        )
    )


def index_many(session: Session, table: Table, rows: list[tuple[UUID, UUID, str]]) -> None:
    """Index new documents (bulk import): nothing to delete first."""
    if not _is_sqlite(session) or not rows:
        return
    fts = FTS_TABLES[table.name]
    for document_id, space_id, text in rows:
        session.execute(
            insert(fts).values(
                rowid=_free_rowid(session, fts, document_id),
                document_id=document_id.hex,
                space_id=space_id.hex,
                body=fold(text),
            )
        )


def unindex(session: Session, table: Table, document_id: UUID) -> None:
    if _is_sqlite(session):
        fts = FTS_TABLES[table.name]
        session.execute(delete(fts).where(_own_rows(fts, document_id)))


def matches(dialect: str, table: Table, text: str) -> ColumnElement[Any]:
    """A WHERE clause: rows of ``table`` whose searchable text matches ``text``."""
    if dialect == "sqlite":
        query = fts_query(text)
        if query is None:
            return false()
        fts = FTS_TABLES[table.name]
        ids = select(fts.c.document_id).where(
            literal_column(fts.name).op("MATCH")(bindparam("fts_query", query))
        )
        id_column = table.c.document_id if "document_id" in table.c else table.c.id
        return id_column.in_(ids)
    query = ts_query(text)
    if query is None:
        return false()
    # Spelled exactly as the GIN index expression (migration 0005), so the index serves it.
    vector: ColumnElement[Any] = literal_column(
        f"to_tsvector('simple', {folded_column_sql(f'{table.name}.search_text')})"
    )
    return vector.op("@@")(func.to_tsquery("simple", bindparam("ts_query", query)))
