"""Secrets: password hashing (argon2), signed access tokens (JWT, HS256), hashed tokens at rest.

Pure functions and small objects (``Passwords``, the signers); nothing here touches storage.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from masthead.core.errors import FieldError, InvalidToken, WeakPassword

API_TOKEN_PREFIX = "mh_"  # noqa: S105 - a public marker, not a secret
MIN_PASSWORD_LENGTH = 10
_COMMON_PASSWORDS = frozenset(
    {"password", "password1", "password123", "1234567890", "qwertyuiop", "letmein123", "admin12345"}
)


class Passwords:
    """Password hashing with argon2id. Services that hash or check a password receive one, so
    a test can hand them cheap parameters instead of patching a module global."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self._hasher = hasher or PasswordHasher()
        # A hash of a random password, verified against when the username is unknown, so a
        # login for a missing user costs the same time as one with a wrong password.
        self._dummy_hash = self._hasher.hash(secrets.token_urlsafe(16))

    @classmethod
    def for_tests(cls) -> Passwords:
        """Still argon2id, at the smallest sensible cost: for tests that create users and log
        in but do not test hashing. Never for stored production passwords."""
        return cls(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str | None, password: str) -> bool:
        """True only for a usable hash of ``password``; None (no such user) costs the same."""
        try:
            is_match = self._hasher.verify(password_hash or self._dummy_hash, password)
        except (VerificationError, InvalidHashError):
            return False
        return is_match and password_hash is not None

    def needs_rehash(self, password_hash: str) -> bool:
        """True when the hash was made with other parameters than this hasher's."""
        return self._hasher.check_needs_rehash(password_hash)


# Production parameters (argon2-cffi's defaults); what the CLI and the app use unless told.
DEFAULT_PASSWORDS = Passwords()


def check_password_strength(password: str, username: str = "") -> None:
    """Raise WeakPassword naming what is wrong; passphrases of plain words are fine."""
    problems: list[str] = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"must be at least {MIN_PASSWORD_LENGTH} characters")
    if len(set(password)) < 5:
        problems.append("must use at least 5 different characters")
    if password.lower() in _COMMON_PASSWORDS:
        problems.append("is a commonly used password")
    if username and username.lower() in password.lower():
        problems.append("must not contain the username")
    if problems:
        raise WeakPassword(
            "Password is too weak: " + "; ".join(problems),
            details=[FieldError("password", p) for p in problems],
        )


def generate_password() -> str:
    return secrets.token_urlsafe(18)


def new_secret(prefix: str = "") -> str:
    return prefix + secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    """Tokens are high-entropy, so a fast hash is enough at rest (unlike passwords)."""
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class AccessClaims:
    user_id: UUID
    jti: str
    issued_at: datetime
    expires_at: datetime


class TokenSigner:
    """Issues and checks access tokens. Only the configured algorithm is ever accepted, so
    ``alg: none`` and algorithm-confusion tokens are refused."""

    ALGORITHM = "HS256"

    def __init__(self, secret_key: str, ttl: timedelta, issuer: str = "masthead"):
        self._key = secret_key
        self._ttl = ttl
        self._issuer = issuer

    def issue(self, user_id: UUID, now: datetime, jti: str | None = None) -> tuple[str, datetime]:
        """A signed access token and its expiry; ``jti`` (default: a fresh one) names it on
        the deny-list should it be revoked early."""
        expires_at = now + self._ttl
        claims: dict[str, Any] = {
            "sub": str(user_id),
            "jti": jti or uuid4().hex,
            "iat": int(now.timestamp()),
            "exp": int(expires_at.timestamp()),
            "iss": self._issuer,
            "typ": "access",
        }
        return jwt.encode(claims, self._key, algorithm=self.ALGORITHM), expires_at

    def verify(self, token: str, now: datetime) -> AccessClaims:
        try:
            claims = jwt.decode(
                token,
                self._key,
                algorithms=[self.ALGORITHM],
                issuer=self._issuer,
                options={"require": ["exp", "iat", "sub", "jti"], "verify_exp": False},
            )
        except jwt.PyJWTError as exc:
            raise InvalidToken() from exc
        expires, issued = _timestamp(claims["exp"]), _timestamp(claims["iat"])
        # Expiry is checked against our clock, not the wall clock, so tests can move time.
        if expires <= int(now.timestamp()) or claims.get("typ") != "access":
            raise InvalidToken()
        try:
            user_id = UUID(str(claims["sub"]))
        except ValueError as exc:
            raise InvalidToken() from exc
        return AccessClaims(
            user_id=user_id,
            jti=str(claims["jti"]),
            issued_at=datetime.fromtimestamp(issued, tz=now.tzinfo),
            expires_at=datetime.fromtimestamp(expires, tz=now.tzinfo),
        )


# 9999-12-31T23:59:59Z, the last second a datetime holds.
MAX_TIMESTAMP = 253_402_300_799


def _timestamp(value: Any) -> int:
    """A NumericDate claim (RFC 7519: a JSON number of seconds) as whole seconds. Raises
    InvalidToken for anything else (a string, a boolean, NaN) and for moments no datetime
    holds (``1e30``): a correctly signed token may still carry them."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidToken()
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidToken()
    if not 0 <= value <= MAX_TIMESTAMP:
        raise InvalidToken()
    return int(value)


@dataclass(frozen=True)
class UrlSigner:
    """HMAC-SHA256 signatures for URLs that grant something until a moment (upload URLs,
    later preview links): the signature covers a purpose, a subject and the expiry."""

    key: bytes

    def sign(self, purpose: str, subject: str, expires: int) -> str:
        message = f"{purpose}\n{subject}\n{expires}".encode()
        return hmac.new(self.key, message, hashlib.sha256).hexdigest()

    def is_valid(self, purpose: str, subject: str, expires: int, signature: str) -> bool:
        # As bytes: compare_digest refuses str holding non-ASCII characters (TypeError), and
        # a signature comes from a query string anyone can write.
        expected = self.sign(purpose, subject, expires).encode()
        return hmac.compare_digest(expected, signature.encode("utf-8", "replace"))
