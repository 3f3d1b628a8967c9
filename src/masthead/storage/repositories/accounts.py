"""Repositories for spaces, users and memberships: rows in, core models out."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from masthead.core.errors import SpaceNotFound, UserNotFound
from masthead.core.models import Membership, Role, Space, User
from masthead.core.ports import UserCredentials
from masthead.storage.repositories.generations import AuthChange
from masthead.storage.tables import MembershipRow, SpaceRow, UserRow


def _space(row: SpaceRow) -> Space:
    return Space(
        id=row.id,
        slug=row.slug,
        name=row.name,
        is_public_read=row.is_public_read,
        created_at=row.created_at,
    )


class SqlSpaceRepository:
    def __init__(self, session: Session, auth_changed: AuthChange):
        self._session = session
        self._auth_changed = auth_changed  # an actor holds its space's name and settings

    def get(self, space_id: UUID) -> Space:
        row = self._session.get(SpaceRow, space_id)
        if row is None:
            raise SpaceNotFound()
        return _space(row)

    def find_by_slug(self, slug: str) -> Space | None:
        row = self._session.scalar(select(SpaceRow).where(SpaceRow.slug == slug))
        return _space(row) if row else None

    def get_by_slug(self, slug: str) -> Space:
        space = self.find_by_slug(slug)
        if space is None:
            raise SpaceNotFound(f"Space '{slug}' not found")
        return space

    def list(self) -> list[Space]:
        return [_space(r) for r in self._session.scalars(select(SpaceRow).order_by(SpaceRow.slug))]

    def add(self, space: Space) -> None:
        self._session.add(
            SpaceRow(
                id=space.id,
                slug=space.slug,
                name=space.name,
                is_public_read=space.is_public_read,
                created_at=space.created_at,
            )
        )
        self._session.flush()

    def update(self, space: Space) -> None:
        row = self._session.get(SpaceRow, space.id)
        if row is None:
            raise SpaceNotFound()
        row.name = space.name
        row.is_public_read = space.is_public_read
        self._session.flush()
        self._auth_changed()

    def count(self) -> int:
        return self._session.scalar(select(func.count()).select_from(SpaceRow)) or 0


class SqlUserRepository:
    def __init__(self, session: Session, auth_changed: AuthChange):
        self._session = session
        self._auth_changed = auth_changed  # roles and being active decide what an actor may do

    def _memberships(self, user_id: UUID) -> tuple[Membership, ...]:
        rows = self._session.execute(
            select(MembershipRow.space_id, SpaceRow.slug, MembershipRow.role)
            .join(SpaceRow, SpaceRow.id == MembershipRow.space_id)
            .where(MembershipRow.user_id == user_id)
            .order_by(MembershipRow.created_at, SpaceRow.slug)
        )
        return tuple(Membership(space_id=s, space_slug=slug, role=Role(r)) for s, slug, r in rows)

    def _user(self, row: UserRow) -> User:
        return User(
            id=row.id,
            username=row.username,
            name=row.name,
            is_superuser=row.is_superuser,
            is_active=row.is_active,
            created_at=row.created_at,
            memberships=self._memberships(row.id),
        )

    def get(self, user_id: UUID) -> User:
        row = self._session.get(UserRow, user_id)
        if row is None:
            raise UserNotFound()
        return self._user(row)

    def find_credentials(self, username: str) -> UserCredentials | None:
        row = self._session.scalar(select(UserRow).where(UserRow.username == username))
        if row is None:
            return None
        return UserCredentials(user=self._user(row), password_hash=row.password_hash)

    def exists(self, username: str) -> bool:
        return (
            self._session.scalar(select(UserRow.id).where(UserRow.username == username)) is not None
        )

    def add(self, user: User, password_hash: str) -> None:
        self._session.add(
            UserRow(
                id=user.id,
                username=user.username,
                name=user.name,
                password_hash=password_hash,
                is_superuser=user.is_superuser,
                is_active=user.is_active,
                created_at=user.created_at,
            )
        )
        self._session.flush()

    def set_password_hash(self, user_id: UUID, password_hash: str) -> None:
        row = self._session.get(UserRow, user_id)
        if row is None:
            raise UserNotFound()
        row.password_hash = password_hash
        self._session.flush()

    def set_active(self, user_id: UUID, is_active: bool) -> None:
        row = self._session.get(UserRow, user_id)
        if row is None:
            raise UserNotFound()
        row.is_active = is_active
        self._session.flush()
        self._auth_changed()

    def add_membership(self, user_id: UUID, space_id: UUID, role: Role, at: datetime) -> None:
        row = self._session.get(MembershipRow, (user_id, space_id))
        if row is None:
            self._session.add(
                MembershipRow(user_id=user_id, space_id=space_id, role=role.value, created_at=at)
            )
        else:
            row.role = role.value
        self._session.flush()
        self._auth_changed()

    def remove_membership(self, user_id: UUID, space_id: UUID) -> None:
        row = self._session.get(MembershipRow, (user_id, space_id))
        if row is not None:
            self._session.delete(row)
            self._session.flush()
            self._auth_changed()

    def count(self) -> int:
        return self._session.scalar(select(func.count()).select_from(UserRow)) or 0
