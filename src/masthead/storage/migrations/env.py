"""Alembic environment: runs against the connection or URL that ``storage.migrate`` passes."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from masthead.storage.database import is_sqlite, make_engine
from masthead.storage.tables import Base

config = context.config


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER most things
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    url = config.get_main_option("sqlalchemy.url") or ""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            _run(conn)
            if not is_sqlite(url):
                conn.commit()
    finally:
        engine.dispose()
