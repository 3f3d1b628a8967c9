"""Migration 0009 gives the built-in types of spaces made before it the ``personalization``
field that new spaces' built-in types have, on both databases, and leaves other types and a
space's own field of that name alone."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from masthead.core.services import accounts
from masthead.storage import migrate
from masthead.storage.database import make_engine
from masthead.storage.uow import Database
from tests.storage.test_migration_0005 import fresh_url  # noqa: F401 - a fixture

PERSONALIZATION = {"name": "personalization", "type": "json", "title": "Personalization"}
OWN = {"name": "personalization", "type": "string"}


def now() -> datetime:
    return datetime(2026, 12, 3, tzinfo=UTC)


def _fields(engine: Engine) -> dict[tuple[str, str], list[dict[str, Any]]]:
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text(
                "SELECT spaces.slug, content_types.name, content_types.fields FROM content_types "
                "JOIN spaces ON spaces.id = content_types.space_id"
            )
        ).all()
    return {(s, n): json.loads(f) if isinstance(f, str) else f for s, n, f in rows}


def _set_fields(engine: Engine, slug: str, name: str, fields: list[dict[str, Any]]) -> None:
    with engine.begin() as connection:
        space_id = connection.execute(
            sa.text("SELECT id FROM spaces WHERE slug = :s"), {"s": slug}
        ).scalar_one()
        connection.execute(
            sa.text(
                "UPDATE content_types SET fields = :f WHERE space_id = :s AND name = :n"
            ).bindparams(sa.bindparam("f", type_=sa.JSON)),
            {"f": fields, "s": space_id, "n": name},
        )


def test_0009_adds_the_field_to_earlier_builtin_types(fresh_url: str) -> None:  # noqa: F811
    migrate.upgrade(fresh_url, "0008")
    engine = make_engine(fresh_url)
    db = Database(engine)
    try:
        for slug in ("old", "own"):
            accounts.create_space(db.uow(), now, slug, slug.title())
        # As spaces made before 0009 have them: no personalization field; "own" made its own.
        for (slug, name), fields in _fields(engine).items():
            kept = [f for f in fields if f["name"] != "personalization"]
            if slug == "own" and name == "page":
                kept.append(OWN)
            _set_fields(engine, slug, name, kept)

        migrate.upgrade(fresh_url)

        after = _fields(engine)
        assert after[("old", "post")][-1] == PERSONALIZATION
        assert after[("old", "page")][-1] == PERSONALIZATION
        assert after[("own", "post")][-1] == PERSONALIZATION
        assert after[("own", "page")][-1] == OWN
        assert sum(f["name"] == "personalization" for f in after[("own", "page")]) == 1

        migrate.downgrade(fresh_url, "0008")
        assert all(PERSONALIZATION not in f for f in _fields(engine).values())
        assert _fields(engine)[("own", "page")][-1] == OWN
    finally:
        db.dispose()
