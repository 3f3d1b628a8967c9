"""Wire models of the native account administration routes (``accounts.py``)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import Field

from masthead.api.native.schemas import UserOut
from masthead.api.wire import WireModel
from masthead.core.models import ApiToken, Role


class RoleBody(WireModel):
    role: Role | None = Field(
        description="The user's role in the request's space; null takes their membership away"
    )


class UserResponse(WireModel):
    user: UserOut


class DeactivatedUserResponse(WireModel):
    ok: bool = True
    user: UserOut


class ApiTokenOut(WireModel):
    id: UUID
    name: str
    role: Role
    prefix: str
    createdAt: datetime
    lastUsedAt: datetime | None
    revokedAt: datetime | None

    @classmethod
    def of(cls, token: ApiToken) -> ApiTokenOut:
        return cls(
            id=token.id,
            name=token.name,
            role=token.role,
            prefix=token.prefix,
            createdAt=token.created_at,
            lastUsedAt=token.last_used_at,
            revokedAt=token.revoked_at,
        )


class ApiTokenList(WireModel):
    items: list[ApiTokenOut]
