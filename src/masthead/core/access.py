"""Roles and space checks: the one place that says who may do what.

Every service calls ``require`` before touching data, so the rules hold for every dialect,
the CLI and the worker alike.
"""

from __future__ import annotations

import enum
from typing import NoReturn
from uuid import UUID

from masthead.core.errors import AuthRequired, Forbidden, SpaceAccessDenied, SpaceNotFound
from masthead.core.models import Actor, Principal, Role, Space, TokenKind


class Permission(enum.StrEnum):
    READ = "read"  # read working copies (draft perspective)
    READ_PUBLISHED = "read_published"
    WRITE = "write"  # create and edit content
    REVIEW = "review"  # submit, approve, reject
    PUBLISH = "publish"  # publish, unpublish, archive
    MANAGE_SCHEMA = "manage_schema"  # content types
    MANAGE_SPACE = "manage_space"  # members, tokens, settings
    DELETE = "delete"
    READ_SUBMISSIONS = "read_submissions"  # what visitors sent through forms


_EDITOR = frozenset(
    {
        Permission.READ,
        Permission.READ_PUBLISHED,
        Permission.WRITE,
        Permission.REVIEW,
        Permission.PUBLISH,
        Permission.DELETE,
        Permission.READ_SUBMISSIONS,
    }
)

GRANTS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.EDITOR: _EDITOR,
    Role.VIEWER: frozenset({Permission.READ, Permission.READ_PUBLISHED}),
}


def can(actor: Actor, permission: Permission) -> bool:
    if actor.is_superuser:
        return True
    if actor.role is None:
        # Anonymous readers of a public space may read what is published, nothing else.
        return permission is Permission.READ_PUBLISHED and actor.space.is_public_read
    return permission in GRANTS[actor.role]


def require(actor: Actor, permission: Permission) -> None:
    """Raise unless ``actor`` holds ``permission`` in its space."""
    if can(actor, permission):
        return
    if actor.kind is TokenKind.ANONYMOUS:
        raise AuthRequired()
    role = actor.role.value if actor.role else "no role"
    raise Forbidden(f"Your role ({role}) may not {permission.value.replace('_', ' ')} here")


def require_same_space(actor: Actor, space_id: UUID) -> None:
    if actor.space_id != space_id:
        raise SpaceAccessDenied()


def system_actor(space: Space) -> Actor:
    """Masthead itself acting in ``space`` (CLI commands, importers): an admin, no user."""
    return Actor(space=space, role=Role.ADMIN, kind=TokenKind.ACCESS, username="masthead")


def actor_for(principal: Principal, space: Space) -> Actor:
    """Resolve the role ``principal`` holds in ``space``; refuse when it holds none there.

    API tokens are bound to one space. Users act with their membership role; a superuser
    without a membership acts as admin. Anonymous callers get no role (see ``can``).
    """
    if principal.kind is TokenKind.ANONYMOUS:
        return Actor(space=space, role=None, kind=principal.kind)
    if principal.api_token is not None:
        if principal.api_token.space_id != space.id:
            raise SpaceAccessDenied(_OTHER_SPACE_MESSAGE)
        return Actor(
            space=space,
            role=principal.api_token.role,
            kind=TokenKind.API,
            api_token_id=principal.api_token.id,
        )
    user = principal.user
    if user is None:  # pragma: no cover - a Principal always has one of the three
        raise AuthRequired()
    role = user.role_in(space.id)
    if role is None and not user.is_superuser:
        raise SpaceAccessDenied()
    return Actor(
        space=space,
        role=role or Role.ADMIN,
        kind=TokenKind.ACCESS,
        user_id=user.id,
        username=user.username,
        is_superuser=user.is_superuser,
    )


_OTHER_SPACE_MESSAGE = "This API token belongs to another space"


def refuse_unknown_space(principal: Principal, slug: str) -> NoReturn:
    """Answer a request for a space that does not exist exactly as ``actor_for`` answers one
    that ``principal`` may not enter, so that nobody learns which space slugs exist:
    SpaceAccessDenied, and for anonymous callers AuthRequired (what a private space answers
    them). Superusers, who may enter every space, learn that it is missing."""
    if principal.kind is TokenKind.ANONYMOUS:
        raise AuthRequired()
    if principal.api_token is not None:
        raise SpaceAccessDenied(_OTHER_SPACE_MESSAGE)
    if principal.user is not None and principal.user.is_superuser:
        raise SpaceNotFound(f"Space '{slug}' not found")
    raise SpaceAccessDenied()
