"""Native /v1/auth: login, refresh rotation and reuse detection, logout, access-token checks,
and (at the core level, on the real database) how a bearer token becomes an actor in a space."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import json
from datetime import datetime, timedelta
from typing import Any
from uuid import uuid4

import httpx
import jwt
import pytest
from fastapi import FastAPI
from sqlalchemy import update

from masthead.api.context import CurrentActor
from masthead.core import access
from masthead.core.access import Permission
from masthead.core.errors import InvalidToken, SpaceAccessDenied, SpaceNotFound
from masthead.core.models import Principal, Role, TokenKind
from masthead.core.security import DEFAULT_PASSWORDS, TokenSigner
from masthead.core.services import accounts, auth
from masthead.core.services.auth import AuthPolicy
from masthead.ratelimit import LimitsRateLimiter
from masthead.settings import Settings
from masthead.storage.tables import SpaceRow
from masthead.storage.uow import Database
from tests.api.errors import assert_error
from tests.conftest import TEST_SECRET, FakeClock
from tests.factories import (
    FAST_PASSWORDS,
    PASSWORD,
    Session,
    login,
    make_api_token,
    make_space,
    make_user,
)

pytestmark = pytest.mark.anyio

WHOAMI = "/v1/test-whoami"


# --- helpers ----------------------------------------------------------------------------------


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _b64url_json(value: dict[str, Any]) -> str:
    return _b64url(json.dumps(value, separators=(",", ":")).encode())


def _unb64url(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _claims(user_id: str, now: datetime, ttl: int = 600) -> dict[str, Any]:
    """Claims exactly like the ones TokenSigner issues, so only the signing part differs."""
    return {
        "sub": user_id,
        "jti": "0123456789abcdef",
        "iat": int(now.timestamp()),
        "exp": int(now.timestamp()) + ttl,
        "iss": "masthead",
        "typ": "access",
    }


def _hmac_token(claims: dict[str, Any], key: str, alg: str, digestmod: Any) -> str:
    """A JWT whose header says ``alg`` and whose signature is an HMAC with ``digestmod``."""
    signing_input = f"{_b64url_json({'alg': alg, 'typ': 'JWT'})}.{_b64url_json(claims)}"
    signature = hmac.new(key.encode(), signing_input.encode(), digestmod).digest()
    return f"{signing_input}.{_b64url(signature)}"


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _refresh(client: httpx.AsyncClient, refresh_token: str) -> httpx.Response:
    return await client.post("/v1/auth/refresh", json={"refreshToken": refresh_token})


async def _me(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.get("/v1/auth/me", headers=_bearer(token))


def _add_whoami_route(app: FastAPI) -> None:
    """A throwaway route that needs an actor: the /v1 routes that do are not written yet."""

    @app.get(WHOAMI)
    def whoami(actor: CurrentActor) -> dict[str, str | None]:
        return {
            "space": actor.space.slug,
            "role": actor.role.value if actor.role else None,
            "kind": actor.kind.value,
        }


@pytest.fixture
def alice(db: Database, clock: FakeClock) -> str:
    make_space(db, clock)
    make_user(db, clock, "alice", Role.EDITOR)
    return "alice"


@pytest.fixture
async def session(client: httpx.AsyncClient, alice: str) -> Session:
    return await login(client, alice)


# --- POST /v1/auth/token ----------------------------------------------------------------------


async def test_login_returns_tokens_and_user_with_memberships(
    client: httpx.AsyncClient, db: Database, alice: str
) -> None:
    response = await client.post("/v1/auth/token", json={"username": "alice", "password": PASSWORD})
    assert response.status_code == 200
    body = response.json()
    assert {"accessToken", "refreshToken", "user"} <= set(body)
    assert body["accessToken"]
    assert body["refreshToken"]
    assert body["accessToken"] != body["refreshToken"]
    user = body["user"]
    assert user["username"] == "alice"
    with db.read_uow() as uow:
        space_id = str(uow.spaces.get_by_slug("default").id)
    assert user["memberships"] == [{"spaceId": space_id, "space": "default", "role": "editor"}]
    me = await _me(client, body["accessToken"])
    assert me.status_code == 200
    assert me.json()["user"]["id"] == user["id"]


async def test_login_with_wrong_password_or_unknown_user_is_refused_alike(
    client: httpx.AsyncClient, alice: str
) -> None:
    wrong = await client.post("/v1/auth/token", json={"username": "alice", "password": "nope"})
    unknown = await client.post("/v1/auth/token", json={"username": "bob", "password": PASSWORD})
    assert_error(wrong, 401, "AUTH_INVALID")
    assert_error(unknown, 401, "AUTH_INVALID")
    assert "accessToken" not in wrong.text
    # Same answer for both, so the endpoint does not tell which usernames exist.
    assert unknown.json() == wrong.json()


async def test_login_username_is_case_insensitive(client: httpx.AsyncClient, alice: str) -> None:
    for spelling in ["ALICE", "Alice", "  alice  "]:
        response = await client.post(
            "/v1/auth/token", json={"username": spelling, "password": PASSWORD}
        )
        assert response.status_code == 200, (spelling, response.text)
        assert response.json()["user"]["username"] == "alice"


# --- refresh rotation -------------------------------------------------------------------------


async def test_refresh_rotates_to_a_new_refresh_token_each_time(
    client: httpx.AsyncClient, session: Session
) -> None:
    first = await _refresh(client, session.refresh_token)
    assert first.status_code == 200, first.text
    assert {"accessToken", "refreshToken"} <= set(first.json())
    second = await _refresh(client, first.json()["refreshToken"])
    assert second.status_code == 200, second.text

    refresh_tokens = {
        session.refresh_token,
        first.json()["refreshToken"],
        second.json()["refreshToken"],
    }
    assert len(refresh_tokens) == 3
    assert second.json()["accessToken"] != session.access_token
    # The new access token works, and the one issued before the refresh still does too:
    # access tokens live until they expire.
    assert (await _me(client, second.json()["accessToken"])).status_code == 200
    assert (await _me(client, session.access_token)).status_code == 200


async def test_reused_refresh_token_is_refused_and_revokes_its_family(
    client: httpx.AsyncClient, alice: str, clock: FakeClock, settings: Settings
) -> None:
    stolen = await login(client, alice)
    other_session = await login(client, alice)
    rotated = await _refresh(client, stolen.refresh_token)
    assert rotated.status_code == 200
    newest = rotated.json()["refreshToken"]
    # Past the grace window for concurrent refreshes (tests/api/native/test_sessions.py).
    clock.advance(settings.refresh_reuse_grace_seconds + 1)

    assert_error(await _refresh(client, stolen.refresh_token), 401, "AUTH_INVALID_REFRESH")
    # The reuse revoked the whole family: the newest token of it is refused as well ...
    assert_error(await _refresh(client, newest), 401, "AUTH_INVALID_REFRESH")
    # ... while another login's family is untouched.
    assert (await _refresh(client, other_session.refresh_token)).status_code == 200


async def test_refresh_with_unknown_token_is_refused(
    client: httpx.AsyncClient, session: Session
) -> None:
    assert_error(await _refresh(client, "not-a-real-token"), 401, "AUTH_INVALID_REFRESH")
    # An access token is not a refresh token.
    assert_error(await _refresh(client, session.access_token), 401, "AUTH_INVALID_REFRESH")


async def test_refresh_token_expires_after_its_ttl(
    client: httpx.AsyncClient, alice: str, clock: FakeClock, settings: Settings
) -> None:
    early = await login(client, alice)
    late = await login(client, alice)
    clock.advance(settings.refresh_token_ttl_seconds - 1)
    assert (await _refresh(client, early.refresh_token)).status_code == 200
    clock.advance(2)
    assert_error(await _refresh(client, late.refresh_token), 401, "AUTH_INVALID_REFRESH")


async def test_logout_revokes_the_session(client: httpx.AsyncClient, session: Session) -> None:
    rotated = (await _refresh(client, session.refresh_token)).json()["refreshToken"]
    response = await client.post("/v1/auth/logout", json={"refreshToken": rotated})
    assert response.status_code == 200
    assert response.json() == {"ok": True}
    assert_error(await _refresh(client, rotated), 401, "AUTH_INVALID_REFRESH")


async def test_logout_with_unknown_token_still_succeeds(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/auth/logout", json={"refreshToken": "unknown"})
    assert response.status_code == 200
    assert response.json() == {"ok": True}


# --- access tokens ----------------------------------------------------------------------------


async def test_me_without_token_requires_authentication(client: httpx.AsyncClient) -> None:
    assert_error(await client.get("/v1/auth/me"), 401, "AUTH_REQUIRED")


async def test_access_token_expires_after_its_ttl(
    client: httpx.AsyncClient, session: Session, clock: FakeClock, settings: Settings
) -> None:
    clock.advance(settings.access_token_ttl_seconds - 1)
    assert (await _me(client, session.access_token)).status_code == 200
    clock.advance(2)
    assert_error(await _me(client, session.access_token), 401, "AUTH_INVALID_TOKEN")


async def test_tampered_token_is_refused(
    client: httpx.AsyncClient, db: Database, clock: FakeClock, session: Session
) -> None:
    header, payload, signature = session.access_token.split(".")
    # Change the first character of the signature: the last one may only carry padding bits.
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    assert_error(await _me(client, f"{header}.{payload}.{flipped}"), 401, "AUTH_INVALID_TOKEN")

    bob = make_user(db, clock, "bob", Role.VIEWER)
    claims = json.loads(_unb64url(payload))
    claims["sub"] = str(bob.id)  # try to become bob with alice's signature
    forged = f"{header}.{_b64url_json(claims)}.{signature}"
    assert_error(await _me(client, forged), 401, "AUTH_INVALID_TOKEN")

    claims = json.loads(_unb64url(payload))
    claims["exp"] += 10**6  # try to extend one's own token
    extended = f"{header}.{_b64url_json(claims)}.{signature}"
    assert_error(await _me(client, extended), 401, "AUTH_INVALID_TOKEN")

    assert (await _me(client, session.access_token)).status_code == 200


async def _assert_hand_built_tokens_work(client: httpx.AsyncClient, claims: dict[str, Any]) -> None:
    """The control for the refusals: the same claims, signed HS256 with our secret, work."""
    token = _hmac_token(claims, TEST_SECRET, "HS256", hashlib.sha256)
    response = await _me(client, token)
    assert response.status_code == 200, response.text
    assert response.json()["user"]["username"] == "alice"


async def test_unsigned_token_is_refused(
    client: httpx.AsyncClient, session: Session, clock: FakeClock
) -> None:
    user_id = (await _me(client, session.access_token)).json()["user"]["id"]
    claims = _claims(user_id, clock())
    await _assert_hand_built_tokens_work(client, claims)

    tokens = [jwt.encode(claims, key=None, algorithm="none")]  # PyJWT's own unsigned token
    for alg in ("none", "None", "NONE"):
        header = _b64url_json({"alg": alg, "typ": "JWT"})
        tokens.append(f"{header}.{_b64url_json(claims)}.")
        # an unsigned header with the genuine HS256 signature of the same claims
        signature = _hmac_token(claims, TEST_SECRET, "HS256", hashlib.sha256).rsplit(".", 1)[1]
        tokens.append(f"{header}.{_b64url_json(claims)}.{signature}")
    for token in tokens:
        assert_error(await _me(client, token), 401, "AUTH_INVALID_TOKEN")


async def test_only_hs256_with_our_secret_is_accepted(
    client: httpx.AsyncClient, session: Session, clock: FakeClock
) -> None:
    user_id = (await _me(client, session.access_token)).json()["user"]["id"]
    claims = _claims(user_id, clock())
    await _assert_hand_built_tokens_work(client, claims)

    for alg, digestmod in [
        ("HS512", hashlib.sha512),
        ("HS384", hashlib.sha384),
        # Algorithm confusion: the header claims RSA or ECDSA, the signature is an HMAC.
        ("RS256", hashlib.sha256),
        ("ES256", hashlib.sha256),
    ]:
        response = await _me(client, _hmac_token(claims, TEST_SECRET, alg, digestmod))
        assert response.status_code == 401, alg
        assert_error(response, 401, "AUTH_INVALID_TOKEN")

    other_secret = "another-secret-key-that-is-long-enough-9876543210"
    other = jwt.encode(claims, other_secret, algorithm="HS256")
    assert_error(await _me(client, other), 401, "AUTH_INVALID_TOKEN")


async def test_malformed_authorization_header_is_refused(
    client: httpx.AsyncClient, session: Session
) -> None:
    token = session.access_token
    for authorization in [
        "Basic xyz",
        f"Basic {token}",
        "Bearer",
        "Bearer   ",
        f"Token {token}",
        f"Bearer{token}",
        "garbage",
    ]:
        response = await client.get("/v1/auth/me", headers={"Authorization": authorization})
        assert response.status_code == 401, authorization
        assert_error(response, 401, "AUTH_INVALID_TOKEN")
    # The scheme itself is case-insensitive (RFC 9110 §11.1).
    for scheme in ("bearer", "BEARER"):
        response = await client.get("/v1/auth/me", headers={"Authorization": f"{scheme} {token}"})
        assert response.status_code == 200, scheme


# --- API tokens and actors over HTTP ----------------------------------------------------------


@pytest.mark.fresh_app  # adds a route
async def test_api_token_works_as_bearer_on_a_route_that_needs_an_actor(
    app: FastAPI, client: httpx.AsyncClient, db: Database, clock: FakeClock
) -> None:
    _add_whoami_route(app)
    make_space(db, clock, "space-a")
    secret = make_api_token(db, clock, "space-a", Role.EDITOR)
    response = await client.get(WHOAMI, headers=_bearer(secret))
    assert response.status_code == 200, response.text
    assert response.json() == {"space": "space-a", "role": "editor", "kind": "api"}

    forged = secret[:-4] + ("aaaa" if not secret.endswith("aaaa") else "bbbb")
    assert_error(await client.get(WHOAMI, headers=_bearer(forged)), 401, "AUTH_INVALID_TOKEN")


@pytest.mark.fresh_app  # adds a route
async def test_api_token_for_another_space_is_forbidden(
    app: FastAPI, client: httpx.AsyncClient, db: Database, clock: FakeClock
) -> None:
    _add_whoami_route(app)
    make_space(db, clock, "space-a")
    make_space(db, clock, "space-b")
    secret = make_api_token(db, clock, "space-a", Role.ADMIN)
    response = await client.get(WHOAMI, headers={**_bearer(secret), "X-Space": "space-b"})
    assert_error(response, 403, "FORBIDDEN")


@pytest.mark.fresh_app  # adds a route
async def test_user_role_follows_the_x_space_header(
    app: FastAPI, client: httpx.AsyncClient, db: Database, clock: FakeClock
) -> None:
    _add_whoami_route(app)
    _two_spaces_alice_editor_then_viewer(db, clock)
    session = await login(client, "alice")
    default = await client.get(WHOAMI, headers=session.headers)
    in_b = await client.get(WHOAMI, headers={**session.headers, "X-Space": "space-b"})
    missing = await client.get(WHOAMI, headers={**session.headers, "X-Space": "nowhere"})
    assert default.json() == {"space": "space-a", "role": "editor", "kind": "access"}
    assert in_b.json() == {"space": "space-b", "role": "viewer", "kind": "access"}
    # As a space alice does not belong to: which slugs exist is not revealed (issue 13, #8).
    assert_error(missing, 403, "FORBIDDEN")


# --- core: bearer token → principal → actor, on the real database -----------------------------


@pytest.fixture
def policy(settings: Settings, clock: FakeClock) -> AuthPolicy:
    """Built as create_app builds it, without the cost of building an app."""
    return AuthPolicy(
        signer=TokenSigner(
            settings.signing_key(), timedelta(seconds=settings.access_token_ttl_seconds)
        ),
        clock=clock,
        limiter=LimitsRateLimiter(),
        refresh_ttl=timedelta(seconds=settings.refresh_token_ttl_seconds),
        login_limit=settings.login_rate_limit,
        passwords=FAST_PASSWORDS,
    )


def _principal(db: Database, policy: AuthPolicy, bearer: str | None) -> Principal:
    return auth.authenticate(db.read_uow(), db.uow(), policy, bearer)


def _user_principal(db: Database, policy: AuthPolicy, username: str) -> Principal:
    tokens = auth.login(db.uow(), policy, username, PASSWORD, "test-client").tokens
    return _principal(db, policy, tokens.access_token)


def _two_spaces_alice_editor_then_viewer(db: Database, clock: FakeClock) -> None:
    """Spaces space-a, space-b, space-c; alice is editor in A (joined first), viewer in B."""
    for slug in ("space-a", "space-b", "space-c"):
        make_space(db, clock, slug)
    alice = make_user(db, clock, "alice", Role.EDITOR, "space-a")
    clock.advance(1)
    with db.uow() as uow:
        space_b = uow.spaces.get_by_slug("space-b")
        uow.users.add_membership(alice.id, space_b.id, Role.VIEWER, clock())
        uow.commit()


def test_user_acts_with_the_role_of_the_requested_space(
    db: Database, clock: FakeClock, policy: AuthPolicy
) -> None:
    _two_spaces_alice_editor_then_viewer(db, clock)
    principal = _user_principal(db, policy, "alice")
    assert principal.kind is TokenKind.ACCESS

    in_a = auth.resolve_actor(db.read_uow(), principal, "space-a")
    in_b = auth.resolve_actor(db.read_uow(), principal, "space-b")
    assert (in_a.space.slug, in_a.role) == ("space-a", Role.EDITOR)
    assert (in_b.space.slug, in_b.role) == ("space-b", Role.VIEWER)
    assert access.can(in_a, Permission.WRITE)
    assert not access.can(in_b, Permission.WRITE)
    assert in_a.username == "alice"
    assert not in_a.is_superuser


def test_user_without_membership_in_the_space_is_denied(
    db: Database, clock: FakeClock, policy: AuthPolicy
) -> None:
    _two_spaces_alice_editor_then_viewer(db, clock)
    principal = _user_principal(db, policy, "alice")
    with pytest.raises(SpaceAccessDenied):
        auth.resolve_actor(db.read_uow(), principal, "space-c")


def test_unknown_space_slug_is_denied_like_a_foreign_one(
    db: Database, clock: FakeClock, policy: AuthPolicy
) -> None:
    """Telling the two apart would reveal which space slugs exist; a superuser, who may enter
    every space, learns that it is missing."""
    _two_spaces_alice_editor_then_viewer(db, clock)
    principal = _user_principal(db, policy, "alice")
    with pytest.raises(SpaceAccessDenied):
        auth.resolve_actor(db.read_uow(), principal, "no-such-space")
    make_user(db, clock, "root", None, is_superuser=True)
    with pytest.raises(SpaceNotFound):
        auth.resolve_actor(db.read_uow(), _user_principal(db, policy, "root"), "no-such-space")


def test_user_without_space_slug_acts_in_the_first_membership(
    db: Database, clock: FakeClock, policy: AuthPolicy
) -> None:
    _two_spaces_alice_editor_then_viewer(db, clock)
    principal = _user_principal(db, policy, "alice")
    actor = auth.resolve_actor(db.read_uow(), principal, None)
    assert (actor.space.slug, actor.role) == ("space-a", Role.EDITOR)


def test_api_token_acts_in_its_own_space_with_its_role(
    db: Database, clock: FakeClock, policy: AuthPolicy
) -> None:
    make_space(db, clock, "space-a")
    make_space(db, clock, "space-b")
    principal = _principal(db, policy, make_api_token(db, clock, "space-a", Role.VIEWER))
    assert principal.kind is TokenKind.API

    for slug in ("space-a", None):
        actor = auth.resolve_actor(db.read_uow(), principal, slug)
        assert (actor.space.slug, actor.role, actor.kind) == ("space-a", Role.VIEWER, TokenKind.API)
    with pytest.raises(SpaceAccessDenied):
        auth.resolve_actor(db.read_uow(), principal, "space-b")


def test_revoked_api_token_is_refused(db: Database, clock: FakeClock, policy: AuthPolicy) -> None:
    make_space(db, clock, "space-a")
    admin = _principal(db, policy, make_api_token(db, clock, "space-a", Role.ADMIN))
    admin_actor = auth.resolve_actor(db.read_uow(), admin, "space-a")
    editor = accounts.create_api_token(db.uow(), clock, "space-a", Role.EDITOR)
    assert _principal(db, policy, editor.secret).api_token is not None

    accounts.revoke_api_token(db.uow(), clock, admin_actor, editor.token.id)
    with pytest.raises(InvalidToken):
        _principal(db, policy, editor.secret)


def test_api_token_use_is_recorded(db: Database, clock: FakeClock, policy: AuthPolicy) -> None:
    make_space(db, clock, "space-a")
    secret = make_api_token(db, clock, "space-a", Role.EDITOR)
    clock.advance(120)
    _principal(db, policy, secret)
    with db.read_uow() as uow:
        (token,) = uow.api_tokens.list(uow.spaces.get_by_slug("space-a").id)
    assert token.last_used_at == clock()


def test_superuser_without_membership_acts_as_admin(
    db: Database, clock: FakeClock, policy: AuthPolicy
) -> None:
    make_space(db, clock, "space-a")
    make_user(db, clock, "root", role=None, is_superuser=True)
    principal = _user_principal(db, policy, "root")
    actor = auth.resolve_actor(db.read_uow(), principal, "space-a")
    assert actor.role is Role.ADMIN
    assert actor.is_superuser
    assert access.can(actor, Permission.MANAGE_SPACE)


def test_anonymous_reads_published_content_only_in_a_public_space(
    db: Database, clock: FakeClock, policy: AuthPolicy
) -> None:
    make_space(db, clock, "private")
    make_space(db, clock, "public")
    # No service sets the flag yet; set it in storage so resolve_actor reads it from there.
    with db.engine.begin() as connection:
        connection.execute(
            update(SpaceRow).where(SpaceRow.slug == "public").values(is_public_read=True)
        )
    anonymous = _principal(db, policy, None)
    assert anonymous.kind is TokenKind.ANONYMOUS

    private = auth.resolve_actor(db.read_uow(), anonymous, "private")
    public = auth.resolve_actor(db.read_uow(), anonymous, "public")
    assert private.role is None
    assert public.role is None
    assert not access.can(private, Permission.READ_PUBLISHED)
    assert access.can(public, Permission.READ_PUBLISHED)
    for permission in set(Permission) - {Permission.READ_PUBLISHED}:
        assert not access.can(public, permission), permission


def test_access_token_of_an_unknown_user_is_refused(
    db: Database, clock: FakeClock, policy: AuthPolicy
) -> None:
    """A correctly signed token whose user no longer exists (deleted after issue)."""
    make_space(db, clock)
    make_user(db, clock, "alice", Role.EDITOR)
    token = auth.login(db.uow(), policy, "alice", PASSWORD, "test-client").tokens.access_token
    orphan, _ = policy.signer.issue(uuid4(), clock())
    assert _principal(db, policy, token).user is not None
    with pytest.raises(InvalidToken):
        _principal(db, policy, orphan)


def test_login_rehashes_a_password_stored_with_other_parameters(
    db: Database, clock: FakeClock, policy: AuthPolicy
) -> None:
    make_space(db, clock)
    make_user(db, clock, "alice", Role.EDITOR)  # hashed with the tests' cheap parameters
    production = dataclasses.replace(policy, passwords=DEFAULT_PASSWORDS)
    auth.login(db.uow(), production, "alice", PASSWORD, "test-client")
    with db.read_uow() as uow:
        credentials = uow.users.find_credentials("alice")
    assert credentials is not None
    assert not DEFAULT_PASSWORDS.needs_rehash(credentials.password_hash)
    assert DEFAULT_PASSWORDS.verify(credentials.password_hash, PASSWORD)
