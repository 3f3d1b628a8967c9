"""Publish generations: read one, raise several (see PublishGenerationRow)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from masthead.storage.tables import CacheGenerationRow, PublishGenerationRow

PublishedChange = Callable[[UUID], None]
"""What a repository calls when it changes what a space's published reads answer."""

AuthChange = Callable[[], None]
"""What a repository calls when it changes who a bearer token is or what it may do."""


class SqlGenerationRepository:
    def __init__(self, session: Session):
        self._session = session

    def get(self, space_id: UUID) -> int:
        value = self._session.scalar(
            select(PublishGenerationRow.generation).where(PublishGenerationRow.space_id == space_id)
        )
        return int(value or 0)

    def _insert(self) -> Any:
        dialect = self._session.get_bind().dialect.name
        return pg_insert if dialect == "postgresql" else sqlite_insert

    def bump_named(self, name: str) -> None:
        """Raise a named generation (``storage/freshness.py``)."""
        statement = self._insert()(CacheGenerationRow).values(name=name, generation=1)
        self._session.execute(
            statement.on_conflict_do_update(
                index_elements=[CacheGenerationRow.name],
                set_={"generation": CacheGenerationRow.generation + 1},
            )
        )

    def bump(self, space_ids: Iterable[UUID]) -> None:
        insert = self._insert()
        for space_id in sorted(set(space_ids)):  # one order: concurrent bumps never deadlock
            statement = insert(PublishGenerationRow).values(space_id=space_id, generation=1)
            self._session.execute(
                statement.on_conflict_do_update(
                    index_elements=[PublishGenerationRow.space_id],
                    set_={"generation": PublishGenerationRow.generation + 1},
                )
            )
