"""publishing: jobs with leases, releases and their routes, the active pointer, preview links

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
JSONData = sa.JSON().with_variant(JSONB(), "postgresql")


def _space_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["space_id"], ["spaces.id"], name=f"fk_{table}_space_id_spaces", ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("space_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("payload", JSONData, nullable=False),
        sa.Column("run_at", TS, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("lease_owner", sa.String(64), nullable=True),
        sa.Column("lease_expires_at", TS, nullable=True),
        sa.Column("progress_done", sa.Integer(), nullable=False),
        sa.Column("progress_total", sa.Integer(), nullable=False),
        sa.Column("result", JSONData, nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(64), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("started_at", TS, nullable=True),
        sa.Column("finished_at", TS, nullable=True),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_jobs"),
        _space_fk("jobs"),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'completed', 'failed')", name="ck_jobs_status"
        ),
    )
    op.create_index("ix_jobs_status_run_at", "jobs", ["status", "run_at"])
    op.create_index("ix_jobs_space_created", "jobs", ["space_id", "created_at", "id"])
    op.create_table(
        "releases",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("space_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Uuid(), nullable=True),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("manifest_sha256", sa.String(64), nullable=False),
        sa.Column("document_count", sa.Integer(), nullable=False),
        sa.Column("route_count", sa.Integer(), nullable=False),
        sa.Column("file_count", sa.Integer(), nullable=False),
        sa.Column("total_bytes", sa.BigInteger(), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_releases"),
        _space_fk("releases"),
        sa.UniqueConstraint("space_id", "number", name="uq_releases_space_number"),
    )
    op.create_table(
        "release_routes",
        sa.Column("release_id", sa.Uuid(), nullable=False),
        sa.Column("path", sa.String(1000), nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("release_id", "path", name="pk_release_routes"),
        sa.ForeignKeyConstraint(
            ["release_id"],
            ["releases.id"],
            name="fk_release_routes_release_id_releases",
            ondelete="CASCADE",
        ),
    )
    op.create_index(
        "ix_release_routes_release_document", "release_routes", ["release_id", "document_id"]
    )
    op.create_table(
        "active_releases",
        sa.Column("space_id", sa.Uuid(), nullable=False),
        sa.Column("release_id", sa.Uuid(), nullable=False),
        sa.Column("activated_at", TS, nullable=False),
        sa.Column("activated_by", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("space_id", name="pk_active_releases"),
        _space_fk("active_releases"),
        sa.ForeignKeyConstraint(
            ["release_id"],
            ["releases.id"],
            name="fk_active_releases_release_id_releases",
            ondelete="CASCADE",
        ),
    )
    op.create_table(
        "preview_links",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("space_id", sa.Uuid(), nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("created_by", sa.String(64), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("token_hash", name="pk_preview_links"),
        _space_fk("preview_links"),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name="fk_preview_links_document_id_documents",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_preview_links_space_id", "preview_links", ["space_id"])


def downgrade() -> None:
    op.drop_table("preview_links")
    op.drop_table("active_releases")
    op.drop_table("release_routes")
    op.drop_table("releases")
    op.drop_table("jobs")
