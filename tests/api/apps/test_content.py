"""What the apps dialect translates beyond the document's examples: ids from titles, roles,
apps as spaces (404 for outsiders, 401 without a token), the validation message style of each
keyword, wrong-kind schemas, publish idempotence, list filters, and upload references."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from masthead.core.models import Role, Space
from masthead.storage.uow import Database
from tests.api.apps.conftest import BASE, bearer
from tests.api.conftest import Headers
from tests.conftest import FakeClock
from tests.factories import login, make_api_token, make_space, make_user

pytestmark = pytest.mark.anyio
POSTS = f"{BASE}/content/blog-posts"
SINGLE = f"{BASE}/content/site-settings/single"
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


async def _create(client: httpx.AsyncClient, headers: Headers, **data: Any) -> str:
    made = await client.post(POSTS, json=data, headers=headers)
    assert made.status_code == 201, made.text
    entry_id: str = made.json()["id"]
    return entry_id


async def _errors(client: httpx.AsyncClient, headers: Headers, data: dict[str, Any]) -> list[str]:
    response = await client.post(POSTS, json=data, headers=headers)
    assert response.status_code == 400, response.text
    assert set(response.json()) == {"errors"}
    errors: list[str] = response.json()["errors"]
    return errors


async def test_the_same_title_twice_gets_distinct_ids(
    client: httpx.AsyncClient, token: Headers
) -> None:
    ids = [await _create(client, token, title="Hello, World!") for _ in range(3)]
    assert ids == ["hello-world", "hello-world-2", "hello-world-3"]


async def test_a_schema_without_title_ids_from_its_first_text(
    client: httpx.AsyncClient, admin: Headers, token: Headers
) -> None:
    schema = {"slug": "notes", "schema": {"properties": {"text": {"type": "string"}}}}
    assert (await client.post(f"{BASE}/schemas", json=schema, headers=admin)).status_code == 201
    url = f"{BASE}/content/notes"
    first = await client.post(url, json={"text": "Buy milk"}, headers=token)
    empty = await client.post(url, json={}, headers=token)
    assert (first.json(), empty.json()) == ({"id": "buy-milk"}, {"id": "untitled"})


async def test_viewer_reads_but_cannot_write(
    client: httpx.AsyncClient, token: Headers, viewer_token: Headers, viewer: Headers
) -> None:
    entry = await _create(client, token, title="Read me")
    await client.post(f"{POSTS}/{entry}/publish", headers=token)
    for reader in (viewer_token, {"Authorization": viewer["Authorization"]}):
        assert (await client.get(POSTS, headers=reader)).status_code == 200
        assert (await client.get(f"{POSTS}/{entry}", headers=reader)).status_code == 200
        writes = [
            client.post(POSTS, json={"title": "No"}, headers=reader),
            client.put(f"{POSTS}/{entry}", json={"title": "No"}, headers=reader),
            client.delete(f"{POSTS}/{entry}", headers=reader),
            client.post(f"{POSTS}/{entry}/unpublish", headers=reader),
            client.put(SINGLE, json={"site_name": "No"}, headers=reader),
        ]
        for write in writes:
            response = await write
            assert response.status_code == 403, response.text
            assert set(response.json()) == {"error"}


async def test_outsiders_and_unknown_apps_are_404_and_no_token_401(
    client: httpx.AsyncClient, db: Database, clock: FakeClock, token: Headers, space: Space
) -> None:
    await _create(client, token, title="Secret")
    other = make_space(db, clock, "other-app")
    make_user(db, clock, "otto", Role.ADMIN, space=other.slug)
    otto = (await login(client, "otto")).headers
    other_token = bearer(make_api_token(db, clock, other.slug, Role.ADMIN))
    for headers in (otto, other_token):
        for url in (POSTS, f"{POSTS}/secret", f"{BASE}/uploads", f"{BASE}/schemas"):
            response = await client.get(url, headers=headers)
            assert (response.status_code, response.json()) == (404, {"error": "App not found"})
    unknown = await client.get("/api/v1/apps/nope/content/blog-posts", headers=token)
    assert (unknown.status_code, unknown.json()) == (404, {"error": "App not found"})
    # X-Space cannot smuggle the caller into another app.
    crossed = await client.get(POSTS, headers={**otto, "X-Space": "other-app"})
    assert crossed.status_code == 404
    anonymous = await client.get(POSTS)
    assert anonymous.status_code == 401
    assert set(anonymous.json()) == {"error"}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, 'title: "title" is a required property'),
        ({"title": 5}, 'title: 5 is not of type "string"'),
        ({"title": "T", "published": "yes"}, 'published: "yes" is not of type "boolean"'),
        ({"title": "T", "category": "misc"}, 'category: "misc" is not one of ["news","tips"]'),
        ({"title": "T", "rating": 0}, "rating: 0 is less than the minimum of 1"),
        ({"title": "T", "rating": 9}, "rating: 9 is greater than the maximum of 5"),
        ({"title": ""}, 'title: "" is shorter than 1 character'),
        ({"title": "x" * 121}, f'title: "{"x" * 121}" is longer than 120 characters'),
        ({"title": "T", "code": "abc"}, 'code: "abc" does not match "^[A-Z]{3}$"'),
        ({"title": "T", "event_at": "soon"}, 'event_at: "soon" is not a "date-time"'),
        (
            {"title": "T", "extra": 1},
            "Additional properties are not allowed ('extra' was unexpected)",
        ),
    ],
)
async def test_validation_messages_in_the_upstream_style(
    client: httpx.AsyncClient, token: Headers, data: dict[str, Any], message: str
) -> None:
    assert await _errors(client, token, data) == [message]


async def test_every_failing_field_is_reported(client: httpx.AsyncClient, token: Headers) -> None:
    errors = await _errors(client, token, {"rating": 7, "published": 1})
    assert sorted(errors) == [
        'published: 1 is not of type "boolean"',
        "rating: 7 is greater than the maximum of 5",
        'title: "title" is a required property',
    ]


async def test_wrong_kind_routes_are_400(client: httpx.AsyncClient, token: Headers) -> None:
    settings = f"{BASE}/content/site-settings"
    for response in (
        await client.get(settings, headers=token),
        await client.post(settings, json={"site_name": "x"}, headers=token),
        await client.get(f"{settings}/anything", headers=token),
        await client.get(f"{POSTS}/single", headers=token),
        await client.put(f"{POSTS}/single", json={"title": "x"}, headers=token),
        await client.delete(f"{POSTS}/single", headers=token),
    ):
        assert response.status_code == 400, response.text
        assert response.json()["errors"]
    missing = await client.get(f"{BASE}/content/no-such-schema", headers=token)
    assert (missing.status_code, set(missing.json())) == (404, {"error"})


async def test_publish_is_idempotent_and_404_for_a_missing_entry(
    client: httpx.AsyncClient, token: Headers
) -> None:
    entry = await _create(client, token, title="Twice")
    first = await client.post(f"{POSTS}/{entry}/publish", headers=token)
    second = await client.post(f"{POSTS}/{entry}/publish", headers=token)
    assert (first.status_code, second.status_code) == (200, 200)
    assert first.json() == second.json() == {"id": entry, "data": {"title": "Twice"}}
    for action in ("unpublish", "unpublish"):
        assert (await client.post(f"{POSTS}/{entry}/{action}", headers=token)).status_code == 200
    for action in ("publish", "unpublish"):
        missing = await client.post(f"{POSTS}/nope/{action}", headers=token)
        assert missing.status_code == 404


async def test_status_and_q_filter_the_list(client: httpx.AsyncClient, token: Headers) -> None:
    live = await _create(client, token, title="Live apples")
    draft = await _create(client, token, title="Draft pears")
    await client.post(f"{POSTS}/{live}/publish", headers=token)

    async def listed(query: str) -> list[str]:
        response = await client.get(f"{POSTS}{query}", headers=token)
        assert response.status_code == 200, response.text
        return sorted(e["id"] for e in response.json())

    assert await listed("") == [live]
    assert await listed("?status=all") == sorted([live, draft])
    assert await listed("?status=draft") == [draft]
    assert await listed("?status=all&q=pears") == [draft]
    bad = await client.get(f"{POSTS}?status=nope", headers=token)
    assert bad.status_code == 400
    assert bad.json()["errors"][0].startswith('status: "nope" is not one of')


async def test_put_keeps_the_id_and_snapshots_first(
    client: httpx.AsyncClient, token: Headers, admin: Headers
) -> None:
    entry = await _create(client, token, title="First", body="one")
    before = await client.get(f"{POSTS}/{entry}", headers=token)
    put = await client.put(f"{POSTS}/{entry}", json={"title": "Second"}, headers=token)
    assert put.json() == {"title": "Second"}
    assert put.headers["ETag"] != before.headers["ETag"]
    assert (await client.get(f"{POSTS}/second", headers=token)).status_code == 404
    [listed] = (await client.get(f"{POSTS}?status=all", headers=token)).json()
    assert listed["id"] == entry
    invalid = await client.put(f"{POSTS}/{entry}", json={"body": "no title"}, headers=token)
    assert invalid.json() == {"errors": ['title: "title" is a required property']}


async def test_upload_references_valid_invalid_and_protected(
    client: httpx.AsyncClient, db: Database, clock: FakeClock, token: Headers, admin: Headers
) -> None:
    uploaded = await client.post(
        f"{BASE}/uploads", files={"file": ("doc.pdf", PDF, "application/pdf")}, headers=token
    )
    upload = uploaded.json()
    assert set(upload) == {"hash", "filename", "mime", "size"}
    assert (upload["mime"], upload["size"]) == ("application/pdf", len(PDF))
    again = await client.post(
        f"{BASE}/uploads", files={"file": ("doc.pdf", PDF, "application/pdf")}, headers=token
    )
    assert again.json()["hash"] == upload["hash"]
    assert (await client.get(f"{BASE}/uploads/{upload['hash']}", headers=token)).json() == upload
    listed = (await client.get(f"{BASE}/uploads", headers=token)).json()
    assert upload["hash"] in {u["hash"] for u in listed}
    file = await client.get(f"{BASE}/uploads/{upload['hash']}/file", headers=token)
    assert file.status_code == 307
    assert (await client.get(file.headers["location"])).content == PDF

    reference = {k: upload[k] for k in ("hash", "filename", "mime")}
    entry = await _create(client, token, title="With cover", cover=reference)
    unknown = await _errors(
        client, token, {"title": "Bad", "cover": {**reference, "hash": "0" * 64}}
    )
    assert unknown == [f"cover: no upload with hash {'0' * 64} in this space"]

    # Another app's upload is not one of this app.
    make_space(db, clock, "elsewhere")
    elsewhere = bearer(make_api_token(db, clock, "elsewhere", Role.ADMIN))
    await client.post(
        "/api/v1/apps/elsewhere/uploads",
        files={"file": ("x.png", _png(), "image/png")},
        headers=elsewhere,
    )
    foreign = (await client.get("/api/v1/apps/elsewhere/uploads", headers=elsewhere)).json()[0]
    refused = await _errors(client, token, {"title": "Foreign", "cover": foreign})
    assert refused == [f"cover: no upload with hash {foreign['hash']} in this space"]
    assert (await client.get(f"{BASE}/uploads/{foreign['hash']}", headers=token)).status_code == 404

    # The reference protects the asset from deletion, as a media id does (via /v1).
    v1 = await client.get("/v1/documents?type=blog-posts", headers=admin)
    [document] = v1.json()["items"]
    asset_ids = {m["id"] for m in (await client.get("/v1/media", headers=admin)).json()["items"]}
    assert document["data"]["cover"] in asset_ids
    blocked = await client.delete(f"/v1/media/{document['data']['cover']}", headers=admin)
    assert blocked.status_code == 409, blocked.text
    assert entry == "with-cover"


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), (10, 20, 30)).save(out, "PNG")
    return out.getvalue()
