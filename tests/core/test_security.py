"""core/security.py: password hashing and strength, access-token signing, secrets at rest."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import jwt
import pytest
from argon2 import PasswordHasher

from masthead.core import security
from masthead.core.errors import Invalid, InvalidToken, WeakPassword
from masthead.core.security import TokenSigner

SECRET = "unit-test-signing-key-0123456789-abcdefghij"
TTL = timedelta(minutes=15)
NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
PASSWORDS = security.DEFAULT_PASSWORDS  # the production parameters, not the tests' cheap ones


@pytest.fixture(scope="module")
def stored_hash() -> str:
    return PASSWORDS.hash("correct-horse-battery")


# --- passwords --------------------------------------------------------------------------------


def test_password_hash_is_salted_argon2id(stored_hash: str) -> None:
    assert stored_hash.startswith("$argon2id$")
    assert "correct-horse-battery" not in stored_hash
    # A fresh salt each time: equal passwords do not give equal hashes.
    assert PASSWORDS.hash("correct-horse-battery") != stored_hash


def test_verify_password_accepts_only_the_right_password(stored_hash: str) -> None:
    assert PASSWORDS.verify(stored_hash, "correct-horse-battery")
    assert not PASSWORDS.verify(stored_hash, "correct-horse-batterY")
    assert not PASSWORDS.verify(stored_hash, "")
    assert not PASSWORDS.verify(stored_hash, "correct-horse-battery ")


def test_verify_password_is_false_without_a_usable_hash() -> None:
    # No user (None): checked against a dummy hash for equal timing, and still refused.
    assert not PASSWORDS.verify(None, "correct-horse-battery")
    assert not PASSWORDS.verify("not-an-argon2-hash", "correct-horse-battery")
    assert not PASSWORDS.verify("", "")


def test_hash_with_weaker_parameters_needs_rehash(stored_hash: str) -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash("pw-123456789")
    assert PASSWORDS.needs_rehash(weak)
    assert not PASSWORDS.needs_rehash(stored_hash)


def test_the_cheap_test_hasher_is_argon2id_and_its_hashes_verify_anywhere(stored_hash: str) -> None:
    cheap = security.Passwords.for_tests()
    weak = cheap.hash("correct-horse-battery")
    assert weak.startswith("$argon2id$")
    # The parameters travel in the hash, so either hasher checks either hash.
    assert PASSWORDS.verify(weak, "correct-horse-battery")
    assert cheap.verify(stored_hash, "correct-horse-battery")
    assert not cheap.verify(None, "correct-horse-battery")
    assert cheap.needs_rehash(stored_hash)


def _problems(password: str, username: str = "") -> list[str]:
    with pytest.raises(WeakPassword) as caught:
        security.check_password_strength(password, username)
    error = caught.value
    assert isinstance(error, Invalid)  # a validation error: 422 at the edge
    assert error.details
    assert {d.field for d in error.details} == {"password"}
    messages = [d.message for d in error.details]
    for message in messages:
        assert message in error.message
    return messages


def test_short_password_is_refused() -> None:
    assert _problems("Tr0ub4d!") == ["must be at least 10 characters"]


def test_password_with_few_distinct_characters_is_refused() -> None:
    assert _problems("abababababab") == ["must use at least 5 different characters"]


def test_password_containing_the_username_is_refused() -> None:
    assert _problems("alice-in-wonderland", "alice") == ["must not contain the username"]
    assert _problems("my-ALICE-password!", "Alice") == ["must not contain the username"]


def test_common_password_is_refused() -> None:
    assert "is a commonly used password" in _problems("Password123")
    assert "is a commonly used password" in _problems("qwertyuiop")


def test_every_problem_is_reported_at_once() -> None:
    problems = _problems("bob", "bob")
    assert "must be at least 10 characters" in problems
    assert "must use at least 5 different characters" in problems
    assert "must not contain the username" in problems


def test_passphrase_is_accepted() -> None:
    security.check_password_strength("correct-horse-battery", "alice")
    security.check_password_strength(security.generate_password(), "alice")


# --- access tokens ----------------------------------------------------------------------------


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _claims(**changes: Any) -> dict[str, Any]:
    claims: dict[str, Any] = {
        "sub": str(uuid4()),
        "jti": uuid4().hex,
        "iat": int(NOW.timestamp()),
        "exp": int((NOW + TTL).timestamp()),
        "iss": "masthead",
        "typ": "access",
    }
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def _hmac_token(claims: dict[str, Any], alg: str, digestmod: Any, key: str = SECRET) -> str:
    header = _b64url(json.dumps({"alg": alg, "typ": "JWT"}).encode())
    signing_input = f"{header}.{_b64url(json.dumps(claims).encode())}"
    signature = hmac.new(key.encode(), signing_input.encode(), digestmod).digest()
    return f"{signing_input}.{_b64url(signature)}"


@pytest.fixture
def signer() -> TokenSigner:
    return TokenSigner(SECRET, TTL)


def test_issued_token_verifies_to_its_claims(signer: TokenSigner) -> None:
    user_id = uuid4()
    token, expires_at = signer.issue(user_id, NOW)
    assert expires_at == NOW + TTL
    assert jwt.get_unverified_header(token)["alg"] == "HS256"

    claims = signer.verify(token, NOW)
    assert claims.user_id == user_id
    assert claims.issued_at == NOW
    assert claims.expires_at == NOW + TTL
    assert claims.jti
    # Each token has its own id, even for the same user at the same moment.
    assert signer.verify(signer.issue(user_id, NOW)[0], NOW).jti != claims.jti


def test_token_expires_at_its_ttl_by_the_given_clock(signer: TokenSigner) -> None:
    token, _ = signer.issue(uuid4(), NOW)
    signer.verify(token, NOW + TTL - timedelta(seconds=1))
    with pytest.raises(InvalidToken):
        signer.verify(token, NOW + TTL)
    with pytest.raises(InvalidToken):
        signer.verify(token, NOW + timedelta(days=1))


def test_expiry_follows_the_given_time_not_the_wall_clock(signer: TokenSigner) -> None:
    long_ago = datetime(2001, 1, 1, tzinfo=UTC)
    token, _ = signer.issue(uuid4(), long_ago)
    signer.verify(token, long_ago + timedelta(minutes=1))  # long expired by the wall clock


def test_hand_built_hs256_token_verifies(signer: TokenSigner) -> None:
    """The control for the refusals below: the builder makes tokens the signer accepts."""
    signer.verify(_hmac_token(_claims(), "HS256", hashlib.sha256), NOW)


@pytest.mark.parametrize(
    ("alg", "digestmod"),
    [
        ("HS512", hashlib.sha512),
        ("HS384", hashlib.sha384),
        ("RS256", hashlib.sha256),  # algorithm confusion: HMAC under an RSA label
        ("none", hashlib.sha256),
    ],
)
def test_token_with_another_algorithm_is_refused(
    signer: TokenSigner, alg: str, digestmod: Any
) -> None:
    with pytest.raises(InvalidToken):
        signer.verify(_hmac_token(_claims(), alg, digestmod), NOW)


def test_unsigned_token_is_refused(signer: TokenSigner) -> None:
    with pytest.raises(InvalidToken):
        signer.verify(jwt.encode(_claims(), key=None, algorithm="none"), NOW)


def test_token_signed_with_another_key_is_refused(signer: TokenSigner) -> None:
    other = TokenSigner("another-signing-key-0123456789-abcdefghijk", TTL)
    token, _ = other.issue(uuid4(), NOW)
    with pytest.raises(InvalidToken):
        signer.verify(token, NOW)


@pytest.mark.parametrize(
    "claims",
    [
        _claims(iss="someone-else"),
        _claims(typ="refresh"),
        _claims(typ=None),
        _claims(exp=None),
        _claims(iat=None),
        _claims(sub=None),
        _claims(jti=None),
        _claims(sub="not-a-uuid"),
    ],
    ids=["issuer", "type", "no-type", "no-exp", "no-iat", "no-sub", "no-jti", "bad-sub"],
)
def test_token_with_wrong_or_missing_claims_is_refused(
    signer: TokenSigner, claims: dict[str, Any]
) -> None:
    with pytest.raises(InvalidToken):
        signer.verify(jwt.encode(claims, SECRET, algorithm="HS256"), NOW)


@pytest.mark.parametrize("token", ["", "garbage", "a.b.c", "a.b", "...."])
def test_malformed_token_is_refused(signer: TokenSigner, token: str) -> None:
    with pytest.raises(InvalidToken):
        signer.verify(token, NOW)


# --- secrets at rest --------------------------------------------------------------------------


def test_hash_secret_is_deterministic_and_not_the_secret() -> None:
    secret = security.new_secret(security.API_TOKEN_PREFIX)
    digest = security.hash_secret(secret)
    assert digest == security.hash_secret(secret)
    assert digest != secret
    assert secret not in digest
    assert len(digest) == 64
    assert int(digest, 16) >= 0  # hex
    assert security.hash_secret(secret + "x") != digest


def test_new_secrets_are_long_unique_and_prefixed() -> None:
    secrets = {security.new_secret(security.API_TOKEN_PREFIX) for _ in range(50)}
    assert len(secrets) == 50
    for secret in secrets:
        assert secret.startswith("mh_")
        assert len(secret) >= 40
    assert not security.new_secret().startswith("mh_")
