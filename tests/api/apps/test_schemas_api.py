"""The Schemas API: a schema is a JSON Schema document with a ``kind``, mapped to a content
type and shown back in the same terms; managing schemas needs the admin role."""

from __future__ import annotations

import httpx
import pytest

from tests.api.apps.conftest import BASE, BLOG_POSTS
from tests.api.conftest import Headers

pytestmark = pytest.mark.anyio


async def test_schemas_round_trip(client: httpx.AsyncClient, token: Headers) -> None:
    got = await client.get(f"{BASE}/schemas/blog-posts", headers=token)
    assert got.status_code == 200, got.text
    body = got.json()
    assert (body["slug"], body["name"], body["kind"]) == ("blog-posts", "Blog posts", "collection")
    sent = BLOG_POSTS["schema"]
    assert isinstance(sent, dict)
    assert body["schema"]["properties"] == sent["properties"]
    assert body["schema"]["required"] == ["title"]
    listed = await client.get(f"{BASE}/schemas", headers=token)
    kinds = {s["slug"]: s["kind"] for s in listed.json()}
    assert (kinds["blog-posts"], kinds["site-settings"]) == ("collection", "single")


async def test_update_and_refusals(
    client: httpx.AsyncClient, admin: Headers, token: Headers
) -> None:
    url = f"{BASE}/schemas/site-settings"
    schema = {"type": "object", "properties": {"site_name": {"type": "string", "maxLength": 5}}}
    put = await client.put(url, json={"kind": "single", "schema": schema}, headers=admin)
    assert put.status_code == 200, put.text
    assert put.json()["schema"]["properties"] == schema["properties"]
    too_long = await client.put(
        f"{BASE}/content/site-settings/single", json={"site_name": "Too long"}, headers=token
    )
    assert too_long.json() == {"errors": ['site_name: "Too long" is longer than 5 characters']}

    assert (await client.put(url, json={"schema": schema}, headers=token)).status_code == 403
    bad = await client.post(
        f"{BASE}/schemas",
        json={"slug": "bad", "schema": {"properties": {"x": {"type": "tuple"}}}},
        headers=admin,
    )
    assert bad.status_code == 400
    assert bad.json()["errors"]
    taken = await client.post(f"{BASE}/schemas", json=BLOG_POSTS, headers=admin)
    assert (taken.status_code, set(taken.json())) == (409, {"error"})
