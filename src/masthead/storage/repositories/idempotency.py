"""Stored first responses of requests sent with an Idempotency-Key."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID, uuid4

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from masthead.core.ports import StoredResponse
from masthead.storage.tables import IdempotencyKeyRow


class SqlIdempotencyRepository:
    def __init__(self, session: Session):
        self._session = session

    def find(self, space_id: UUID, actor_key: str, key: str) -> StoredResponse | None:
        row = self._session.scalar(
            select(IdempotencyKeyRow).where(
                IdempotencyKeyRow.space_id == space_id,
                IdempotencyKeyRow.actor_key == actor_key,
                IdempotencyKeyRow.key == key,
            )
        )
        if row is None:
            return None
        return StoredResponse(row.request_hash, row.status_code, row.response, row.created_at)

    def add(self, space_id: UUID, actor_key: str, key: str, response: StoredResponse) -> None:
        """Insert unless the key is already stored (then the first response stays)."""
        values = {
            "id": uuid4(),
            "space_id": space_id,
            "actor_key": actor_key,
            "key": key,
            "request_hash": response.request_hash,
            "status_code": response.status_code,
            "response": response.body,
            "created_at": response.created_at,
        }
        dialect = self._session.get_bind().dialect.name
        insert = sqlite_insert if dialect == "sqlite" else pg_insert
        self._session.execute(insert(IdempotencyKeyRow).values(**values).on_conflict_do_nothing())

    def purge_older_than(self, cutoff: datetime) -> int:
        result = self._session.execute(
            delete(IdempotencyKeyRow).where(IdempotencyKeyRow.created_at < cutoff)
        )
        return int(getattr(result, "rowcount", 0) or 0)
