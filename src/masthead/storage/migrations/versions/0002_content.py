"""content: content types, documents, published documents, revisions, transitions,
idempotency keys, and full-text search (FTS5 on SQLite, tsvector GIN on PostgreSQL)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

JSONData = sa.JSON().with_variant(JSONB(), "postgresql")
TS = sa.DateTime(timezone=True)


def _space_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["space_id"], ["spaces.id"], name=f"fk_{table}_space_id_spaces", ondelete="CASCADE"
    )


def _document_fk(table: str, column: str = "document_id") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["documents.id"], name=f"fk_{table}_{column}_documents", ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "content_types",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("space_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("fields", JSONData, nullable=False),
        sa.Column("route_pattern", sa.String(200), nullable=True),
        sa.Column("template", sa.String(200), nullable=True),
        sa.Column("workflow", sa.String(16), nullable=False),
        sa.Column("is_builtin", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_content_types"),
        sa.UniqueConstraint("space_id", "name", name="uq_content_types_space_name"),
        _space_fk("content_types"),
    )
    op.create_table(
        "documents",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("space_id", sa.Uuid(), nullable=False),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("slug", sa.String(200), nullable=False),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=True),
        sa.Column("submitted_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("published_at", TS, nullable=True),
        sa.Column("published_revision", sa.Integer(), nullable=True),
        sa.Column("data", JSONData, nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("id", name="pk_documents"),
        sa.UniqueConstraint("space_id", "type", "slug", name="uq_documents_space_type_slug"),
        _space_fk("documents"),
    )
    # Sort indexes end with the id (every ordering's tie-breaker), so pages come off the
    # index, then the status, so the "not archived" test never reads the row.
    for column in ("updated", "published", "created"):
        op.create_index(
            f"ix_documents_space_type_{column}",
            "documents",
            ["space_id", "type", f"{column}_at", "id", "status"],
        )
    op.create_index(
        "ix_documents_space_updated", "documents", ["space_id", "updated_at", "id", "status"]
    )
    op.create_index("ix_documents_space_type_status", "documents", ["space_id", "type", "status"])
    op.create_table(
        "published_documents",
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("space_id", sa.Uuid(), nullable=False),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("slug", sa.String(200), nullable=False),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("published_at", TS, nullable=False),
        sa.Column("data", JSONData, nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("document_id", name="pk_published_documents"),
        sa.UniqueConstraint(
            "space_id", "type", "slug", name="uq_published_documents_space_type_slug"
        ),
        _space_fk("published_documents"),
        _document_fk("published_documents"),
    )
    for column in ("published", "updated", "created"):
        op.create_index(
            f"ix_published_documents_space_type_{column}",
            "published_documents",
            ["space_id", "type", f"{column}_at", "document_id"],
        )
    op.create_index(
        "ix_published_documents_space_published",
        "published_documents",
        ["space_id", "published_at", "document_id"],
    )
    op.create_table(
        "revisions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("space_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("slug", sa.String(200), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("data", JSONData, nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_revisions"),
        sa.UniqueConstraint("document_id", "number", name="uq_revisions_document_number"),
        _space_fk("revisions"),
        _document_fk("revisions"),
    )
    op.create_index("ix_revisions_space_id", "revisions", ["space_id"])
    op.create_table(
        "document_transitions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("space_id", sa.Uuid(), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("from_status", sa.String(16), nullable=False),
        sa.Column("to_status", sa.String(16), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("at", TS, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_document_transitions"),
        _space_fk("document_transitions"),
        _document_fk("document_transitions"),
    )
    op.create_index(
        "ix_document_transitions_document_at", "document_transitions", ["document_id", "at"]
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("space_id", sa.Uuid(), nullable=False),
        sa.Column("actor_key", sa.String(64), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("response", JSONData, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_idempotency_keys"),
        sa.UniqueConstraint("space_id", "actor_key", "key", name="uq_idempotency_keys_scope"),
        _space_fk("idempotency_keys"),
    )
    op.create_index("ix_idempotency_keys_created_at", "idempotency_keys", ["created_at"])

    op.create_table(
        "document_values",
        sa.Column("source", sa.String(1), nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("field", sa.String(64), nullable=False),
        sa.Column("value", sa.String(200), nullable=False),
        sa.Column("space_id", sa.Uuid(), nullable=False),
        sa.Column("type", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint(
            "source", "document_id", "field", "value", name="pk_document_values"
        ),
        _space_fk("document_values"),
        _document_fk("document_values"),
    )
    op.create_index(
        "ix_document_values_lookup",
        "document_values",
        ["space_id", "type", "source", "field", "value", "document_id"],
    )

    if op.get_bind().dialect.name == "sqlite":
        for table in ("documents", "published_documents"):
            op.execute(
                f"CREATE VIRTUAL TABLE {table}_fts USING fts5("
                "document_id UNINDEXED, space_id UNINDEXED, body, tokenize='unicode61 remove_diacritics 2')"
            )
    else:
        for table in ("documents", "published_documents"):
            op.execute(
                f"CREATE INDEX ix_{table}_search ON {table} "
                "USING gin (to_tsvector('simple', search_text))"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS published_documents_fts")
        op.execute("DROP TABLE IF EXISTS documents_fts")
    for table in (
        "idempotency_keys",
        "document_transitions",
        "revisions",
        "published_documents",
        "documents",
        "content_types",
    ):
        op.drop_table(table)
