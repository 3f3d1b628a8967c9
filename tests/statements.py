"""The SQL statements an engine runs while a block runs: for tests that count queries."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event


@contextmanager
def recorded_statements(engine: Engine) -> Iterator[list[str]]:
    """The text of every statement ``engine`` sends to the database inside the block."""
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def pings(statements: list[str]) -> list[str]:
    """The ``SELECT 1`` health pings among ``statements``."""
    return [s for s in statements if s.strip().upper() == "SELECT 1"]
