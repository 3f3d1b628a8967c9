"""Repositories for API tokens, refresh tokens and the deny-list of revoked access tokens.
Only hashes of the secrets are stored."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from masthead.core.models import ApiToken, Role
from masthead.core.ports import RefreshTokenRecord
from masthead.storage.repositories.generations import AuthChange
from masthead.storage.tables import ApiTokenRow, RefreshTokenRow, RevokedAccessTokenRow


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
    def __init__(self, session: Session, auth_changed: AuthChange):
        self._session = session
        self._auth_changed = auth_changed

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

    def revoke(self, space_id: UUID | None, token_id: UUID, at: datetime) -> bool:
        in_space = () if space_id is None else (ApiTokenRow.space_id == space_id,)
        result = self._session.execute(
            update(ApiTokenRow)
            .where(ApiTokenRow.id == token_id, *in_space, ApiTokenRow.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        revoked = bool(getattr(result, "rowcount", 0))
        if revoked:
            self._auth_changed()
        return revoked

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
        access_jti=row.access_jti,
        access_expires_at=row.access_expires_at,
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
                access_jti=record.access_jti,
                access_expires_at=record.access_expires_at,
            )
        )
        self._session.flush()

    def find_by_hash(self, token_hash: str) -> RefreshTokenRecord | None:
        # populate_existing: a second read in one transaction (after losing a race to rotate
        # the token) must see the committed row, not the copy loaded by the first.
        row = self._session.scalar(
            select(RefreshTokenRow)
            .where(RefreshTokenRow.token_hash == token_hash)
            .execution_options(populate_existing=True)
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

    def revoke_user(self, user_id: UUID, at: datetime) -> None:
        self._session.execute(
            update(RefreshTokenRow)
            .where(RefreshTokenRow.user_id == user_id, RefreshTokenRow.revoked_at.is_(None))
            .values(revoked_at=at)
        )

    def live_access_tokens(
        self, at: datetime, *, family_id: UUID | None = None, user_id: UUID | None = None
    ) -> list[tuple[str, datetime]]:
        if family_id is None and user_id is None:
            raise ValueError("name a family or a user")
        scope = (
            RefreshTokenRow.family_id == family_id
            if family_id is not None
            else RefreshTokenRow.user_id == user_id
        )
        rows = self._session.execute(
            select(RefreshTokenRow.access_jti, RefreshTokenRow.access_expires_at).where(
                scope,
                RefreshTokenRow.access_jti.is_not(None),
                RefreshTokenRow.access_expires_at > at,
            )
        )
        return [(jti, expires_at) for jti, expires_at in rows if jti and expires_at]


class SqlRevokedAccessTokenRepository:
    def __init__(self, session: Session, auth_changed: AuthChange):
        self._session = session
        self._auth_changed = auth_changed

    def add(self, tokens: list[tuple[str, datetime]]) -> None:
        if not tokens:
            return
        self._auth_changed()
        dialect = self._session.get_bind().dialect.name
        insert = sqlite_insert if dialect == "sqlite" else pg_insert
        # Two revocations of one session may race; the primary key keeps one entry.
        self._session.execute(
            insert(RevokedAccessTokenRow).on_conflict_do_nothing(),
            [{"jti": jti, "expires_at": expires_at} for jti, expires_at in tokens],
        )

    def is_revoked(self, jti: str) -> bool:
        found = self._session.scalar(
            select(RevokedAccessTokenRow.jti).where(RevokedAccessTokenRow.jti == jti)
        )
        return found is not None

    def sweep(self, before: datetime) -> int:
        result = self._session.execute(
            delete(RevokedAccessTokenRow).where(RevokedAccessTokenRow.expires_at < before)
        )
        return int(getattr(result, "rowcount", 0) or 0)
