"""Authentication: login, refresh-token rotation with reuse detection, logout, and turning a
bearer token plus a requested space into an Actor.

Every dialect's login, refresh and "me" calls these, so rate limits and rotation rules hold
for all of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID, uuid4

from masthead.core import access, security
from masthead.core.errors import (
    AuthRequired,
    InvalidCredentials,
    InvalidRefreshToken,
    InvalidToken,
    RateLimited,
    UserNotFound,
)
from masthead.core.models import Actor, Login, Principal, Space, TokenKind, TokenPair, User
from masthead.core.ports import Clock, RateLimiter, RefreshTokenRecord, UnitOfWork
from masthead.core.services.accounts import normalize_username

DEFAULT_SPACE_SLUG = "default"
# Writing last_used_at on every request would turn each read into a write; once a minute is
# precise enough to tell a live token from a forgotten one.
API_TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)


@dataclass(frozen=True)
class AuthPolicy:
    """What the auth services need besides storage: signer, password hasher, lifetimes,
    limits, clock."""

    signer: security.TokenSigner
    clock: Clock
    limiter: RateLimiter
    refresh_ttl: timedelta
    login_limit: str  # e.g. "10/minute", per username and per client address
    passwords: security.Passwords = security.DEFAULT_PASSWORDS


def _issue_pair(uow: UnitOfWork, policy: AuthPolicy, user_id: UUID, family_id: UUID) -> TokenPair:
    now = policy.clock()
    access_token, access_expires = policy.signer.issue(user_id, now)
    refresh_secret = security.new_secret()
    record = RefreshTokenRecord(
        id=uuid4(),
        user_id=user_id,
        family_id=family_id,
        created_at=now,
        expires_at=now + policy.refresh_ttl,
        used_at=None,
        revoked_at=None,
    )
    uow.refresh_tokens.add(record, security.hash_secret(refresh_secret))
    return TokenPair(
        access_token=access_token,
        refresh_token=refresh_secret,
        access_expires_at=access_expires,
        refresh_expires_at=record.expires_at,
    )


def login(uow: UnitOfWork, policy: AuthPolicy, username: str, password: str, client: str) -> Login:
    """Check credentials and start a new refresh-token family.

    Raises RateLimited (per username and per client), InvalidCredentials.
    """
    username = normalize_username(username)
    for key in (f"user:{username}", f"client:{client}"):
        retry_after = policy.limiter.hit(policy.login_limit, "login", key)
        if retry_after is not None:
            raise RateLimited(retry_after, "Too many login attempts; try again later")
    with uow:
        credentials = uow.users.find_credentials(username)
        password_hash = credentials.password_hash if credentials else None
        if not policy.passwords.verify(password_hash, password) or credentials is None:
            raise InvalidCredentials()
        user = credentials.user
        if not user.is_active:
            raise InvalidCredentials()
        if policy.passwords.needs_rehash(credentials.password_hash):
            uow.users.set_password_hash(user.id, policy.passwords.hash(password))
        tokens = _issue_pair(uow, policy, user.id, family_id=uuid4())
        uow.commit()
    return Login(tokens=tokens, user=user)


def refresh(uow: UnitOfWork, policy: AuthPolicy, refresh_token: str) -> TokenPair:
    """Rotate a refresh token. A token presented twice revokes its whole family.

    Raises InvalidRefreshToken.
    """
    now = policy.clock()
    with uow:
        record = uow.refresh_tokens.find_by_hash(security.hash_secret(refresh_token))
        if record is None:
            raise InvalidRefreshToken()
        if record.used_at is not None or record.revoked_at is not None:
            uow.refresh_tokens.revoke_family(record.family_id, now)
            uow.commit()
            raise InvalidRefreshToken("Refresh token reuse detected; the session was revoked")
        if record.expires_at <= now:
            raise InvalidRefreshToken("Refresh token expired")
        if not uow.refresh_tokens.mark_used(record.id, now):
            # A concurrent caller rotated it between our read and our write: reuse.
            uow.refresh_tokens.revoke_family(record.family_id, now)
            uow.commit()
            raise InvalidRefreshToken("Refresh token reuse detected; the session was revoked")
        user = uow.users.get(record.user_id)
        if not user.is_active:
            raise InvalidRefreshToken()
        tokens = _issue_pair(uow, policy, user.id, record.family_id)
        uow.commit()
    return tokens


def logout(uow: UnitOfWork, policy: AuthPolicy, refresh_token: str) -> None:
    """Revoke the refresh token's family. Unknown tokens are ignored: logout always succeeds."""
    with uow:
        record = uow.refresh_tokens.find_by_hash(security.hash_secret(refresh_token))
        if record is not None:
            uow.refresh_tokens.revoke_family(record.family_id, policy.clock())
            uow.commit()


