"""full-text rows keyed by rowid: SQLite's FTS5 rows move to the rowid derived from their
document id (storage/search.py, fts_key), so writes find them by rowid instead of scanning

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

import hashlib
import uuid

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# Copied, not imported: a landed migration must not change when the code does.
PROBE = 16
_KEY_BITS = 62


def _key(document_hex: str) -> int:
    try:
        return uuid.UUID(hex=document_hex).int >> (128 - _KEY_BITS)
    except ValueError:  # not a document's id (no code writes one): kept, at a stable rowid
        digest = hashlib.sha256(document_hex.encode()).digest()
        return int.from_bytes(digest[:8]) >> (64 - _KEY_BITS)


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return  # PostgreSQL searches a GIN index on the tables themselves
    connection = op.get_bind()
    for table in ("documents_fts", "published_documents_fts"):
        rows = connection.execute(
            sa.text(f"SELECT document_id, space_id, body FROM {table}")  # noqa: S608
        ).all()
        connection.execute(sa.text(f"DELETE FROM {table}"))  # noqa: S608
        taken: set[int] = set()
        for document_id, space_id, body in rows:
            rowid = next(
                r for r in range(_key(document_id), _key(document_id) + PROBE) if r not in taken
            )
            taken.add(rowid)
            connection.execute(
                sa.text(
                    f"INSERT INTO {table} (rowid, document_id, space_id, body) "  # noqa: S608
                    "VALUES (:rowid, :document_id, :space_id, :body)"
                ),
                {"rowid": rowid, "document_id": document_id, "space_id": space_id, "body": body},
            )


def downgrade() -> None:
    """Nothing to undo: any rowid serves the code before this revision, which looks rows up by
    document_id."""
