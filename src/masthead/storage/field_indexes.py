"""The per-field expression indexes on the two document tables, built at run time.

A field whose definition asks for an index (``FieldDef.wants_index``: marked ``indexed``, or
``unique``) gets one index per document table on ``(space_id, type, <its JSON value>, id...)``.
The index belongs to the field *name*, not to one type: it leads with space and type, so it
serves every type of every space that has a field of that name. Every index on these shared
tables costs every write of every space and, on PostgreSQL, one lock per statement that
touches the table, so their number is bounded database-wide: at most
``MAX_INDEXED_FIELD_NAMES`` names are indexed. A field past that bound, or one whose index
could not be built without waiting on other writers, works unindexed (its filters and sorts
scan its own type's documents) until the next change or deletion of any type, or ``masthead
migrate``, gets it one. An index no type wants any more is dropped.

This module owns the indexes' names and DDL, nothing else: which fields want an index is the
core's (``core/content_types.py``), and ``queries.py`` writes the expressions these match.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable

from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from masthead.core.content_types import FIELD_NAME
from masthead.core.limits import MAX_INDEXED_FIELD_NAMES

log = logging.getLogger("masthead.storage")

DOCUMENT_PREFIX, PUBLISHED_PREFIX = "ix_doc_f_", "ix_pub_f_"
PREFIXES = (DOCUMENT_PREFIX, PUBLISHED_PREFIX)
# PostgreSQL: how long index DDL may wait for the writers of the shared tables before it
# gives up (the field stays unindexed, or the unused index stays, until the next change).
DDL_LOCK_TIMEOUT = "2s"

_WANTED_SQLITE = """
SELECT DISTINCT json_extract(f.value, '$.name')
FROM content_types, json_each(content_types.fields) AS f
WHERE (json_extract(f.value, '$.indexed') = 1 OR json_extract(f.value, '$.unique') = 1)
  AND NOT (json_extract(f.value, '$.type') = 'reference'
           AND coalesce(json_extract(f.value, '$.many'), 0) = 1)
"""
_WANTED_POSTGRESQL = """
SELECT DISTINCT f ->> 'name'
FROM content_types, jsonb_array_elements(content_types.fields) AS f
WHERE (f @> '{"indexed": true}' OR f @> '{"unique": true}')
  AND NOT f @> '{"type": "reference", "many": true}'
