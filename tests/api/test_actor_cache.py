"""Cached actors (core/services/actors.py): a bearer token seen lately is answered without a
query, and every change of who it is or what it may do is seen by the very next request in
this process, and within MASTHEAD_FRESHNESS_SECONDS in another one."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time

import httpx
import pytest
from fastapi import FastAPI

from masthead.core.models import Role, Space
from masthead.core.services import accounts
from masthead.settings import Settings
from masthead.storage.uow import Database
from tests.conftest import FakeClock
from tests.factories import login, make_api_token, make_user
from tests.statements import recorded_statements

pytestmark = pytest.mark.anyio

Headers = dict[str, str]


@pytest.fixture
def frontend(db: Database, clock: FakeClock, space: Space) -> Headers:
    return {"Authorization": f"Bearer {make_api_token(db, clock, 'default', Role.VIEWER)}"}


async def _published(client: httpx.AsyncClient, admin: Headers) -> str:
    created = await client.post(
        "/v1/documents",
        json={"type": "post", "title": "Cached", "status": "published"},
        headers=admin,
    )
    assert created.status_code == 201, created.text
    return str(created.json()["document"]["id"])


async def test_a_cached_published_read_runs_no_query(
    client: httpx.AsyncClient, app: FastAPI, admin: Headers, frontend: Headers
) -> None:
    doc = await _published(client, admin)
    for _ in range(2):  # the first resolves the token and builds the answer
        assert (await client.get(f"/v1/documents/{doc}", headers=frontend)).status_code == 200
    with recorded_statements(app.state.services.database.engine) as statements:
        read = await client.get(f"/v1/documents/{doc}", headers=frontend)
    assert read.status_code == 200
    assert read.headers["x-cache"] == "hit"
    assert statements == []


async def test_a_revoked_api_token_is_refused_by_the_next_request(
    client: httpx.AsyncClient, admin: Headers, frontend: Headers
) -> None:
    doc = await _published(client, admin)
    assert (await client.get(f"/v1/documents/{doc}", headers=frontend)).status_code == 200
    token_id = (await client.get("/v1/tokens", headers=admin)).json()["items"][0]["id"]
    assert (await client.delete(f"/v1/tokens/{token_id}", headers=admin)).status_code == 200
    refused = await client.get(f"/v1/documents/{doc}", headers=frontend)
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "AUTH_INVALID_TOKEN"


async def test_a_role_change_is_seen_by_the_next_request(
    client: httpx.AsyncClient, admin: Headers, ed: Headers, db: Database
) -> None:
    post = {"type": "post", "title": "By the editor"}
    assert (await client.post("/v1/documents", json=post, headers=ed)).status_code == 201
    me = (await client.get("/v1/auth/me", headers=ed)).json()["user"]
    demoted = await client.put(f"/v1/users/{me['id']}/role", json={"role": "viewer"}, headers=admin)
    assert demoted.status_code == 200, demoted.text
    assert demoted.json()["user"]["memberships"][0]["role"] == "viewer"
    refused = await client.post("/v1/documents", json=post, headers=ed)
    assert refused.status_code == 403
    assert (await client.get("/v1/documents", headers=ed)).status_code == 200
    promoted = await client.put(
        f"/v1/users/{me['id']}/role", json={"role": "editor"}, headers=admin
    )
    assert promoted.status_code == 200
    assert (await client.post("/v1/documents", json=post, headers=ed)).status_code == 201
    removed = await client.put(f"/v1/users/{me['id']}/role", json={"role": None}, headers=admin)
    assert removed.json()["user"]["memberships"] == []
    assert (await client.get("/v1/documents", headers=ed)).status_code == 403


async def test_role_changes_are_refused_to_non_admins_and_for_oneself(
    client: httpx.AsyncClient, admin: Headers, ed: Headers, db: Database, clock: FakeClock
) -> None:
    me = (await client.get("/v1/auth/me", headers=admin)).json()["user"]
    own = await client.put(f"/v1/users/{me['id']}/role", json={"role": "viewer"}, headers=admin)
    assert own.status_code == 403
    by_editor = await client.put(f"/v1/users/{me['id']}/role", json={"role": "viewer"}, headers=ed)
    assert by_editor.status_code == 403
    stranger = make_user(db, clock, "stranger", role=None)
    outside = await client.put(
        f"/v1/users/{stranger.id}/role", json={"role": "editor"}, headers=admin
    )
    assert outside.status_code == 404  # not a member here: a space admin may not add them
    bad = await client.put(f"/v1/users/{me['id']}/role", json={"role": "owner"}, headers=admin)
    assert bad.status_code == 422
    missing = await client.put(f"/v1/users/{me['id']}/role", json={}, headers=admin)
    assert missing.status_code == 422


async def test_a_deactivated_user_is_refused_by_the_next_request(
    client: httpx.AsyncClient, admin: Headers, ed: Headers
) -> None:
    assert (await client.get("/v1/documents", headers=ed)).status_code == 200
    me = (await client.get("/v1/auth/me", headers=ed)).json()["user"]
    assert (await client.post(f"/v1/users/{me['id']}/deactivate", headers=admin)).status_code == 200
    assert (await client.get("/v1/documents", headers=ed)).status_code == 401


async def test_a_logged_out_access_token_is_refused_by_the_next_request(
    client: httpx.AsyncClient, db: Database, clock: FakeClock, space: Space
) -> None:
    make_user(db, clock, "lou", Role.EDITOR)
    session = await login(client, "lou")
    assert (await client.get("/v1/documents", headers=session.headers)).status_code == 200
    out = await client.post(
        "/v1/auth/logout", json={"refreshToken": session.refresh_token}, headers=session.headers
    )
    assert out.status_code == 200
    assert (await client.get("/v1/documents", headers=session.headers)).status_code == 401


async def test_an_access_token_is_refused_once_expired_though_cached(
    client: httpx.AsyncClient, ed: Headers, clock: FakeClock, settings: Settings
) -> None:
    assert (await client.get("/v1/documents", headers=ed)).status_code == 200
    clock.advance(settings.access_token_ttl_seconds + 1)
    assert (await client.get("/v1/documents", headers=ed)).status_code == 401


async def test_a_space_made_private_refuses_anonymous_readers_next(
    client: httpx.AsyncClient, admin: Headers, db: Database, space: Space
) -> None:
    doc = await _published(client, admin)
    accounts.set_public_read(db.uow(), space.slug, True)
    assert (await client.get(f"/v1/documents/{doc}")).status_code == 200
    accounts.set_public_read(db.uow(), space.slug, False)
    assert (await client.get(f"/v1/documents/{doc}")).status_code == 401


async def test_an_api_tokens_last_use_is_written_at_most_once_a_minute(
    client: httpx.AsyncClient, admin: Headers, frontend: Headers, clock: FakeClock
) -> None:
    async def last_used() -> str | None:
        items = (await client.get("/v1/tokens", headers=admin)).json()["items"]
        return items[0]["lastUsedAt"]  # type: ignore[no-any-return]

    await client.get("/v1/documents", headers=frontend)
    first = await last_used()
    assert first is not None
    clock.advance(30)
    await client.get("/v1/documents", headers=frontend)
    assert await last_used() == first
    clock.advance(40)
    await client.get("/v1/documents", headers=frontend)
    later = await last_used()
    assert later is not None
    assert later > first


@pytest.mark.parametrize("settings_overrides", [{"freshness_seconds": 0.3}])
async def test_a_revocation_by_another_process_is_seen_within_the_freshness_interval(
    client: httpx.AsyncClient,
    admin: Headers,
    frontend: Headers,
    settings: Settings,
) -> None:
    """The CLI revokes the token in its own process; this one learns of it by reading the
    generations again, at most 0.3 s after it last did."""
    doc = await _published(client, admin)
    assert (await client.get(f"/v1/documents/{doc}", headers=frontend)).status_code == 200
    token_id = (await client.get("/v1/tokens", headers=admin)).json()["items"][0]["id"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("MASTHEAD_")}
    env |= {
        "MASTHEAD_DATABASE_URL": settings.effective_database_url,
        "MASTHEAD_DATA_DIR": str(settings.data_dir),
    }
    masthead = os.path.join(os.path.dirname(sys.executable), "masthead")
    subprocess.run([masthead, "tokens", "revoke", token_id], env=env, check=True)
    revoked_at = time.monotonic()
    while (await client.get(f"/v1/documents/{doc}", headers=frontend)).status_code == 200:
        assert time.monotonic() - revoked_at < 0.3 + 0.5, "still served after the interval"
        await asyncio.sleep(0.05)
