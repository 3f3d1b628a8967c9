"""Repositories for API tokens and refresh tokens. Only hashes of the secrets are stored."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from masthead.core.models import ApiToken, Role
from masthead.core.ports import RefreshTokenRecord
from masthead.storage.tables import ApiTokenRow, RefreshTokenRow


def _api_token(row: ApiTokenRow) -> ApiToken:
    return ApiToken(
        id=row.id,
        space_id=row.space_id,
        role=Role(row.role),
        name=row.name,
        prefix=row.prefix,
        created_at=row.created_at,
        last_used_at=row.last_used_at,
        revoked_at=row.revoked_at,
    )


class SqlApiTokenRepository:
    def __init__(self, session: Session):
        self._session = session

    def add(self, token: ApiToken, secret_hash: str) -> None:
        self._session.add(
            ApiTokenRow(
                id=token.id,
                space_id=token.space_id,
                role=token.role.value,
                name=token.name,
                prefix=token.prefix,
                secret_hash=secret_hash,
                created_at=token.created_at,
            )
        )
        self._session.flush()

    def find_by_hash(self, secret_hash: str) -> ApiToken | None:
        row = self._session.scalar(
            select(ApiTokenRow).where(ApiTokenRow.secret_hash == secret_hash)
        )
        return _api_token(row) if row else None

    def list(self, space_id: UUID) -> list[ApiToken]:
        rows = self._session.scalars(
            select(ApiTokenRow)
            .where(ApiTokenRow.space_id == space_id)
            .order_by(ApiTokenRow.created_at)
        )
        return [_api_token(r) for r in rows]

    def revoke(self, space_id: UUID, token_id: UUID, at: datetime) -> bool:
        result = self._session.execute(
            update(ApiTokenRow)
            .where(
                ApiTokenRow.id == token_id,
                ApiTokenRow.space_id == space_id,
                ApiTokenRow.revoked_at.is_(None),
            )
            .values(revoked_at=at)
        )
        return bool(getattr(result, "rowcount", 0))

    def touch(self, token_id: UUID, at: datetime) -> None:
        self._session.execute(
            update(ApiTokenRow).where(ApiTokenRow.id == token_id).values(last_used_at=at)
        )


def _refresh(row: RefreshTokenRow) -> RefreshTokenRecord:
    return RefreshTokenRecord(
        id=row.id,
        user_id=row.user_id,
        family_id=row.family_id,
        created_at=row.created_at,
        expires_at=row.expires_at,
        used_at=row.used_at,
        revoked_at=row.revoked_at,
    )


class SqlRefreshTokenRepository:
    def __init__(self, session: Session):
        self._session = session

    def add(self, record: RefreshTokenRecord, token_hash: str) -> None:
        self._session.add(
            RefreshTokenRow(
                id=record.id,
                user_id=record.user_id,
                family_id=record.family_id,
                token_hash=token_hash,
                created_at=record.created_at,
                expires_at=record.expires_at,
            )
        )
        self._session.flush()

    def find_by_hash(self, token_hash: str) -> RefreshTokenRecord | None:
        row = self._session.scalar(
            select(RefreshTokenRow).where(RefreshTokenRow.token_hash == token_hash)
        )
        return _refresh(row) if row else None

    def mark_used(self, token_id: UUID, at: datetime) -> bool:
        # A conditional UPDATE is atomic on both databases: of two concurrent refreshes with
        # the same token, exactly one sees rowcount 1.
        result = self._session.execute(
            update(RefreshTokenRow)
            .where(RefreshTokenRow.id == token_id, RefreshTokenRow.used_at.is_(None))
            .values(used_at=at)
        )
        return bool(getattr(result, "rowcount", 0))

    def revoke(self, token_id: UUID, at: datetime) -> None:
        self._session.execute(
            update(RefreshTokenRow)
            .where(RefreshTokenRow.id == token_id, RefreshTokenRow.revoked_at.is_(None))
            .values(revoked_at=at)
        )

    def revoke_family(self, family_id: UUID, at: datetime) -> None:
        self._session.execute(
            update(RefreshTokenRow)
            .where(RefreshTokenRow.family_id == family_id, RefreshTokenRow.revoked_at.is_(None))
            .values(revoked_at=at)
        )
