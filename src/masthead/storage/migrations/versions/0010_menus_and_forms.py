"""menus and forms: a space's menus, its forms and their submissions

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
JSONData = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "menus",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("space_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("items", JSONData, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_menus"),
        sa.ForeignKeyConstraint(
            ["space_id"], ["spaces.id"], name="fk_menus_space_id_spaces", ondelete="CASCADE"
        ),
        sa.UniqueConstraint("space_id", "key", name="uq_menus_space_key"),
    )
    op.create_table(
        "forms",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("space_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("fields", JSONData, nullable=False),
        sa.Column("honeypot", sa.String(64), nullable=True),
        sa.Column("rate_limit", sa.String(64), nullable=False),
        sa.Column("is_enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_forms"),
        sa.ForeignKeyConstraint(
            ["space_id"], ["spaces.id"], name="fk_forms_space_id_spaces", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_forms_space_created", "forms", ["space_id", "created_at"])
    op.create_table(
        "form_submissions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("form_id", sa.Uuid(), nullable=False),
        sa.Column("space_id", sa.Uuid(), nullable=False),
        sa.Column("data", JSONData, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_form_submissions"),
        sa.ForeignKeyConstraint(
            ["form_id"], ["forms.id"], name="fk_form_submissions_form_id_forms", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["space_id"],
            ["spaces.id"],
            name="fk_form_submissions_space_id_spaces",
            ondelete="CASCADE",
        ),
    )
    op.create_index(
        "ix_form_submissions_form_created", "form_submissions", ["form_id", "created_at", "id"]
    )
    op.create_index("ix_form_submissions_space_id", "form_submissions", ["space_id"])


def downgrade() -> None:
    op.drop_table("form_submissions")
    op.drop_table("forms")
    op.drop_table("menus")
