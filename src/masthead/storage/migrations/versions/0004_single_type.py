"""documents: one document per single type, held by the database

``documents.single_type`` is the type's name for the document of a single type and NULL for
every other document; a unique index on (space_id, single_type) then admits one document per
single type (NULLs are distinct on SQLite and PostgreSQL alike), whatever writers race.

Databases written before this revision may hold several documents of one single type (the
race this closes). The oldest of them, the one the singleton routes already answered with,
becomes the type's document; the others stay, as ordinary documents of the type.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# The oldest document of each single type (ties broken by id), on both databases.
BACKFILL = """
UPDATE documents SET single_type = type
WHERE id IN (
    SELECT d.id FROM documents d
    JOIN content_types t ON t.space_id = d.space_id AND t.name = d.type
    WHERE t.kind = 'single' AND NOT EXISTS (
        SELECT 1 FROM documents e
        WHERE e.space_id = d.space_id AND e.type = d.type
          AND (e.created_at < d.created_at OR (e.created_at = d.created_at AND e.id < d.id))
    )
)
"""


def upgrade() -> None:
    op.add_column("documents", sa.Column("single_type", sa.String(64), nullable=True))
    op.execute(BACKFILL)
    op.create_index(
        "uq_documents_space_single_type", "documents", ["space_id", "single_type"], unique=True
    )


def downgrade() -> None:
    op.drop_index("uq_documents_space_single_type", table_name="documents")
    op.drop_column("documents", "single_type")
