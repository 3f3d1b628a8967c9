"""documents: which API or import created each one

``documents.created_via`` names the channel a document was created through: the API dialect
(``v1``, ``trokky``, ``apps``, ``toast``, ``workflow``) or ``import``. The workflow API's
``source`` shows it beside the author and the creation time. Documents created before this
migration keep NULL: nobody recorded it, and a guess would be presented as fact.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("documents", sa.Column("created_via", sa.String(32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("created_via")
