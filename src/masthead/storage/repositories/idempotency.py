"""Idempotency-Key reservations and the first responses stored under them."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from masthead.core.ports import StoredResponse
from masthead.storage.tables import IdempotencyKeyRow


class SqlIdempotencyRepository:
    def __init__(self, session: Session):
        self._session = session

    def _scope(self, space_id: UUID, actor_key: str, key: str) -> Any:
        return (
            (IdempotencyKeyRow.space_id == space_id)
            & (IdempotencyKeyRow.actor_key == actor_key)
            & (IdempotencyKeyRow.key == key)
        )

    def find(self, space_id: UUID, actor_key: str, key: str) -> StoredResponse | None:
        row = self._session.scalar(
            select(IdempotencyKeyRow).where(self._scope(space_id, actor_key, key))
        )
        if row is None:
            return None
        return StoredResponse(row.request_hash, row.status_code, row.response, row.created_at)

    def reserve(self, space_id: UUID, actor_key: str, key: str, response: StoredResponse) -> bool:
        """Insert the key unless it exists; True when this call inserted it. The unique
        constraint decides between concurrent callers."""
        dialect = self._session.get_bind().dialect.name
        insert = sqlite_insert if dialect == "sqlite" else pg_insert
        result = self._session.execute(
            insert(IdempotencyKeyRow)
            .values(
                id=uuid4(),
                space_id=space_id,
                actor_key=actor_key,
                key=key,
                request_hash=response.request_hash,
                status_code=response.status_code,
                response=response.body,
                created_at=response.created_at,
            )
            .on_conflict_do_nothing()
            # RETURNING, not rowcount: PostgreSQL reports no reliable rowcount here.
            .returning(IdempotencyKeyRow.id)
        )
        return result.first() is not None

    def complete(
        self, space_id: UUID, actor_key: str, key: str, status_code: int, body: dict[str, Any]
    ) -> None:
        self._session.execute(
            update(IdempotencyKeyRow)
            .where(self._scope(space_id, actor_key, key))
            .values(status_code=status_code, response=body)
        )

    def delete(self, space_id: UUID, actor_key: str, key: str) -> None:
        self._session.execute(
            delete(IdempotencyKeyRow).where(self._scope(space_id, actor_key, key))
        )

    def purge_older_than(self, cutoff: datetime) -> int:
        result = self._session.execute(
            delete(IdempotencyKeyRow).where(IdempotencyKeyRow.created_at < cutoff)
        )
        return int(getattr(result, "rowcount", 0) or 0)
