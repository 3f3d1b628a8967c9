"""Anonymous reading of a space that allows it: published content only, never writes."""

from __future__ import annotations

import httpx
import pytest

from masthead.core.models import Role
from masthead.core.services import accounts
from masthead.storage.uow import Database
from tests.conftest import FakeClock
from tests.factories import login, make_space, make_user

pytestmark = pytest.mark.anyio


async def _published_and_draft(client: httpx.AsyncClient, db: Database, clock: FakeClock) -> str:
    make_space(db, clock, "blog")
    make_user(db, clock, "ed", Role.ADMIN, space="blog")
    headers = (await login(client, "ed")).headers
    live = await client.post(
        "/v1/documents", json={"title": "Live", "type": "post"}, headers=headers
    )
    await client.post(f"/v1/documents/{live.json()['document']['id']}/publish", headers=headers)
    await client.post("/v1/documents", json={"title": "Secret draft"}, headers=headers)
    return str(live.json()["document"]["id"])


async def test_anonymous_reads_are_refused_until_the_space_allows_them(
    client: httpx.AsyncClient, db: Database, clock: FakeClock
) -> None:
    live_id = await _published_and_draft(client, db, clock)
    anonymous = {"X-Space": "blog"}

    refused = await client.get("/v1/documents", headers=anonymous)
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "AUTH_REQUIRED"

    accounts.set_public_read(db.uow(), "blog", True)
    listed = await client.get("/v1/documents", headers=anonymous)
    assert listed.status_code == 200
    assert [item["title"] for item in listed.json()["items"]] == ["Live"]
    one = await client.get(f"/v1/documents/{live_id}", headers=anonymous)
    assert one.status_code == 200
    assert one.json()["document"]["status"] == "published"

    drafts = await client.get("/v1/documents?perspective=draft", headers=anonymous)
    assert drafts.status_code == 401
    write = await client.post("/v1/documents", json={"title": "Spam"}, headers=anonymous)
    assert write.status_code == 401

    accounts.set_public_read(db.uow(), "blog", False)
    assert (await client.get("/v1/documents", headers=anonymous)).status_code == 401