def authenticate(
    uow: UnitOfWork, write_uow: UnitOfWork, policy: AuthPolicy, bearer: str | None
) -> Principal:
    """Turn a bearer token (access JWT or API token) into a Principal; None is anonymous.

    Reads through ``uow``; ``write_uow`` only records an API token's last use, at most once
    a minute, in its own short transaction. Raises InvalidToken.
    """
    if not bearer:
        return Principal(kind=TokenKind.ANONYMOUS)
    with uow:
        principal = _principal(uow, policy, bearer)
    _touch_api_token(write_uow, policy, principal)
    return principal


def resolve_actor(uow: UnitOfWork, principal: Principal, space_slug: str | None) -> Actor:
    """Pick the request's space (named, else the token's default, else ``default``) and the
    role the principal holds there.

    Raises SpaceNotFound, SpaceAccessDenied.
    """
    with uow:
        space = _space(uow, principal, space_slug)
    return access.actor_for(principal, space)


def authenticate_actor(
    uow: UnitOfWork,
    write_uow: UnitOfWork,
    policy: AuthPolicy,
    bearer: str | None,
    space_slug: str | None,
) -> Actor:
    """``authenticate`` then ``resolve_actor`` in one read transaction: what every request
    needs first, so it costs one transaction instead of two. Raises InvalidToken,
    SpaceNotFound, SpaceAccessDenied."""
    with uow:
        principal = (
            _principal(uow, policy, bearer) if bearer else Principal(kind=TokenKind.ANONYMOUS)
        )
        space = _space(uow, principal, space_slug)
    _touch_api_token(write_uow, policy, principal)
    return access.actor_for(principal, space)


def _principal(uow: UnitOfWork, policy: AuthPolicy, bearer: str) -> Principal:
    """The caller a bearer token names, read through the open ``uow``."""
    if bearer.startswith(security.API_TOKEN_PREFIX):
        token = uow.api_tokens.find_by_hash(security.hash_secret(bearer))
        if token is None or token.revoked_at is not None:
            raise InvalidToken("API token is invalid or revoked")
        return Principal(kind=TokenKind.API, api_token=token)
    claims = policy.signer.verify(bearer, policy.clock())
    try:
        user = uow.users.get(claims.user_id)
    except UserNotFound as exc:  # the user was deleted after the token was issued
        raise InvalidToken() from exc
    if not user.is_active:
        raise InvalidToken()
    return Principal(kind=TokenKind.ACCESS, user=user)


def _touch_api_token(write_uow: UnitOfWork, policy: AuthPolicy, principal: Principal) -> None:
    token = principal.api_token
    now = policy.clock()
    if token is None:
        return
    if token.last_used_at is None or now - token.last_used_at > API_TOKEN_TOUCH_INTERVAL:
        with write_uow:
            write_uow.api_tokens.touch(token.id, now)
            write_uow.commit()


def _space(uow: UnitOfWork, principal: Principal, space_slug: str | None) -> Space:
    if space_slug:
        return uow.spaces.get_by_slug(space_slug)
    if principal.default_space_id is not None:
        return uow.spaces.get(principal.default_space_id)
    return uow.spaces.get_by_slug(DEFAULT_SPACE_SLUG)


def current_user(principal: Principal) -> User:
    """The logged-in user. Raises AuthRequired for anonymous and API-token callers."""
    if principal.user is None:
        raise AuthRequired("This route needs a user's access token")
    return principal.user
