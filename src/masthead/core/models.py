"""What services return: immutable domain values, never ORM rows.

The names here are the core's vocabulary (space, not site or app). Dialects translate.
"""

from __future__ import annotations

import enum
from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict


class Role(enum.StrEnum):
    ADMIN = "admin"
    EDITOR = "editor"
    VIEWER = "viewer"


class TokenKind(enum.StrEnum):
    ACCESS = "access"  # a short-lived JWT issued at login
    API = "api"  # a long-lived API token scoped to one space and one role
    ANONYMOUS = "anonymous"


class DomainModel(BaseModel):
    model_config = ConfigDict(frozen=True)


class Space(DomainModel):
    id: UUID
    slug: str
    name: str
    is_public_read: bool = False
    created_at: datetime


class Membership(DomainModel):
    space_id: UUID
    space_slug: str
    role: Role


class User(DomainModel):
    id: UUID
    username: str
    name: str
    is_superuser: bool
    is_active: bool
    created_at: datetime
    memberships: tuple[Membership, ...] = ()

    def role_in(self, space_id: UUID) -> Role | None:
        for membership in self.memberships:
            if membership.space_id == space_id:
                return membership.role
        return None


class ApiToken(DomainModel):
    """An API token's metadata. The secret itself is shown once, at creation, and never stored."""

    id: UUID
    space_id: UUID
    role: Role
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


class NewApiToken(DomainModel):
    token: ApiToken
    secret: str


class Principal(DomainModel):
    """Who is calling, before a space is chosen: the result of checking a bearer token."""

    kind: TokenKind
    user: User | None = None
    api_token: ApiToken | None = None

    @property
    def default_space_id(self) -> UUID | None:
        if self.api_token is not None:
            return self.api_token.space_id
        if self.user is not None and self.user.memberships:
            return self.user.memberships[0].space_id
        return None


class Actor(DomainModel):
    """Who is acting, in which space, with which role. Every service call takes one."""

    space: Space
    role: Role | None
    kind: TokenKind
    user_id: UUID | None = None
    username: str | None = None
    api_token_id: UUID | None = None
    is_superuser: bool = False
    # Through what the actor acts: the API (dialect) name, "import", "cli"; recorded as a
    # document's provenance when it creates one. None: not said.
    via: str | None = None

    @property
    def space_id(self) -> UUID:
        return self.space.id


class TokenPair(DomainModel):
    access_token: str
    refresh_token: str
    access_expires_at: datetime
    refresh_expires_at: datetime


class Login(DomainModel):
    tokens: TokenPair
    user: User
