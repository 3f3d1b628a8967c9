"""Renewing an access token with itself: a valid token of an active user gets a fresh one;
expired, malformed and API tokens do not."""

from __future__ import annotations

from datetime import timedelta

import pytest

from masthead.core.errors import AuthRequired, InvalidToken
from masthead.core.models import Role
from masthead.core.security import TokenSigner
from masthead.core.services import auth, token_renewal
from masthead.ratelimit import LimitsRateLimiter
from masthead.storage.uow import Database
from tests.conftest import FakeClock
from tests.factories import FAST_PASSWORDS, PASSWORD, make_api_token, make_space, make_user

SECRET = "k" * 40


@pytest.fixture
def policy(clock: FakeClock) -> auth.AuthPolicy:
    return auth.AuthPolicy(
        signer=TokenSigner(SECRET, timedelta(minutes=15)),
        clock=clock,
        limiter=LimitsRateLimiter(),
        refresh_ttl=timedelta(days=1),
        login_limit="1000/minute",
        passwords=FAST_PASSWORDS,
    )


def test_a_valid_access_token_is_renewed(
    db: Database, clock: FakeClock, policy: auth.AuthPolicy
) -> None:
    make_space(db, clock)
    user = make_user(db, clock, "ren", Role.EDITOR)
    login = auth.login(db.uow(), policy, "ren", PASSWORD, "test")
    clock.advance(60)
    token, expires_at, renewed_for = token_renewal.renew_access_token(
        db.read_uow(), db.uow(), policy, login.tokens.access_token
    )
    assert renewed_for.id == user.id
    assert expires_at > login.tokens.access_expires_at
    assert auth.authenticate(db.read_uow(), db.uow(), policy, token).user == renewed_for


def test_expired_missing_and_api_tokens_are_not_renewed(
    db: Database, clock: FakeClock, policy: auth.AuthPolicy
) -> None:
    make_space(db, clock)
    make_user(db, clock, "ren", Role.EDITOR)
    login = auth.login(db.uow(), policy, "ren", PASSWORD, "test")
    with pytest.raises(AuthRequired):
        token_renewal.renew_access_token(db.read_uow(), db.uow(), policy, None)
    api_token = make_api_token(db, clock, "default", Role.EDITOR)
    with pytest.raises(InvalidToken):
        token_renewal.renew_access_token(db.read_uow(), db.uow(), policy, api_token)
    clock.advance(16 * 60)
    with pytest.raises(InvalidToken):
        token_renewal.renew_access_token(db.read_uow(), db.uow(), policy, login.tokens.access_token)
