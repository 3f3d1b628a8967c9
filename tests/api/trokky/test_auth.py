"""Trokky /api/auth: login, me, refresh (Bearer token, or the client's body refreshToken),
logout."""

from __future__ import annotations

import httpx
import pytest

from masthead.core.models import Role
from masthead.storage.uow import Database
from tests.api.trokky.test_documents import assert_trokky_error
from tests.conftest import FakeClock
from tests.factories import PASSWORD, make_space, make_user

pytestmark = pytest.mark.anyio


@pytest.fixture
def alice(db: Database, clock: FakeClock) -> str:
    make_space(db, clock)
    make_user(db, clock, "alice", Role.ADMIN)
    return "alice"


async def _login(client: httpx.AsyncClient, username: str) -> dict[str, object]:
    response = await client.post(
        "/api/auth/login", json={"username": username, "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


async def test_login_me_refresh_logout(
    client: httpx.AsyncClient, alice: str, clock: FakeClock
) -> None:
    body = await _login(client, alice)
    assert set(body) >= {"token", "user", "expiresAt", "accessToken", "refreshToken"}
    user = body["user"]
    assert isinstance(user, dict)
    assert set(user) == {"id", "username", "role", "name"}
    assert (user["username"], user["role"]) == ("alice", "admin")
    assert str(body["expiresAt"]).endswith("Z")
    bearer = {"Authorization": f"Bearer {body['token']}"}

    me = await client.get("/api/auth/me", headers=bearer)
    assert me.status_code == 200
    assert me.json() == {"data": user}

    clock.advance(5)
    renewed = await client.post("/api/auth/refresh", headers=bearer)
    assert renewed.status_code == 200, renewed.text
    fresh = renewed.json()
    assert set(fresh) == {"token", "expiresAt", "accessToken"}
    assert fresh["token"] != body["token"]
    assert fresh["expiresAt"] > body["expiresAt"]
    assert (
        await client.get("/api/auth/me", headers={"Authorization": f"Bearer {fresh['token']}"})
    ).status_code == 200

    rotated = await client.post("/api/auth/refresh", json={"refreshToken": body["refreshToken"]})
    assert rotated.status_code == 200, rotated.text
    pair = rotated.json()
    assert set(pair) == {"token", "expiresAt", "accessToken", "refreshToken"}
    # Reuse detection (and its grace window) is the core's, tested with /v1.

    out = await client.post(
        "/api/auth/logout", json={"refreshToken": pair["refreshToken"]}, headers=bearer
    )
    assert out.json() == {"success": True}
    after = await client.post("/api/auth/refresh", json={"refreshToken": pair["refreshToken"]})
    assert_trokky_error(after, 401, "UNAUTHORIZED")
    # The access token sent with the logout is refused from then on, before it expires.
    assert_trokky_error(await client.get("/api/auth/me", headers=bearer), 401, "UNAUTHORIZED")
    bare = await client.post("/api/auth/logout", headers=bearer)
    assert bare.json() == {"success": True}


async def test_logout_with_the_bearer_alone_ends_that_token(
    client: httpx.AsyncClient, alice: str
) -> None:
    body = await _login(client, alice)
    bearer = {"Authorization": f"Bearer {body['token']}"}
    other = await _login(client, alice)  # another device's session is left alone
    assert (await client.post("/api/auth/logout", headers=bearer)).json() == {"success": True}
    assert_trokky_error(await client.get("/api/auth/me", headers=bearer), 401, "UNAUTHORIZED")
    still = await client.get("/api/auth/me", headers={"Authorization": f"Bearer {other['token']}"})
    assert still.status_code == 200


async def test_wrong_password_and_missing_token(client: httpx.AsyncClient, alice: str) -> None:
    wrong = await client.post("/api/auth/login", json={"username": alice, "password": "nope"})
    assert_trokky_error(wrong, 401, "UNAUTHORIZED")
    missing = await client.post("/api/auth/login", json={"username": alice})
    error = assert_trokky_error(missing, 422, "VALIDATION_ERROR")
    assert error["details"][0]["field"] == "password"
    assert_trokky_error(await client.post("/api/auth/refresh"), 401, "UNAUTHORIZED")
    expired = await client.post("/api/auth/refresh", headers={"Authorization": "Bearer not.a.jwt"})
    assert_trokky_error(expired, 401, "UNAUTHORIZED")


async def test_an_expired_token_is_not_renewed(
    client: httpx.AsyncClient, alice: str, clock: FakeClock
) -> None:
    body = await _login(client, alice)
    clock.advance(3600)
    response = await client.post(
        "/api/auth/refresh", headers={"Authorization": f"Bearer {body['token']}"}
    )
    assert_trokky_error(response, 401, "UNAUTHORIZED")


async def test_role_is_the_one_held_in_the_space(
    client: httpx.AsyncClient, db: Database, clock: FakeClock
) -> None:
    make_space(db, clock)
    make_user(db, clock, "vic", Role.VIEWER)
    body = await _login(client, "vic")
    user = body["user"]
    assert isinstance(user, dict)
    assert user["role"] == "viewer"
