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


def index(session: Session, table: Table, document_id: UUID, space_id: UUID, text: str) -> None:
    if session.get_bind().dialect.name != "sqlite":
        return  # PostgreSQL indexes the search_text column itself (GIN expression index)
    fts = FTS_TABLES[table.name]
    session.execute(delete(fts).where(fts.c.document_id == document_id.hex))
    session.execute(
        insert(fts).values(document_id=document_id.hex, space_id=space_id.hex, body=fold(text))
    )


def index_many(session: Session, table: Table, rows: list[tuple[UUID, UUID, str]]) -> None:
    """Index new documents (bulk import): nothing to delete first."""
    if session.get_bind().dialect.name != "sqlite" or not rows:
        return
    session.execute(
        insert(FTS_TABLES[table.name]),
        [{"document_id": d.hex, "space_id": s.hex, "body": fold(t)} for d, s, t in rows],
    )


def unindex(session: Session, table: Table, document_id: UUID) -> None:
    if session.get_bind().dialect.name == "sqlite":
        fts = FTS_TABLES[table.name]
        session.execute(delete(fts).where(fts.c.document_id == document_id.hex))


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
