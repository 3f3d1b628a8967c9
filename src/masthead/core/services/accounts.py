"""Spaces, users, memberships and API tokens: creating, listing, deactivating and revoking them.

Used by the CLI, by first-start bootstrap and by the admin routes of the native API. The CLI
acts as the operator (no actor); the routes' services check the actor's rights first.
"""

from __future__ import annotations

import re
from uuid import UUID, uuid4

from masthead.core import access, security
from masthead.core.access import Permission
from masthead.core.errors import (
    FieldError,
    Forbidden,
    Invalid,
    SpaceSlugTaken,
    TokenNotFound,
    UsernameTaken,
    UserNotFound,
)
from masthead.core.models import Actor, ApiToken, NewApiToken, Role, Space, TokenKind, User
from masthead.core.ports import Clock, UnitOfWork
from masthead.core.services import sessions
from masthead.core.services.content_types import seed_builtin_types

# \Z, not $: "$" also matches before a final newline, which would let "slug\n" through.
SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?\Z")
USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.@-]{0,63}\Z")


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
    """Revoke an API token of the actor's space; it stops working at once.

    Raises Forbidden, TokenNotFound (also for another space's token, or one already revoked).
    """
    access.require(actor, Permission.MANAGE_SPACE)
    with uow:
        if not uow.api_tokens.revoke(actor.space_id, token_id, clock()):
            raise TokenNotFound()
        uow.commit()


def list_space_api_tokens(uow: UnitOfWork, space_slug: str) -> list[ApiToken]:
    """Every API token of a space, revoked ones included (the operator's view, for the CLI).

    Raises SpaceNotFound."""
    with uow:
        return uow.api_tokens.list(uow.spaces.get_by_slug(space_slug).id)


def revoke_any_api_token(uow: UnitOfWork, clock: Clock, token_id: UUID) -> None:
    """Revoke an API token of any space (the operator, through the CLI).

    Raises TokenNotFound (also for a token already revoked)."""
    with uow:
        if not uow.api_tokens.revoke(None, token_id, clock()):
            raise TokenNotFound(f"No active API token with id {token_id}")
        uow.commit()


def _require_admin_of_another(actor: Actor, user_id: UUID, refusal: str) -> None:
    """Only a space's admins manage its users, and none manages their own account (which
    could lock the space out of its last admin). Raises Forbidden."""
    access.require(actor, Permission.MANAGE_SPACE)
    if actor.kind is TokenKind.ACCESS and actor.user_id == user_id:
        raise Forbidden(refusal)


def deactivate_user(uow: UnitOfWork, clock: Clock, actor: Actor, user_id: UUID) -> User:
    """Deactivate a user: they can no longer log in or refresh, and their access tokens stop
    working at once. A superuser may deactivate anyone; a space admin only users who belong
    to the admin's space and to no other, and who are not superusers (tenants stay apart).
    Nobody deactivates themselves.

    Raises Forbidden, UserNotFound (also for users the actor may not see).
    """
    _require_admin_of_another(actor, user_id, "You cannot deactivate yourself")
    with uow:
        user = uow.users.get(user_id)
        if not actor.is_superuser:
            spaces = {m.space_id for m in user.memberships}
            if actor.space_id not in spaces:
                raise UserNotFound()
            if user.is_superuser or spaces != {actor.space_id}:
                raise Forbidden(
                    "This user belongs to other spaces too (or is a superuser); "
                    "only a superuser may deactivate them"
                )
        user = _deactivate(uow, clock, user)
        uow.commit()
    return user


def set_member_role(
    uow: UnitOfWork, clock: Clock, actor: Actor, user_id: UUID, role: Role | None
) -> User:
    """Give a user ``role`` in the actor's space, or (None) take their membership away. The
    user's next request acts with the new role: cached actors are resolved again
    (``core/services/actors.py``). A superuser may give a role to any user; a space admin
    only change or remove the roles of their own space's members. Nobody changes their own.

    Raises Forbidden, UserNotFound (also for users the actor may not see).
    """
    _require_admin_of_another(actor, user_id, "You cannot change your own role")
    with uow:
        user = uow.users.get(user_id)
        if not actor.is_superuser and user.role_in(actor.space_id) is None:
            raise UserNotFound()
        if role is None:
            uow.users.remove_membership(user_id, actor.space_id)
        else:
            uow.users.add_membership(user_id, actor.space_id, role, clock())
        user = uow.users.get(user_id)
        uow.commit()
    return user


def deactivate_user_by_name(uow: UnitOfWork, clock: Clock, username: str) -> User:
    """Deactivate a user by username (the operator, through the CLI); see deactivate_user.

    Raises UserNotFound."""
    username = normalize_username(username)
    with uow:
        credentials = uow.users.find_credentials(username)
        if credentials is None:
            raise UserNotFound(f"User '{username}' not found")
        user = _deactivate(uow, clock, credentials.user)
        uow.commit()
    return user


def _deactivate(uow: UnitOfWork, clock: Clock, user: User) -> User:
    uow.users.set_active(user.id, False)
    sessions.revoke_user_sessions(uow, user.id, clock())
    return user.model_copy(update={"is_active": False})


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
