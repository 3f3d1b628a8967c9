"""Engines for SQLite and PostgreSQL, with the per-database settings each needs.

SQLite runs in WAL mode with foreign keys on and a busy timeout. Writing transactions start
with BEGIN IMMEDIATE so two writers queue on the lock instead of failing mid-transaction;
read-only units of work start DEFERRED so readers never wait for writers.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url

from masthead.storage import folding

READ_ONLY_OPTION = "masthead_read_only"
SQLITE_BUSY_TIMEOUT_MS = 10_000


def dump_json(value: Any) -> str:
    """JSON columns are written with the encoder that writes responses (orjson), so a value no
    response could carry (a lone surrogate, an integer past 64 bits) fails the write, before
    anything is committed, instead of every later read of it. Python's encoder, SQLAlchemy's
    default, writes such strings as ``\\ud83d`` escapes without complaint."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def load_json(text: str | bytes) -> Any:
    """orjson, with Python's parser for what orjson refuses: rows that SQLite stored before
    ``dump_json`` (lone surrogates) still load, so they can be read, fixed and deleted."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def make_engine(url: str, **kwargs: Any) -> Engine:
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            json_serializer=dump_json,
            json_deserializer=load_json,
            **kwargs,
        )
        _configure_sqlite(engine)
        return engine
    return create_engine(
        url, pool_pre_ping=True, json_serializer=dump_json, json_deserializer=load_json, **kwargs
    )


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below decide how transactions start.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
        # Case- and accent-insensitive comparison, as PostgreSQL does in SQL (folding.py).
        dbapi_connection.create_function(
            folding.SQLITE_FUNCTION, 1, folding.fold, deterministic=True
        )

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        read_only = connection.get_execution_options().get(READ_ONLY_OPTION, False)
        connection.exec_driver_sql("BEGIN DEFERRED" if read_only else "BEGIN IMMEDIATE")


def analyze(engine: Engine) -> None:
    """Refresh the query planner's statistics (after bulk imports)."""
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))


def ping(engine: Engine) -> None:
    """Raise if the database does not answer."""
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
