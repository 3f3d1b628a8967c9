"""Documents and media: media fields hold ids of this space's ready assets (or outside URLs),
and ``expand`` inlines the asset with its URLs, in one query for all media of a page."""

from __future__ import annotations

from typing import Any

import pytest

from masthead.core.models import Role
from masthead.storage.uow import Database
from tests.api.native.media_helpers import Client, H, image, start, upload
from tests.conftest import FakeClock
from tests.factories import login, make_space, make_user
from tests.statements import recorded_statements

pytestmark = pytest.mark.anyio


@pytest.fixture
def space_slug() -> str:
    return "blog"  # the tests log in to it by name


async def create(client: Client, headers: H, **fields: Any) -> Any:
    return await client.post("/v1/documents", json={"type": "post", **fields}, headers=headers)


async def test_media_fields_accept_ready_assets_of_the_space_and_outside_urls(
    client: Client, ed: H, db: Database, clock: FakeClock
) -> None:
    photo = await upload(client, ed, image())
    pending = await start(client, ed, {"filename": "later.jpg"})
    make_space(db, clock, "other")
    make_user(db, clock, "olga", Role.EDITOR, space="other")
    olga = {**(await login(client, "olga")).headers, "X-Space": "other"}

    ok = await create(client, ed, title="With photo", featureImage=photo["id"])
    assert ok.status_code == 201, ok.text
    assert ok.json()["document"]["featuredImageId"] == photo["id"]
    outside = await create(client, ed, title="Hosted", ogImage="https://cdn.example.com/a.png")
    assert outside.status_code == 201, outside.text

    for value, reason in (
        ("00000000-0000-0000-0000-000000000000", "no media with id"),
        (pending["mediaId"], "no media with id"),
        ("not-an-id", "is not a media id or an URL"),
        ("javascript:alert(1)", "is not a media id or an URL"),
    ):
        refused = await create(client, ed, title="Bad", featureImage=value)
        assert refused.status_code == 422, (value, refused.text)
        details = refused.json()["error"]["details"]
        assert details[0]["field"] == "featureImage"
        assert reason in details[0]["message"]

    # The same asset id, used from another space, names nothing there.
    crossed = await create(client, olga, title="Cross", featureImage=photo["id"])
    assert crossed.status_code == 422, crossed.text
    assert "no media with id" in crossed.json()["error"]["details"][0]["message"]


async def test_expand_inlines_media_with_urls_in_one_query_per_page(
    client: Client, ed: H, db: Database
) -> None:
    photos = [await upload(client, ed, image(color=(i, 9, 9)), f"p{i}.jpg") for i in range(3)]
    for i, photo in enumerate(photos):
        made = await create(
            client, ed, title=f"Post {i}", featureImage=photo["id"], ogImage=photos[0]["id"]
        )
        assert made.status_code == 201, made.text

    with recorded_statements(db.engine) as statements:
        listed = await client.get("/v1/documents?type=post&expand=featureImage,ogImage", headers=ed)

    assert listed.status_code == 200, listed.text
    items = listed.json()["items"]
    assert len(items) == 3
    for item in items:
        inlined = item["data"]["featureImage"]
        assert inlined["id"] == item["featuredImageId"]
        assert inlined["url"].startswith(f"/media/{inlined['hash']}/")
        assert set(inlined["variants"]) == {"thumb", "medium"}
        assert item["data"]["ogImage"]["id"] == photos[0]["id"]
    media_queries = [s for s in statements if "media_assets" in s]
    assert len(media_queries) == 1, media_queries

    one = items[0]["id"]
    got = await client.get(f"/v1/documents/{one}?expand=featureImage", headers=ed)
    assert got.json()["document"]["data"]["featureImage"]["mimeType"] == "image/jpeg"
    plain = await client.get(f"/v1/documents/{one}", headers=ed)
    assert isinstance(plain.json()["document"]["data"]["featureImage"], str)


async def test_expand_below_a_media_field_is_refused(client: Client, ed: H) -> None:
    response = await client.get("/v1/documents?type=post&expand=featureImage.url", headers=ed)

    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "expand"


async def test_delete_sees_media_used_inside_blocks_and_rich_text(client: Client, ed: H) -> None:
    in_block = await upload(client, ed, image(color=(1, 1, 1)), "block.jpg")
    in_html = await upload(client, ed, image(color=(2, 2, 2)), "inline.jpg")
    unused = await upload(client, ed, image(color=(3, 3, 3)), "unused.jpg")
    blocks = [{"type": "image", "mediaId": in_block["id"], "caption": "Dawn"}]
    html = f'<p>Look:</p><img src="https://cdn.example.com{in_html["url"]}" alt="">'
    made = await create(client, ed, title="Rich", blocks=blocks, body=html)
    assert made.status_code == 201, made.text
    published = await client.post(
        f"/v1/documents/{made.json()['document']['id']}/publish", headers=ed
    )
    assert published.status_code == 200, published.text

    for media in (in_block, in_html):
        refused = await client.delete(f"/v1/media/{media['id']}", headers=ed)
        assert refused.status_code == 409, (media["filename"], refused.text)
        # Working and published copies both hold it: one document.
        assert "1 document(s)" in refused.json()["error"]["message"]
    assert (await client.delete(f"/v1/media/{unused['id']}", headers=ed)).status_code == 200
