"""Sessions on /v1: concurrent refreshes within the grace window, reuse after it, access
tokens denied by logout and by family revocation, deactivated users and revoked API tokens.
SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from masthead.core.models import Role
from masthead.settings import Settings
from masthead.storage.uow import Database
from tests.api.errors import assert_error
from tests.conftest import FakeClock
from tests.factories import PASSWORD, Session, login, make_api_token, make_space, make_user

pytestmark = pytest.mark.anyio

Headers = dict[str, str]


def _bearer(token: str, space: str = "default") -> Headers:
    return {"Authorization": f"Bearer {token}", "X-Space": space}


async def _refresh(client: httpx.AsyncClient, refresh_token: str) -> httpx.Response:
    return await client.post("/v1/auth/refresh", json={"refreshToken": refresh_token})


async def _me(client: httpx.AsyncClient, access_token: str) -> httpx.Response:
    return await client.get("/v1/auth/me", headers=_bearer(access_token))


@pytest.fixture
def alice(db: Database, clock: FakeClock) -> str:
    make_space(db, clock)
    make_user(db, clock, "alice", Role.EDITOR)
    return "alice"


@pytest.fixture
async def session(client: httpx.AsyncClient, alice: str) -> Session:
    return await login(client, alice)


# --- concurrent refreshes ---------------------------------------------------------------------


async def test_ten_concurrent_refreshes_with_one_token_all_succeed_and_every_token_works(
    client: httpx.AsyncClient, session: Session
) -> None:
    responses = await asyncio.gather(*(_refresh(client, session.refresh_token) for _ in range(10)))

    assert [r.status_code for r in responses] == [200] * 10, [r.text for r in responses]
    pairs = [(r.json()["accessToken"], r.json()["refreshToken"]) for r in responses]
    assert len({refresh for _, refresh in pairs}) == 10
    for access_token, refresh_token in pairs:
        assert (await _me(client, access_token)).status_code == 200
        rotated = await _refresh(client, refresh_token)
        assert rotated.status_code == 200, rotated.text
        assert (await _me(client, rotated.json()["accessToken"])).status_code == 200


async def test_a_token_presented_again_within_the_window_gets_a_working_sibling(
    client: httpx.AsyncClient, session: Session, clock: FakeClock, settings: Settings
) -> None:
    first = await _refresh(client, session.refresh_token)
    clock.advance(settings.refresh_reuse_grace_seconds - 1)  # still inside the window
    second = await _refresh(client, session.refresh_token)

    assert (first.status_code, second.status_code) == (200, 200)
    assert first.json()["refreshToken"] != second.json()["refreshToken"]
    assert (await _refresh(client, first.json()["refreshToken"])).status_code == 200
    assert (await _refresh(client, second.json()["refreshToken"])).status_code == 200


async def test_reuse_after_the_window_revokes_the_family_and_its_access_tokens(
    client: httpx.AsyncClient, alice: str, clock: FakeClock, settings: Settings
) -> None:
    stolen = await login(client, alice)
    other = await login(client, alice)
    rotated = (await _refresh(client, stolen.refresh_token)).json()
    clock.advance(settings.refresh_reuse_grace_seconds + 1)

    reuse = await _refresh(client, stolen.refresh_token)

    assert_error(reuse, 401, "AUTH_INVALID_REFRESH")
    assert "reuse" in reuse.json()["error"]["message"]
    assert_error(await _refresh(client, rotated["refreshToken"]), 401, "AUTH_INVALID_REFRESH")
    # The family's access tokens, still unexpired, stop working too ...
    assert_error(await _me(client, rotated["accessToken"]), 401, "AUTH_INVALID_TOKEN")
    assert_error(await _me(client, stolen.access_token), 401, "AUTH_INVALID_TOKEN")
    # ... while another session of the same user is untouched.
    assert (await _me(client, other.access_token)).status_code == 200
    assert (await _refresh(client, other.refresh_token)).status_code == 200


async def test_siblings_made_in_the_window_are_revoked_by_a_later_reuse(
    client: httpx.AsyncClient, session: Session, clock: FakeClock, settings: Settings
) -> None:
    responses = await asyncio.gather(*(_refresh(client, session.refresh_token) for _ in range(3)))
    assert [r.status_code for r in responses] == [200] * 3
    clock.advance(settings.refresh_reuse_grace_seconds + 1)

    assert_error(await _refresh(client, session.refresh_token), 401, "AUTH_INVALID_REFRESH")

    for response in responses:
        body = response.json()
        assert_error(await _refresh(client, body["refreshToken"]), 401, "AUTH_INVALID_REFRESH")
        assert_error(await _me(client, body["accessToken"]), 401, "AUTH_INVALID_TOKEN")


class TestWithoutGrace:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, object]:
        return {"refresh_reuse_grace_seconds": 0}

    async def test_a_zero_window_revokes_on_any_second_use(
        self, client: httpx.AsyncClient, session: Session
    ) -> None:
        assert (await _refresh(client, session.refresh_token)).status_code == 200
        assert_error(await _refresh(client, session.refresh_token), 401, "AUTH_INVALID_REFRESH")


# --- logout -----------------------------------------------------------------------------------


async def test_after_logout_the_access_token_is_refused(
    client: httpx.AsyncClient, alice: str
) -> None:
    session = await login(client, alice)
    other = await login(client, alice)
    rotated = (await _refresh(client, session.refresh_token)).json()
    assert (await _me(client, session.access_token)).status_code == 200

    response = await client.post("/v1/auth/logout", json={"refreshToken": rotated["refreshToken"]})

    assert (response.status_code, response.json()) == (200, {"ok": True})
    # Every unexpired access token of the session: the latest and the one before rotation.
    assert_error(await _me(client, rotated["accessToken"]), 401, "AUTH_INVALID_TOKEN")
    assert_error(await _me(client, session.access_token), 401, "AUTH_INVALID_TOKEN")
    assert_error(await _refresh(client, rotated["refreshToken"]), 401, "AUTH_INVALID_REFRESH")
    assert (await _me(client, other.access_token)).status_code == 200


async def test_logout_also_denies_the_bearer_sent_with_it(
    client: httpx.AsyncClient, alice: str
) -> None:
    session = await login(client, alice)
    response = await client.post(
        "/v1/auth/logout",
        json={"refreshToken": "unknown"},
        headers={"Authorization": f"Bearer {session.access_token}"},
    )
    assert (response.status_code, response.json()) == (200, {"ok": True})
    assert_error(await _me(client, session.access_token), 401, "AUTH_INVALID_TOKEN")


@pytest.mark.parametrize("authorization", ["Bearer not-a-jwt", "Basic abc", "Bearer", ""])
async def test_logout_ignores_a_malformed_authorization_header(
    client: httpx.AsyncClient, session: Session, authorization: str
) -> None:
    response = await client.post(
        "/v1/auth/logout",
        json={"refreshToken": session.refresh_token},
        headers={"Authorization": authorization},
    )
    assert (response.status_code, response.json()) == (200, {"ok": True})
    assert_error(await _me(client, session.access_token), 401, "AUTH_INVALID_TOKEN")


# --- deactivating users -----------------------------------------------------------------------


@pytest.fixture
async def root(client: httpx.AsyncClient, db: Database, clock: FakeClock, alice: str) -> Headers:
    """A superuser without memberships, acting in ``default``."""
    make_user(db, clock, "root", None, is_superuser=True)
    return _bearer((await login(client, "root")).access_token)


async def test_a_deactivated_user_cannot_log_in_refresh_or_use_their_access_token(
    client: httpx.AsyncClient, db: Database, root: Headers, alice: str
) -> None:
    session = await login(client, alice)
    user_id = (await _me(client, session.access_token)).json()["user"]["id"]

    response = await client.post(f"/v1/users/{user_id}/deactivate", headers=root)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["ok"] is True
    assert (body["user"]["id"], body["user"]["isActive"]) == (user_id, False)
    assert_error(await _me(client, session.access_token), 401, "AUTH_INVALID_TOKEN")
    assert_error(await _refresh(client, session.refresh_token), 401, "AUTH_INVALID_REFRESH")
    login_again = await client.post(
        "/v1/auth/token", json={"username": alice, "password": PASSWORD}
    )
    assert_error(login_again, 401, "AUTH_INVALID")


async def test_a_space_admin_deactivates_members_of_their_space_only(
    client: httpx.AsyncClient, db: Database, clock: FakeClock, alice: str
) -> None:
    make_user(db, clock, "ada", Role.ADMIN)
    admin = _bearer((await login(client, "ada")).access_token)
    make_space(db, clock, "other")
    outsider = make_user(db, clock, "otto", Role.EDITOR, space="other")
    shared = make_user(db, clock, "sam", Role.EDITOR)
    accounts_in_other = make_user(db, clock, "sue", Role.EDITOR, space="other")
    with db.uow() as uow:
        uow.users.add_membership(
            shared.id, accounts_in_other.memberships[0].space_id, Role.VIEWER, clock()
        )
        uow.commit()
    with db.read_uow() as uow:
        alice_id = uow.users.find_credentials("alice").user.id  # type: ignore[union-attr]
        ada_id = uow.users.find_credentials("ada").user.id  # type: ignore[union-attr]

    async def deactivate(user_id: object, headers: Headers = admin) -> httpx.Response:
        return await client.post(f"/v1/users/{user_id}/deactivate", headers=headers)

    assert (await deactivate(alice_id)).status_code == 200
    assert_error(await deactivate(outsider.id), 404, "NOT_FOUND")
    assert_error(await deactivate(shared.id), 403, "FORBIDDEN")  # also in another space
    assert_error(await deactivate(ada_id), 403, "FORBIDDEN")  # themselves
    assert_error(await deactivate("nope"), 404, "NOT_FOUND")
    with db.read_uow() as uow:
        assert not uow.users.get(alice_id).is_active
        assert uow.users.get(outsider.id).is_active
        assert uow.users.get(shared.id).is_active


async def test_editors_may_not_deactivate_users(
    client: httpx.AsyncClient, db: Database, clock: FakeClock, alice: str
) -> None:
    make_user(db, clock, "ed", Role.EDITOR)
    editor = _bearer((await login(client, "ed")).access_token)
    with db.read_uow() as uow:
        alice_id = uow.users.find_credentials("alice").user.id  # type: ignore[union-attr]
    response = await client.post(f"/v1/users/{alice_id}/deactivate", headers=editor)
    assert_error(response, 403, "FORBIDDEN")


# --- API tokens -------------------------------------------------------------------------------


async def test_an_admin_lists_and_revokes_api_tokens_of_the_space(
    client: httpx.AsyncClient, db: Database, clock: FakeClock, alice: str
) -> None:
    make_user(db, clock, "ada", Role.ADMIN)
    admin = _bearer((await login(client, "ada")).access_token)
    secret = make_api_token(db, clock, "default", Role.EDITOR)
    make_space(db, clock, "other")
    foreign = make_api_token(db, clock, "other", Role.EDITOR)
    assert (await client.get("/v1/types", headers=_bearer(secret))).status_code == 200

    listed = await client.get("/v1/tokens", headers=admin)
    assert listed.status_code == 200, listed.text
    [token] = listed.json()["items"]
    assert secret.startswith(token["prefix"])
    assert (token["role"], token["revokedAt"]) == ("editor", None)

    revoked = await client.delete(f"/v1/tokens/{token['id']}", headers=admin)

    assert (revoked.status_code, revoked.json()) == (200, {"ok": True})
    assert_error(await client.get("/v1/types", headers=_bearer(secret)), 401, "AUTH_INVALID_TOKEN")
    assert (await client.get("/v1/tokens", headers=admin)).json()["items"][0]["revokedAt"]
    assert_error(await client.delete(f"/v1/tokens/{token['id']}", headers=admin), 404, "NOT_FOUND")
    assert_error(await client.delete("/v1/tokens/nope", headers=admin), 404, "NOT_FOUND")
    # Another space's token is not found from here, and keeps working.
    with db.read_uow() as uow:
        other_id = uow.api_tokens.list(uow.spaces.get_by_slug("other").id)[0].id
    assert_error(await client.delete(f"/v1/tokens/{other_id}", headers=admin), 404, "NOT_FOUND")
    assert (await client.get("/v1/types", headers=_bearer(foreign, "other"))).status_code == 200


async def test_editors_may_not_list_or_revoke_api_tokens(
    client: httpx.AsyncClient, db: Database, clock: FakeClock, alice: str
) -> None:
    editor = _bearer((await login(client, alice)).access_token)
    make_api_token(db, clock, "default", Role.VIEWER)
    with db.read_uow() as uow:
        token_id = uow.api_tokens.list(uow.spaces.get_by_slug("default").id)[0].id
    assert_error(await client.get("/v1/tokens", headers=editor), 403, "FORBIDDEN")
    assert_error(await client.delete(f"/v1/tokens/{token_id}", headers=editor), 403, "FORBIDDEN")
