"""Authentication: login, refresh-token rotation with reuse detection, logout, and turning a
bearer token plus a requested space into an Actor.

A refresh token presented again within a short grace window after its rotation (two tabs of
one browser refreshing at once) gets a new token of the same family instead of revoking it;
presented later, it is a reuse and revokes the family. Logout and reuse detection also deny
the family's unexpired access tokens (``sessions.py``), checked on every request.

Every dialect's login, refresh and "me" calls these, so rate limits and rotation rules hold
for all of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
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
from masthead.core.services import sessions
from masthead.core.services.accounts import normalize_username

DEFAULT_SPACE_SLUG = "default"
# Writing last_used_at on every request would turn each read into a write; once a minute is
# precise enough to tell a live token from a forgotten one.
API_TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)
# Long enough for requests sent together (tabs, retries) to arrive; short enough that a stolen
# token replayed later is still caught as a reuse. MASTHEAD_REFRESH_REUSE_GRACE_SECONDS.
DEFAULT_REFRESH_GRACE = timedelta(seconds=10)


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
    refresh_grace: timedelta = DEFAULT_REFRESH_GRACE


def _issue_pair(uow: UnitOfWork, policy: AuthPolicy, user_id: UUID, family_id: UUID) -> TokenPair:
    now = policy.clock()
    jti = uuid4().hex
    access_token, access_expires = policy.signer.issue(user_id, now, jti=jti)
    refresh_secret = security.new_secret()
    record = RefreshTokenRecord(
        id=uuid4(),
        user_id=user_id,
        family_id=family_id,
        created_at=now,
        expires_at=now + policy.refresh_ttl,
        used_at=None,
        revoked_at=None,
        access_jti=jti,
        access_expires_at=access_expires,
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
    """Rotate a refresh token into a new pair of the same family.

    Presented again within ``policy.refresh_grace`` of its rotation, the token gets another
    new pair of its family (every caller of a concurrent burst succeeds, and every token
    returned works); presented after that, or once revoked, it revokes its whole family.
    Raises InvalidRefreshToken.
    """
    now = policy.clock()
    token_hash = security.hash_secret(refresh_token)
    with uow:
        record = uow.refresh_tokens.find_by_hash(token_hash)
        if record is None:
            raise InvalidRefreshToken()
        is_fresh = record.used_at is None and record.revoked_at is None
        is_expired = record.expires_at <= now
        if is_fresh and not is_expired and not uow.refresh_tokens.mark_used(record.id, now):
            # A concurrent caller rotated it between our read and our write: see what it left.
            record = uow.refresh_tokens.find_by_hash(token_hash)
            if record is None:  # pragma: no cover - the user was deleted meanwhile
                raise InvalidRefreshToken()
            is_fresh = False
        if not is_fresh and not _within_grace(record, now, policy.refresh_grace):
            sessions.revoke_family(uow, record.family_id, now)
            uow.commit()
            if record.revoked_at is not None:
                raise InvalidRefreshToken()
            raise InvalidRefreshToken("Refresh token reuse detected; the session was revoked")
        if is_expired:
            raise InvalidRefreshToken("Refresh token expired")
        user = uow.users.get(record.user_id)
        if not user.is_active:
            raise InvalidRefreshToken()
        tokens = _issue_pair(uow, policy, user.id, record.family_id)
        uow.commit()
    return tokens


def _within_grace(record: RefreshTokenRecord, now: datetime, grace: timedelta) -> bool:
    """True for a token rotated (not revoked) less than ``grace`` ago: a concurrent sibling.
    A zero grace makes every second use a reuse."""
    if record.revoked_at is not None or record.used_at is None:
        return False
    return now - record.used_at < grace


def logout(
    uow: UnitOfWork, policy: AuthPolicy, refresh_token: str | None, access_token: str | None = None
) -> None:
    """End a session: revoke the refresh token's family and deny the access tokens issued in
    it, and ``access_token`` (the caller's own bearer) when given. Unknown, expired or
    malformed tokens are ignored: logout always succeeds."""
    now = policy.clock()
    own = _access_token_entry(policy, access_token, now)
    with uow:
        record = (
            uow.refresh_tokens.find_by_hash(security.hash_secret(refresh_token))
            if refresh_token
            else None
        )
        if record is not None:
            sessions.revoke_family(uow, record.family_id, now)
        if own is not None:
            sessions.deny(uow, [own], now)
        if record is not None or own is not None:
            uow.commit()


def revoke_access_token(uow: UnitOfWork, policy: AuthPolicy, access_token: str) -> None:
    """Deny one access token until it expires (a dialect's logout by bearer token alone).
    Anything that is not a valid access token is ignored."""
    logout(uow, policy, None, access_token)


def _access_token_entry(
    policy: AuthPolicy, access_token: str | None, now: datetime
) -> tuple[str, datetime] | None:
    if not access_token or access_token.startswith(security.API_TOKEN_PREFIX):
        return None  # API tokens are revoked by id (accounts.revoke_api_token), not by logout
    try:
        claims = policy.signer.verify(access_token, now)
    except InvalidToken:
        return None
    return claims.jti, claims.expires_at


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
        principal, _ = _principal(uow, policy, bearer)
    _touch_api_token(write_uow, policy, principal)
    return principal


def resolve_actor(uow: UnitOfWork, principal: Principal, space_slug: str | None) -> Actor:
    """Pick the request's space (named, else the token's default, else ``default``) and the
    role the principal holds there.

    Raises SpaceAccessDenied (also for a space that does not exist), AuthRequired (an
    anonymous caller naming a space that does not exist), SpaceNotFound (superusers only).
    """
    with uow:
        space = _space(uow, principal, space_slug)
    return access.actor_for(principal, space)


@dataclass(frozen=True)
class ResolvedActor:
    """An actor with what says how long it may be trusted: its principal (an API token's
    last use) and, for an access token, its expiry."""

    actor: Actor
    principal: Principal
    expires_at: datetime | None


def authenticate_actor(
    uow: UnitOfWork,
    write_uow: UnitOfWork,
    policy: AuthPolicy,
    bearer: str | None,
    space_slug: str | None,
) -> Actor:
    """``authenticate`` then ``resolve_actor`` in one read transaction: what every request
    needs first, so it costs one transaction instead of two. Raises InvalidToken, and as
    ``resolve_actor``."""
    return resolve_bearer(uow, write_uow, policy, bearer, space_slug).actor


def resolve_bearer(
    uow: UnitOfWork,
    write_uow: UnitOfWork,
    policy: AuthPolicy,
    bearer: str | None,
    space_slug: str | None,
) -> ResolvedActor:
    """As ``authenticate_actor``, with the principal and the access token's expiry."""
    expires_at = None
    with uow:
        if bearer:
            principal, expires_at = _principal(uow, policy, bearer)
        else:
            principal = Principal(kind=TokenKind.ANONYMOUS)
        space = _space(uow, principal, space_slug)
    _touch_api_token(write_uow, policy, principal)
    return ResolvedActor(access.actor_for(principal, space), principal, expires_at)


def _principal(
    uow: UnitOfWork, policy: AuthPolicy, bearer: str
) -> tuple[Principal, datetime | None]:
    """The caller a bearer token names, read through the open ``uow``, and when the token
    expires (None: an API token, which lasts until revoked)."""
    if bearer.startswith(security.API_TOKEN_PREFIX):
        token = uow.api_tokens.find_by_hash(security.hash_secret(bearer))
        if token is None or token.revoked_at is not None:
            raise InvalidToken("API token is invalid or revoked")
        return Principal(kind=TokenKind.API, api_token=token), None
    claims = policy.signer.verify(bearer, policy.clock())
    if uow.revoked_access_tokens.is_revoked(claims.jti):  # logged out or session revoked
        raise InvalidToken()
    try:
        user = uow.users.get(claims.user_id)
    except UserNotFound as exc:  # the user was deleted after the token was issued
        raise InvalidToken() from exc
    if not user.is_active:
        raise InvalidToken()
    return Principal(kind=TokenKind.ACCESS, user=user), claims.expires_at


def touch_due(last_used_at: datetime | None, now: datetime) -> bool:
    """Whether an API token last used at ``last_used_at`` should have its use written."""
    return last_used_at is None or now - last_used_at > API_TOKEN_TOUCH_INTERVAL


def _touch_api_token(write_uow: UnitOfWork, policy: AuthPolicy, principal: Principal) -> None:
    token = principal.api_token
    now = policy.clock()
    if token is None:
        return
    if touch_due(token.last_used_at, now):
        record_api_token_use(write_uow, token.id, now)


def record_api_token_use(write_uow: UnitOfWork, token_id: UUID, now: datetime) -> None:
    """Write an API token's last use, in its own short transaction."""
    with write_uow:
        write_uow.api_tokens.touch(token_id, now)
        write_uow.commit()


def _space(uow: UnitOfWork, principal: Principal, space_slug: str | None) -> Space:
    if space_slug:
        # Slugs are lowercase, so "DEFAULT" names "default"; a space that does not exist is
        # answered like one the caller may not enter (access.refuse_unknown_space).
        space = uow.spaces.find_by_slug(space_slug.lower())
        if space is None:
            access.refuse_unknown_space(principal, space_slug)
        return space
    if principal.default_space_id is not None:
        return uow.spaces.get(principal.default_space_id)
    return uow.spaces.get_by_slug(DEFAULT_SPACE_SLUG)


def current_user(principal: Principal) -> User:
    """The logged-in user. Raises AuthRequired for anonymous and API-token callers."""
    if principal.user is None:
        raise AuthRequired("This route needs a user's access token")
    return principal.user
