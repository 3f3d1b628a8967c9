"""Wire models of the native /v1 API (camelCase keys, as ``native-v1-routes.md`` names them)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import Field

from masthead.api.wire import WireModel
from masthead.core import limits
from masthead.core.models import Role, User


class MembershipOut(WireModel):
    spaceId: UUID
    space: str
    role: Role


class UserOut(WireModel):
    id: UUID
    username: str
    name: str
    isSuperuser: bool
    isActive: bool = True
    memberships: list[MembershipOut]
    createdAt: datetime

    @classmethod
    def of(cls, user: User) -> UserOut:
        return cls(
            id=user.id,
            username=user.username,
            name=user.name,
            isSuperuser=user.is_superuser,
            isActive=user.is_active,
            memberships=[
                MembershipOut(spaceId=m.space_id, space=m.space_slug, role=m.role)
                for m in user.memberships
            ],
            createdAt=user.created_at,
        )


class TokenRequest(WireModel):
    username: str = Field(min_length=1, max_length=limits.MAX_USERNAME)
    password: str = Field(min_length=1, max_length=limits.MAX_SECRET)


class TokenResponse(WireModel):
    accessToken: str
    refreshToken: str
    tokenType: str = "Bearer"
    expiresAt: datetime
    refreshExpiresAt: datetime
    user: UserOut


class RefreshRequest(WireModel):
    refreshToken: str = Field(min_length=1, max_length=limits.MAX_SECRET)


class RefreshResponse(WireModel):
    accessToken: str
    refreshToken: str
    tokenType: str = "Bearer"
    expiresAt: datetime
    refreshExpiresAt: datetime


class OkResponse(WireModel):
    ok: bool = True


class MeResponse(WireModel):
    user: UserOut
