"""sessions and folding: the access-token deny-list, the access token of each refresh token,
and full-text search that ignores accents on PostgreSQL as it does on SQLite

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""

import re
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
# Lowercase, decomposed (NFKD), combining accents removed: what storage/folding.py calls
# FOLD_SQL. Copied, not imported: a landed migration must not change when the code does.
_FOLDED = "lower(regexp_replace(normalize(search_text, NFKD), '[\\u0300-\\u036f]', '', 'g'))"


def upgrade() -> None:
    op.add_column("refresh_tokens", sa.Column("access_jti", sa.String(64), nullable=True))
    op.add_column("refresh_tokens", sa.Column("access_expires_at", TS, nullable=True))
    op.create_table(
        "revoked_access_tokens",
        sa.Column("jti", sa.String(64), nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("jti", name="pk_revoked_access_tokens"),
    )
    op.create_index("ix_revoked_access_tokens_expires_at", "revoked_access_tokens", ["expires_at"])
    if op.get_bind().dialect.name == "postgresql":
        for table in ("documents", "published_documents"):
            op.execute(f"DROP INDEX IF EXISTS ix_{table}_search")
            op.execute(
                f"CREATE INDEX ix_{table}_search ON {table} "
                f"USING gin (to_tsvector('simple', {_FOLDED}))"
            )
    else:
        # New rows are indexed folded (storage/search.py); fold the ones already indexed.
        connection = op.get_bind()
        for table in ("documents_fts", "published_documents_fts"):
            rows = connection.execute(sa.text(f"SELECT rowid, body FROM {table}")).all()  # noqa: S608
            for rowid, body in rows:
                connection.execute(
                    sa.text(f"UPDATE {table} SET body = :body WHERE rowid = :rowid"),  # noqa: S608
                    {"body": _fold(body or ""), "rowid": rowid},
                )


def _fold(text: str) -> str:
    return re.sub("[\u0300-\u036f]", "", unicodedata.normalize("NFKD", text)).lower()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in ("documents", "published_documents"):
            op.execute(f"DROP INDEX IF EXISTS ix_{table}_search")
            op.execute(
                f"CREATE INDEX ix_{table}_search ON {table} "
                "USING gin (to_tsvector('simple', search_text))"
            )
    op.drop_index("ix_revoked_access_tokens_expires_at", table_name="revoked_access_tokens")
    op.drop_table("revoked_access_tokens")
    with op.batch_alter_table("refresh_tokens") as batch:
        batch.drop_column("access_expires_at")
        batch.drop_column("access_jti")
