"""media: assets (pending uploads and ready files) and cached renditions

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "media_assets",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("space_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("original_filename", sa.String(255), nullable=False),
        sa.Column("mime_type", sa.String(127), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=True),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("alt", sa.Text(), nullable=False, server_default=""),
        sa.Column("title", sa.Text(), nullable=False, server_default=""),
        sa.Column("caption", sa.Text(), nullable=False, server_default=""),
        sa.Column("description", sa.Text(), nullable=False, server_default=""),
        sa.Column("focal_x", sa.Float(), nullable=True),
        sa.Column("focal_y", sa.Float(), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("upload_key", sa.String(64), nullable=True),
        sa.Column("upload_token_hash", sa.String(64), nullable=True),
        sa.Column("upload_expires_at", TS, nullable=True),
        sa.Column("declared_size", sa.BigInteger(), nullable=True),
        sa.Column("declared_mime_type", sa.String(127), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'ready')", name="ck_media_assets_status"),
        sa.PrimaryKeyConstraint("id", name="pk_media_assets"),
        sa.ForeignKeyConstraint(
            ["space_id"], ["spaces.id"], name="fk_media_assets_space_id_spaces", ondelete="CASCADE"
        ),
    )
    op.create_index(
        "ix_media_assets_space_created", "media_assets", ["space_id", "status", "created_at", "id"]
    )
    op.create_index("ix_media_assets_sha256", "media_assets", ["sha256"])
    op.create_index("ix_media_assets_upload_expires", "media_assets", ["upload_expires_at"])
    op.create_table(
        "media_renditions",
        sa.Column("source_sha256", sa.String(64), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("mime_type", sa.String(127), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("source_sha256", "key", name="pk_media_renditions"),
    )
    op.create_index("ix_media_renditions_sha256", "media_renditions", ["sha256"])


def downgrade() -> None:
    op.drop_table("media_renditions")
    op.drop_table("media_assets")
