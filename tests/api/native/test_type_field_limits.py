"""/v1/types refuses a type with more fields, or more indexed fields, than a type may have
(core/limits.py), with 422 naming ``fields``; ``indexed`` is part of a field's definition."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from masthead.core.limits import MAX_FIELDS_PER_TYPE, MAX_INDEXED_FIELDS_PER_TYPE, MAX_TYPE_TITLE
from tests.api.errors import assert_error, detail_fields

pytestmark = pytest.mark.anyio


def _fields(count: int, **flags: Any) -> list[dict[str, Any]]:
    return [{"name": f"f{i}", "type": "string", **flags} for i in range(count)]


async def test_more_fields_than_a_type_may_have_are_refused_naming_fields(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    too_many = {"name": "wide", "fields": _fields(MAX_FIELDS_PER_TYPE + 1)}
    error = assert_error(
        await client.post("/v1/types", json=too_many, headers=admin), 422, "VALIDATION_ERROR"
    )
    assert detail_fields(error) == ["fields"]
    assert str(MAX_FIELDS_PER_TYPE) in error["details"][0]["message"]

    at_limit = {"name": "wide", "fields": _fields(MAX_FIELDS_PER_TYPE)}
    created = await client.post("/v1/types", json=at_limit, headers=admin)
    assert created.status_code == 201, created.text
    grown = await client.patch(
        "/v1/types/wide", json={"fields": _fields(MAX_FIELDS_PER_TYPE + 1)}, headers=admin
    )
    assert detail_fields(assert_error(grown, 422, "VALIDATION_ERROR")) == ["fields"]


async def test_more_indexed_fields_than_a_type_may_have_are_refused_naming_fields(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    fields = _fields(MAX_INDEXED_FIELDS_PER_TYPE + 1, indexed=True)
    response = await client.post("/v1/types", json={"name": "x", "fields": fields}, headers=admin)
    error = assert_error(response, 422, "VALIDATION_ERROR")
    assert detail_fields(error) == ["fields"]
    assert "indexed" in error["details"][0]["message"]


async def test_the_indexed_flag_is_stored_and_listed(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    body = {
        "name": "product",
        "fields": [
            {"name": "price", "type": "number", "indexed": True},
            {"name": "colour", "type": "string"},
        ],
    }
    assert (await client.post("/v1/types", json=body, headers=admin)).status_code == 201
    stored = (await client.get("/v1/types/product", headers=admin)).json()["type"]
    flags = {f["name"]: f.get("indexed", False) for f in stored["fields"]}
    assert flags == {"price": True, "colour": False}

    blob = {"name": "notes", "fields": [{"name": "extra", "type": "json", "indexed": True}]}
    error = assert_error(
        await client.post("/v1/types", json=blob, headers=admin), 422, "VALIDATION_ERROR"
    )
    assert detail_fields(error)[0].startswith("fields.0")


async def test_a_type_title_longer_than_its_column_is_refused_not_a_500(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    """The title column holds MAX_TYPE_TITLE characters; PostgreSQL would fail a longer one
    with a 500 where SQLite would store it."""
    long_title = "T" * (MAX_TYPE_TITLE + 1)
    created = await client.post(
        "/v1/types", json={"name": "long", "title": long_title}, headers=admin
    )
    assert detail_fields(assert_error(created, 422, "VALIDATION_ERROR")) == ["title"]
    fits = {"name": "long", "title": "T" * MAX_TYPE_TITLE}
    assert (await client.post("/v1/types", json=fits, headers=admin)).status_code == 201
    patched = await client.patch("/v1/types/long", json={"title": long_title}, headers=admin)
    assert detail_fields(assert_error(patched, 422, "VALIDATION_ERROR")) == ["title"]
    stored = (await client.get("/v1/types/long", headers=admin)).json()
    assert stored["type"]["title"] == "T" * MAX_TYPE_TITLE