"""
_EXISTING_SQLITE = """
SELECT name FROM sqlite_master
WHERE type = 'index' AND substr(name, 1, 9) IN ('ix_doc_f_', 'ix_pub_f_')
"""
_EXISTING_POSTGRESQL = """
SELECT indexname FROM pg_indexes
WHERE schemaname = current_schema() AND left(indexname, 9) IN ('ix_doc_f_', 'ix_pub_f_')
"""


def index_names(field: str) -> tuple[str, str]:
    """(working copies' index, published copies' index) of field ``field``. Field names are
    case-sensitive and up to 64 characters, index names are neither, hence the digest."""
    digest = hashlib.sha256(field.encode()).hexdigest()[:8]
    stem = f"{field.lower()[:40]}_{digest}"
    return DOCUMENT_PREFIX + stem, PUBLISHED_PREFIX + stem


def _value(dialect: str, field: str) -> str:
    if not FIELD_NAME.match(field):  # the JSON path is SQL text: identifiers only
        raise ValueError(f"not a field name: {field!r}")
    if dialect == "sqlite":
        return f"json_extract(data, '$.{field}')"  # NULL is the smallest value there
    # NULLS FIRST, as SQLite: queries.py sorts a missing value as the smallest, so this index
    # serves a sort on the field in either direction.
    return f"(data -> '{field}') NULLS FIRST"


def create_statements(dialect: str, field: str) -> tuple[str, str]:
    """CREATE INDEX statements for ``field`` on both document tables. Each index ends with the
    id (the sort tie-breaker) and, for working copies, the status, so filters, sorts and
    counts are answered from the index alone."""
    value = _value(dialect, field)
    documents, published = index_names(field)
    return (
        f"CREATE INDEX IF NOT EXISTS {documents} "
        f"ON documents (space_id, type, {value}, id, status)",
        f"CREATE INDEX IF NOT EXISTS {published} "
        f"ON published_documents (space_id, type, {value}, document_id)",
    )


def wanted(session: Session) -> set[str]:
    """The field names some content type, in any space, wants indexed."""
    dialect = session.get_bind().dialect.name
    query = _WANTED_SQLITE if dialect == "sqlite" else _WANTED_POSTGRESQL
    return {n for n in session.scalars(text(query)) if isinstance(n, str) and FIELD_NAME.match(n)}


def existing(session: Session) -> set[str]:
    """The names of the field indexes that exist, on either table."""
    dialect = session.get_bind().dialect.name
    return set(
        session.scalars(text(_EXISTING_SQLITE if dialect == "sqlite" else _EXISTING_POSTGRESQL))
    )


def ensure(session: Session, fields: Iterable[str]) -> None:
    """Give ``fields`` (names that a type just added wants indexed) their indexes, while the
    database-wide bound allows. Run inside the transaction that writes the type."""
    fields = sorted(set(fields))
    if not fields or not _serialise(session):
        return
    present = existing(session)
    missing = [f for f in fields if not set(index_names(f)) <= present]
    if missing:
        _create(session, missing, present, collected=False)


def reconcile(session: Session) -> None:
    """Drop the indexes no type wants; create the wanted ones that are missing, while the
    bound allows. Run after a type changes or goes, and by ``masthead migrate``."""
    if not _serialise(session):
        return
    want = wanted(session)
    present = _collect(session, want)
    missing = [f for f in sorted(want) if not set(index_names(f)) <= present]
    if missing:
        _create(session, missing, present, collected=True)


def reconcile_database(engine: Engine) -> None:
    """``reconcile`` in a transaction of its own (after migrations)."""
    with Session(engine) as session:
        reconcile(session)
        session.commit()


def _create(session: Session, fields: list[str], present: set[str], *, collected: bool) -> None:
    dialect = session.get_bind().dialect.name
    indexed = {n for n in present if n.startswith(DOCUMENT_PREFIX)}
    for field in fields:
        documents, published = index_names(field)
        if documents not in indexed and len(indexed) >= MAX_INDEXED_FIELD_NAMES:
            if not collected:  # unused indexes may hold the room: drop them first
                present = _collect(session, wanted(session))
                indexed = {n for n in present if n.startswith(DOCUMENT_PREFIX)}
                collected = True
            if len(indexed) >= MAX_INDEXED_FIELD_NAMES:
                log.warning(
                    "field %r stays unindexed: %d field names are indexed, the most allowed",
                    field,
                    len(indexed),
                )
                continue
        for name, statement in zip(
            (documents, published), create_statements(dialect, field), strict=True
        ):
            if name not in present and _ddl(session, statement):
                present.add(name)
                if name == documents:
                    indexed.add(name)


def _collect(session: Session, want: set[str]) -> set[str]:
    """Drop the field indexes of names no type wants; what remains."""
    keep = {name for field in want for name in index_names(field)}
    present = existing(session)
    for name in sorted(present - keep):
        if _ddl(session, f"DROP INDEX IF EXISTS {_quoted(session, name)}"):
            present.discard(name)
    return present


def _quoted(session: Session, name: str) -> str:
    return session.get_bind().dialect.identifier_preparer.quote(name)


def _serialise(session: Session) -> bool:
    """PostgreSQL: one transaction at a time decides about field indexes (until it ends), so
    two cannot both take the last place, nor one drop an index another has just come to
    need. False if another held it too long: the work is left to a later change. (SQLite's
    writers already take turns.)"""
    if session.get_bind().dialect.name != "postgresql":
        return True
    lock = "SELECT pg_advisory_xact_lock(hashtextextended('masthead.field_indexes', 0))"
    return _briefly(session, lock)


def _ddl(session: Session, statement: str) -> bool:
    """Run one CREATE or DROP INDEX; False if it gave up waiting for the table (PostgreSQL).

    There, building an index blocks writes to the table and dropping one blocks every use of
    it, and the lock is queued behind running transactions, which in turn queue behind it:
    every space would wait on one space's schema change."""
    if session.get_bind().dialect.name != "postgresql":
        session.execute(text(statement))
        return True
    return _briefly(session, statement)


def _briefly(session: Session, statement: str) -> bool:
    """Run ``statement`` waiting at most ``DDL_LOCK_TIMEOUT`` for a lock, inside a savepoint;
    False if it gave up, leaving the work to a later change. A deadlock (a type deletion
    holding the documents it deletes while waiting for the advisory lock, against index DDL
    waiting for those documents) ends the same way, for whichever of the two is picked."""
    previous = session.scalar(text("SELECT current_setting('lock_timeout')"))
    try:
        with session.begin_nested():
            session.execute(
                text("SELECT set_config('lock_timeout', :timeout, true)"),
                {"timeout": DDL_LOCK_TIMEOUT},
            )
            session.execute(text(statement))
    except OperationalError as exc:
        if getattr(exc.orig, "sqlstate", None) not in {"55P03", "40P01"}:  # lock, deadlock
            raise
        log.warning("field index change postponed, the tables are busy: %s", statement)
        return False
    finally:
        session.execute(
            text("SELECT set_config('lock_timeout', :timeout, true)"), {"timeout": previous}
        )
    return True
