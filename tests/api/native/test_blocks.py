"""Blocks on /v1 (native-v1-behaviour.md, Documents): the block-editor shape
``{name, attributes, innerBlocks}`` the contract's editor sends, the plain ``{type, ...}``
shape, ``blocksSchemaVersion: 1`` on documents and revisions, and 400 ``BLOCKS_INVALID`` for a
block without a string name or type."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.api.conftest import Headers
from tests.api.errors import assert_error, detail_fields

pytestmark = pytest.mark.anyio

EDITOR_BLOCKS: list[dict[str, Any]] = [
    {"name": "core/paragraph", "attributes": {"content": "Hello <b>world</b>"}, "innerBlocks": []},
    {
        "name": "core/columns",
        "attributes": {},
        "innerBlocks": [
            {
                "name": "core/column",
                "attributes": {},
                "innerBlocks": [{"name": "core/heading", "attributes": {"content": "Deep"}}],
            }
        ],
    },
]


async def test_block_editor_blocks_are_stored_and_versioned(
    client: httpx.AsyncClient, ed: Headers
) -> None:
    created = await client.post(
        "/v1/documents", json={"title": "Blocks", "blocks": EDITOR_BLOCKS}, headers=ed
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["document"]["blocks"] == EDITOR_BLOCKS
    assert body["document"]["blocksSchemaVersion"] == 1
    assert body["revision"]["blocksSchemaVersion"] == 1
    document_id = body["document"]["id"]

    fetched = await client.get(f"/v1/documents/{document_id}", headers=ed)
    assert fetched.json()["document"]["blocks"] == EDITOR_BLOCKS
    revisions = await client.get(f"/v1/documents/{document_id}/revisions", headers=ed)
    assert [r["blocksSchemaVersion"] for r in revisions.json()["items"]] == [1]
    # Attribute text is searchable; block names are not words.
    found = await client.get("/v1/documents?q=deep", headers=ed)
    assert [d["id"] for d in found.json()["items"]] == [document_id]
    assert (await client.get("/v1/documents?q=columns", headers=ed)).json()["items"] == []


async def test_plain_blocks_are_still_accepted(client: httpx.AsyncClient, ed: Headers) -> None:
    blocks = [{"type": "paragraph", "text": "Hi"}]
    created = await client.post("/v1/documents", json={"blocks": blocks}, headers=ed)
    assert created.status_code == 201, created.text
    assert created.json()["document"]["blocks"] == blocks


@pytest.mark.parametrize(
    ("blocks", "fields"),
    [
        ([{"attributes": {}}], ["blocks.0"]),
        ([{"name": 5}], ["blocks.0"]),
        ([{"name": ""}], ["blocks.0"]),
        (["core/paragraph"], ["blocks.0"]),
        ([None, {"name": "core/paragraph"}], ["blocks.0"]),
        ([{"name": "core/group", "innerBlocks": [{"attributes": {}}]}], ["blocks.0.innerBlocks.0"]),
        ([{"name": "core/group", "innerBlocks": "nope"}], ["blocks.0.innerBlocks"]),
        ([{"type": "a"}, {"type": ["b"]}], ["blocks.1"]),
    ],
)
async def test_a_block_without_a_string_name_is_blocks_invalid(
    client: httpx.AsyncClient, ed: Headers, blocks: list[Any], fields: list[str]
) -> None:
    response = await client.post("/v1/documents", json={"title": "x", "blocks": blocks}, headers=ed)
    assert detail_fields(assert_error(response, 400, "BLOCKS_INVALID")) == fields
    listed = await client.get("/v1/documents", headers=ed)
    assert listed.json()["items"] == []  # nothing stored


async def test_patching_bad_blocks_is_refused_and_keeps_the_document(
    client: httpx.AsyncClient, ed: Headers
) -> None:
    created = await client.post("/v1/documents", json={"blocks": EDITOR_BLOCKS}, headers=ed)
    document_id = created.json()["document"]["id"]
    refused = await client.patch(
        f"/v1/documents/{document_id}", json={"blocks": [{"innerBlocks": []}]}, headers=ed
    )
    assert_error(refused, 400, "BLOCKS_INVALID")
    kept = await client.get(f"/v1/documents/{document_id}", headers=ed)
    assert kept.json()["document"]["blocks"] == EDITOR_BLOCKS
    assert kept.json()["document"]["version"] == 1


async def test_blocks_that_are_not_a_list_are_a_validation_error(
    client: httpx.AsyncClient, ed: Headers
) -> None:
    response = await client.post("/v1/documents", json={"blocks": {"name": "x"}}, headers=ed)
    assert detail_fields(assert_error(response, 422, "VALIDATION_ERROR")) == ["blocks"]


async def test_a_featured_image_id_naming_no_asset_is_refused_naming_the_field(
    client: httpx.AsyncClient, ed: Headers
) -> None:
    """Deliberate (docs/native-api.md, Media): never store an id Masthead cannot serve."""
    for value in ("00000000-0000-4000-8000-000000000000", "med_missing"):
        response = await client.post(
            "/v1/documents", json={"title": "x", "featuredImageId": value}, headers=ed
        )
        assert detail_fields(assert_error(response, 422, "VALIDATION_ERROR")) == ["featuredImageId"]
    assert (await client.get("/v1/documents", headers=ed)).json()["items"] == []
