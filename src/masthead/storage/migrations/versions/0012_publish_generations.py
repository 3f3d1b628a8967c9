"""publish generations: a counter per space that published-read caches are keyed by

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "publish_generations",
        sa.Column("space_id", sa.Uuid(), nullable=False),
        sa.Column("generation", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("space_id", name="pk_publish_generations"),
        sa.ForeignKeyConstraint(
            ["space_id"],
            ["spaces.id"],
            name="fk_publish_generations_space_id_spaces",
            ondelete="CASCADE",
        ),
    )


def downgrade() -> None:
    op.drop_table("publish_generations")
