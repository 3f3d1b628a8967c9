"""Spaces, users, memberships and API tokens: creating and listing them.

Used by the CLI, by first-start bootstrap and (later) by the admin routes of the native API.
"""

from __future__ import annotations

import re
from uuid import UUID, uuid4

from masthead.core import access, security
from masthead.core.access import Permission
from masthead.core.errors import FieldError, Invalid, SpaceSlugTaken, TokenNotFound, UsernameTaken
from masthead.core.models import Actor, ApiToken, NewApiToken, Role, Space, User
from masthead.core.ports import Clock, UnitOfWork
from masthead.core.services.content_types import seed_builtin_types

SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.@-]{0,63}$")


def normalize_username(username: str) -> str:
    return username.strip().lower()


def create_space(uow: UnitOfWork, clock: Clock, slug: str, name: str | None = None) -> Space:
    """Create a space. Raises Invalid (bad slug), SpaceSlugTaken."""
    if not SLUG_PATTERN.match(slug):
        raise Invalid(
            "Invalid space slug",
            details=[FieldError("slug", "use lowercase letters, digits and hyphens (max 64)")],
        )
    space = Space(id=uuid4(), slug=slug, name=name or slug, created_at=clock())
    with uow:
        if uow.spaces.find_by_slug(slug) is not None:
            raise SpaceSlugTaken(f"Space '{slug}' already exists")
        uow.spaces.add(space)
        seed_builtin_types(uow, clock, space.id)
        uow.commit()
    return space


def set_public_read(uow: UnitOfWork, space_slug: str, is_public_read: bool) -> Space:
    """Let anonymous callers read what is published in a space (off by default).

    Raises SpaceNotFound."""
    with uow:
        space = uow.spaces.get_by_slug(space_slug)
        updated = space.model_copy(update={"is_public_read": is_public_read})
        uow.spaces.update(updated)
        uow.commit()
    return updated


def create_user(
    uow: UnitOfWork,
    clock: Clock,
    username: str,
    password: str,
    *,
    role: Role | None = None,
    space_slug: str | None = None,
    name: str | None = None,
    is_superuser: bool = False,
    passwords: security.Passwords = security.DEFAULT_PASSWORDS,
) -> User:
    """Create a user, with a membership when ``role`` and ``space_slug`` are given; the
    password is hashed with ``passwords``.

    Raises Invalid (bad username), WeakPassword, UsernameTaken, SpaceNotFound.
    """
    username = normalize_username(username)
    if not USERNAME_PATTERN.match(username):
        raise Invalid(
            "Invalid username",
            details=[FieldError("username", "use letters, digits and _ . @ - (max 64)")],
        )
    security.check_password_strength(password, username)
    password_hash = passwords.hash(password)
    now = clock()
    with uow:
        if uow.users.exists(username):
            raise UsernameTaken(f"User '{username}' already exists")
        user_id = uuid4()
        user = User(
            id=user_id,
            username=username,
            name=name or username,
            is_superuser=is_superuser,
            is_active=True,
            created_at=now,
        )
        uow.users.add(user, password_hash)
        if role is not None and space_slug is not None:
            space = uow.spaces.get_by_slug(space_slug)
            uow.users.add_membership(user_id, space.id, role, now)
        user = uow.users.get(user_id)
        uow.commit()
    return user


def create_api_token(
    uow: UnitOfWork, clock: Clock, space_slug: str, role: Role, name: str | None = None
) -> NewApiToken:
    """Create an API token bound to one space and role; the secret is returned only here."""
    secret = security.new_secret(security.API_TOKEN_PREFIX)
    with uow:
        space = uow.spaces.get_by_slug(space_slug)
        token = ApiToken(
            id=uuid4(),
            space_id=space.id,
            role=role,
            name=name or f"{role.value} token",
            prefix=secret[:10],
            created_at=clock(),
        )
        uow.api_tokens.add(token, security.hash_secret(secret))
        uow.commit()
    return NewApiToken(token=token, secret=secret)


def list_api_tokens(uow: UnitOfWork, actor: Actor) -> list[ApiToken]:
    access.require(actor, Permission.MANAGE_SPACE)
    with uow:
        return uow.api_tokens.list(actor.space_id)


def revoke_api_token(uow: UnitOfWork, clock: Clock, actor: Actor, token_id: UUID) -> None:
    """Raises Forbidden, TokenNotFound."""
    access.require(actor, Permission.MANAGE_SPACE)
    with uow:
        if not uow.api_tokens.revoke(actor.space_id, token_id, clock()):
            raise TokenNotFound()
        uow.commit()


def bootstrap(
    uow: UnitOfWork,
    clock: Clock,
    admin_username: str,
    admin_password: str | None,
    *,
    passwords: security.Passwords = security.DEFAULT_PASSWORDS,
) -> tuple[User, str] | None:
    """On an empty database, create the space ``default`` and a superuser admin in it.

    Returns the admin and the password used (generated when none is given), or None when the
    database already holds users.
    """
    with uow:
        if uow.users.count() > 0:
            return None
        has_default = uow.spaces.find_by_slug("default") is not None
    if not has_default:
        create_space(uow, clock, "default", "Default")
    password = admin_password or security.generate_password()
    user = create_user(
        uow,
        clock,
        admin_username,
        password,
        role=Role.ADMIN,
        space_slug="default",
        name="Administrator",
        is_superuser=True,
        passwords=passwords,
    )
    return user, password
