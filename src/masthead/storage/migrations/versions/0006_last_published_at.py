"""documents: when each was last published, kept after it is unpublished

``documents.published_at`` says when the live revision was first published and is cleared
when the document is unpublished or archived. ``last_published_at`` is the same moment while
the document is published and stays after it is withdrawn: the Toast API's ``publishedAt``,
which Toast's own documentation says unpublishing keeps. Backfilled from ``published_at``.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "documents", sa.Column("last_published_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.execute("UPDATE documents SET last_published_at = published_at")


def downgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("last_published_at")
