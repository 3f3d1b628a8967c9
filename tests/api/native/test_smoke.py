from __future__ import annotations

import httpx
import pytest

from masthead.core.models import Role
from tests.factories import login, make_space, make_user

pytestmark = pytest.mark.anyio


async def test_login_then_me(client: httpx.AsyncClient, db, clock) -> None:
    make_space(db, clock)
    make_user(db, clock, "alice", Role.EDITOR)
    session = await login(client, "alice")
    response = await client.get("/v1/auth/me", headers=session.headers)
    assert response.status_code == 200
    assert response.json()["user"]["memberships"][0]["role"] == "editor"
