"""Apply Alembic migrations programmatically (no alembic.ini needed)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from masthead.storage import field_indexes
from masthead.storage.database import make_engine


def _config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", "masthead.storage:migrations")
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Apply migrations; at the head, also bring the per-field indexes built at run time in
    line with the content types (storage/field_indexes.py): drop the ones no type wants,
    such as those earlier versions left behind, and build the missing ones."""
    command.upgrade(_config(url), revision)
    if revision == "head":
        engine = make_engine(url)
        try:
            field_indexes.reconcile_database(engine)
        finally:
            engine.dispose()


def downgrade(url: str, revision: str) -> None:
    """Roll back to ``revision`` (operators undoing a release; tests of each migration)."""
    command.downgrade(_config(url), revision)


def is_up_to_date(engine: Engine) -> bool:
    heads = set(ScriptDirectory.from_config(_config(str(engine.url))).get_heads())
    with engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    return current == heads
