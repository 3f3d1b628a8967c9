"""Sessions through the core services on both databases: concurrent refreshes (threads), the
grace window, the access-token deny-list (logout, reuse, deactivation) and its sweep."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from masthead.core.errors import (
    BuiltinTypeProtected,
    InvalidCredentials,
    InvalidRefreshToken,
    InvalidToken,
    TokenNotFound,
    UserNotFound,
)
from masthead.core.models import Actor, Role, Space, TokenKind, TokenPair
from masthead.core.security import TokenSigner
from masthead.core.services import accounts, auth, content_types
from masthead.ratelimit import LimitsRateLimiter
from masthead.storage.tables import RevokedAccessTokenRow
from masthead.storage.uow import Database
from tests.conftest import TEST_SECRET, FakeClock
from tests.factories import FAST_PASSWORDS, PASSWORD, make_user

ACCESS_TTL = timedelta(minutes=15)
GRACE = timedelta(seconds=10)


@pytest.fixture
def policy(clock: FakeClock) -> auth.AuthPolicy:
    return auth.AuthPolicy(
        signer=TokenSigner(TEST_SECRET, ACCESS_TTL),
        clock=clock,
        limiter=LimitsRateLimiter(),
        refresh_ttl=timedelta(days=1),
        login_limit="1000/minute",
        passwords=FAST_PASSWORDS,
        refresh_grace=GRACE,
    )


@pytest.fixture
def alice(db: Database, clock: FakeClock, space: Space) -> str:
    make_user(db, clock, "alice", Role.EDITOR)
    return "alice"


def _login(db: Database, policy: auth.AuthPolicy, username: str) -> TokenPair:
    return auth.login(db.uow(), policy, username, PASSWORD, "test").tokens


def _works(db: Database, policy: auth.AuthPolicy, access_token: str) -> bool:
    try:
        principal = auth.authenticate(db.read_uow(), db.uow(), policy, access_token)
    except InvalidToken:
        return False
    return principal.kind is TokenKind.ACCESS


def _deny_list_size(db: Database) -> int:
    with db.read_uow() as uow:
        count = uow.session.scalar(select(func.count()).select_from(RevokedAccessTokenRow))
    return int(count or 0)


def test_ten_concurrent_refreshes_of_one_token_all_succeed(
    db: Database, policy: auth.AuthPolicy, alice: str
) -> None:
    first = _login(db, policy, alice)
    barrier = threading.Barrier(10)

    def refresh() -> TokenPair:
        barrier.wait()
        return auth.refresh(db.uow(), policy, first.refresh_token)

    with ThreadPoolExecutor(max_workers=10) as pool:
        pairs = list(pool.map(lambda _: refresh(), range(10)))

    assert len({p.refresh_token for p in pairs}) == 10
    for pair in pairs:
        assert _works(db, policy, pair.access_token)
        rotated = auth.refresh(db.uow(), policy, pair.refresh_token)
        assert _works(db, policy, rotated.access_token)


def test_reuse_after_the_window_revokes_the_family_and_denies_its_access_tokens(
    db: Database, policy: auth.AuthPolicy, clock: FakeClock, alice: str
) -> None:
    first = _login(db, policy, alice)
    other = _login(db, policy, alice)
    sibling_a = auth.refresh(db.uow(), policy, first.refresh_token)
    clock.advance(GRACE.total_seconds() - 1)
    sibling_b = auth.refresh(db.uow(), policy, first.refresh_token)  # still inside the window
    clock.advance(1)

    with pytest.raises(InvalidRefreshToken, match="reuse"):
        auth.refresh(db.uow(), policy, first.refresh_token)

    for pair in (sibling_a, sibling_b):
        with pytest.raises(InvalidRefreshToken):
            auth.refresh(db.uow(), policy, pair.refresh_token)
        assert not _works(db, policy, pair.access_token)
    assert not _works(db, policy, first.access_token)
    assert _works(db, policy, other.access_token)
    assert auth.refresh(db.uow(), policy, other.refresh_token)


def test_an_expired_token_is_refused_even_within_the_window(
    db: Database, policy: auth.AuthPolicy, clock: FakeClock, alice: str
) -> None:
    first = _login(db, policy, alice)
    clock.advance(timedelta(days=1).total_seconds())
    with pytest.raises(InvalidRefreshToken, match="expired"):
        auth.refresh(db.uow(), policy, first.refresh_token)


def test_logout_denies_the_sessions_access_tokens_until_they_expire_then_sweeps_them(
    db: Database, policy: auth.AuthPolicy, clock: FakeClock, alice: str
) -> None:
    first = _login(db, policy, alice)
    rotated = auth.refresh(db.uow(), policy, first.refresh_token)

    auth.logout(db.uow(), policy, rotated.refresh_token)

    assert not _works(db, policy, first.access_token)
    assert not _works(db, policy, rotated.access_token)
    assert _deny_list_size(db) == 2
    clock.advance(ACCESS_TTL.total_seconds() + 1)
    later = _login(db, policy, alice)
    auth.logout(db.uow(), policy, later.refresh_token)
    assert _deny_list_size(db) == 1  # the expired entries went with this revocation


def test_revoking_one_access_token_by_itself(
    db: Database, policy: auth.AuthPolicy, alice: str
) -> None:
    pair = _login(db, policy, alice)
    auth.revoke_access_token(db.uow(), policy, pair.access_token)
    auth.revoke_access_token(db.uow(), policy, pair.access_token)  # twice is harmless
    auth.revoke_access_token(db.uow(), policy, "not-a-token")
    assert not _works(db, policy, pair.access_token)
    assert auth.refresh(db.uow(), policy, pair.refresh_token)


def test_deactivating_a_user_ends_every_session(
    db: Database, policy: auth.AuthPolicy, clock: FakeClock, alice: str
) -> None:
    sessions = [_login(db, policy, alice) for _ in range(2)]

    user = accounts.deactivate_user_by_name(db.uow(), clock, " Alice ")

    assert not user.is_active
    for pair in sessions:
        assert not _works(db, policy, pair.access_token)
        with pytest.raises(InvalidRefreshToken):
            auth.refresh(db.uow(), policy, pair.refresh_token)
    with pytest.raises(InvalidCredentials):
        _login(db, policy, alice)
    with pytest.raises(UserNotFound):
        accounts.deactivate_user_by_name(db.uow(), clock, "nobody")


def test_the_operator_revokes_any_api_token_once(
    db: Database, policy: auth.AuthPolicy, clock: FakeClock, space: Space
) -> None:
    created = accounts.create_api_token(db.uow(), clock, space.slug, Role.EDITOR)
    assert auth.authenticate(db.read_uow(), db.uow(), policy, created.secret).api_token

    accounts.revoke_any_api_token(db.uow(), clock, created.token.id)

    with pytest.raises(InvalidToken):
        auth.authenticate(db.read_uow(), db.uow(), policy, created.secret)
    with pytest.raises(TokenNotFound):
        accounts.revoke_any_api_token(db.uow(), clock, created.token.id)
    [listed] = accounts.list_space_api_tokens(db.read_uow(), space.slug)
    assert listed.revoked_at == clock()


@pytest.mark.parametrize("name", ["post", "page"])
def test_built_in_types_cannot_be_deleted_even_with_force(
    db: Database, admin: Actor, name: str
) -> None:
    with pytest.raises(BuiltinTypeProtected, match=f"'{name}' is a built-in content type"):
        content_types.delete_type(db.uow(), admin, name, force=True)
    assert content_types.get_type(db.read_uow(), admin, name).is_builtin
