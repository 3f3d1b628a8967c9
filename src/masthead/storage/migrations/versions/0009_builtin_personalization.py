"""builtin personalization: the built-in ``post`` and ``page`` types of existing spaces gain the
``personalization`` json field that new spaces' built-in types have (core/builtin_types.py)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# Copied, not imported: a landed migration must not change when the code does.
FIELD = {"name": "personalization", "type": "json", "title": "Personalization"}
BUILTIN = ("post", "page")


def _load(value: Any) -> list[dict[str, Any]]:
    loaded = json.loads(value) if isinstance(value, str) else value
    return list(loaded or [])


def upgrade() -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.text("SELECT id, fields FROM content_types WHERE name IN ('post', 'page')")
    ).all()
    for type_id, raw in rows:
        fields = _load(raw)
        if any(f.get("name") == FIELD["name"] for f in fields):
            continue  # a space's own field of that name is left as it is
        connection.execute(
            sa.text("UPDATE content_types SET fields = :fields WHERE id = :id").bindparams(
                sa.bindparam("fields", type_=sa.JSON)
            ),
            {"fields": [*fields, FIELD], "id": type_id},
        )


def downgrade() -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.text("SELECT id, fields FROM content_types WHERE name IN ('post', 'page')")
    ).all()
    for type_id, raw in rows:
        fields = [f for f in _load(raw) if f != FIELD]
        connection.execute(
            sa.text("UPDATE content_types SET fields = :fields WHERE id = :id").bindparams(
                sa.bindparam("fields", type_=sa.JSON)
            ),
            {"fields": fields, "id": type_id},
        )
