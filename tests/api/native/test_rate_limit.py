"""Rate limits: login attempts per username and per client address, and the general limit per
client on every route. Both answer 429 with Retry-After and the native error body."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from masthead.core.models import Role
from masthead.storage.uow import Database
from tests.api.errors import assert_error
from tests.conftest import FakeClock
from tests.factories import PASSWORD, make_space, make_user

pytestmark = pytest.mark.anyio


def _client_at(app: FastAPI, address: str) -> httpx.AsyncClient:
    """A client whose requests come from ``address`` (the limiter keys on it)."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False, client=(address, 4321))
    return httpx.AsyncClient(transport=transport, base_url="http://test")


async def _login(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    return await client.post("/v1/auth/token", json={"username": username, "password": password})


def _assert_rate_limited(response: httpx.Response) -> int:
    """Assert a 429 whose Retry-After header and body agree, in /v1's format on /v1 paths
    and as problem details elsewhere; return the seconds."""
    assert response.status_code == 429, response.text
    retry_after = response.headers["retry-after"]
    assert retry_after.isdigit(), retry_after
    seconds = int(retry_after)
    assert 0 < seconds <= 60
    if response.request.url.path.startswith("/v1/"):
        assert assert_error(response, 429, "RATE_LIMITED")["retryAfter"] == seconds
    else:
        assert response.headers["content-type"] == "application/problem+json"
        body = response.json()
        assert (body["status"], body["title"], body["retryAfter"]) == (
            429,
            "Too Many Requests",
            seconds,
        )
    assert response.headers["x-request-id"]
    return seconds


@pytest.fixture
def users(db: Database, clock: FakeClock) -> list[str]:
    make_space(db, clock)
    names = ["alice", "bob", "carol", "dave"]
    for name in names:
        make_user(db, clock, name, Role.VIEWER)
    return names


class TestLoginLimit:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, object]:
        return {"login_rate_limit": "3/minute"}

    async def test_fourth_login_attempt_for_a_username_is_limited_from_any_address(
        self, app: FastAPI, users: list[str]
    ) -> None:
        # Each attempt from a different address, so only the per-username budget runs out.
        for attempt in range(3):
            async with _client_at(app, f"10.0.0.{attempt + 1}") as client:
                assert (await _login(client, "alice", "wrong")).status_code == 401
        async with _client_at(app, "10.0.0.9") as client:
            # Refused before the password is checked: the right one does not get through.
            _assert_rate_limited(await _login(client, "alice", PASSWORD))
            # Spelling the username differently does not open a fresh budget.
            _assert_rate_limited(await _login(client, "ALICE", PASSWORD))
        async with _client_at(app, "10.0.0.10") as client:
            assert (await _login(client, "bob", PASSWORD)).status_code == 200

    async def test_one_client_is_limited_across_usernames(
        self, app: FastAPI, users: list[str]
    ) -> None:
        async with _client_at(app, "192.0.2.7") as client:
            for username in users[:3]:
                assert (await _login(client, username, "wrong")).status_code == 401
            # A username this client has not tried yet, with its right password: still limited,
            # so guessing across many accounts from one address is capped too.
            _assert_rate_limited(await _login(client, users[3], PASSWORD))
        async with _client_at(app, "192.0.2.8") as other:
            assert (await _login(other, users[3], PASSWORD)).status_code == 200

    async def test_successful_logins_count_too(self, app: FastAPI, users: list[str]) -> None:
        async with _client_at(app, "198.51.100.1") as client:
            for _ in range(3):
                assert (await _login(client, "alice", PASSWORD)).status_code == 200
            _assert_rate_limited(await _login(client, "alice", PASSWORD))


class TestGeneralLimit:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, object]:
        return {"rate_limit": "5/minute"}

    async def test_sixth_request_from_a_client_is_limited(self, client: httpx.AsyncClient) -> None:
        for _ in range(5):
            assert (await client.get("/health")).status_code == 200
        _assert_rate_limited(await client.get("/health"))
        # The budget is per client, on every route: /v1 is refused as well, in /v1's format.
        _assert_rate_limited(await client.post("/v1/auth/token", json={}))
        _assert_rate_limited(await client.get("/v1/nope"))

    async def test_other_clients_keep_their_own_budget(self, app: FastAPI) -> None:
        async with _client_at(app, "203.0.113.1") as busy, _client_at(app, "203.0.113.2") as calm:
            for _ in range(5):
                assert (await busy.get("/health")).status_code == 200
            _assert_rate_limited(await busy.get("/health"))
            assert (await calm.get("/health")).status_code == 200
