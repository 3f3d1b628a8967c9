"""System fields in list queries, in both perspectives (issue: "A defect to fix first").

The published perspective stores no status: to a reader every document there is
``published``, so ``filter[status]=published`` matches them all and ``sort=status`` orders
nothing. Every system field by perspective by operator answers 200 or a 422 naming the field,
never a 500.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from masthead.core.listing import FilterOp
from masthead.core.system_fields import SYSTEM_FIELDS, ValueKind
from tests.api.conftest import Headers
from tests.api.errors import assert_error, detail_fields

pytestmark = pytest.mark.anyio

VALUES = {
    ValueKind.UUID: "00000000-0000-4000-8000-000000000001",
    ValueKind.STRING: "published",
    ValueKind.DATETIME: "2026-01-15T12:00:00Z",
}


async def _make(client: httpx.AsyncClient, headers: Headers, title: str, *, publish: bool) -> str:
    created = await client.post("/v1/documents", json={"title": title}, headers=headers)
    assert created.status_code == 201, created.text
    document_id = str(created.json()["document"]["id"])
    if publish:
        published = await client.post(f"/v1/documents/{document_id}/publish", headers=headers)
        assert published.status_code == 200, published.text
    return document_id


async def _titles(client: httpx.AsyncClient, headers: Headers, query: str) -> list[str]:
    response = await client.get(f"/v1/documents?{query}", headers=headers)
    assert response.status_code == 200, response.text
    return [item["title"] for item in response.json()["items"]]


@pytest.fixture
async def three(client: httpx.AsyncClient, admin: Headers) -> None:
    """Two published documents and one draft."""
    await _make(client, admin, "One", publish=True)
    await _make(client, admin, "Two", publish=True)
    await _make(client, admin, "Draft", publish=False)


@pytest.mark.usefixtures("three")
async def test_the_documented_status_filters_on_the_published_perspective(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    published = "perspective=published&sort=title"
    assert await _titles(client, admin, f"filter[status]=published&{published}") == ["One", "Two"]
    assert await _titles(client, admin, f"filter[status][exists]=true&{published}") == [
        "One",
        "Two",
    ]
    assert await _titles(client, admin, f"filter[status]=draft&{published}") == []
    assert await _titles(client, admin, f"filter[status][ne]=published&{published}") == []
    assert await _titles(client, admin, f"filter[status][in]=draft,published&{published}") == [
        "One",
        "Two",
    ]
    assert await _titles(client, admin, f"status=draft&{published}") == []
    assert await _titles(client, admin, f"status=published&{published}") == ["One", "Two"]


@pytest.mark.usefixtures("three")
async def test_status_filters_on_working_copies_still_see_every_status(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    draft = "perspective=draft&sort=title"
    assert await _titles(client, admin, f"filter[status]=published&{draft}") == ["One", "Two"]
    assert await _titles(client, admin, f"filter[status]=draft&{draft}") == ["Draft"]
    assert await _titles(client, admin, f"filter[status][exists]=true&{draft}") == [
        "Draft",
        "One",
        "Two",
    ]


@pytest.mark.usefixtures("three")
async def test_sorting_by_status_on_the_published_perspective_keeps_the_next_key(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    """status is one value there: the sort falls through to the next key, not a JSON key."""
    assert await _titles(client, admin, "perspective=published&sort=status,title") == [
        "One",
        "Two",
    ]
    assert await _titles(client, admin, "perspective=published&sort=status,-title") == [
        "Two",
        "One",
    ]
    assert await _titles(client, admin, "perspective=draft&sort=status,title") == [
        "Draft",
        "One",
        "Two",
    ]


def _value(name: str, op: FilterOp) -> str:
    kind = SYSTEM_FIELDS[name].kind
    if op is FilterOp.EXISTS:
        return "true"
    if op is FilterOp.IN:
        return f"{VALUES[kind]},{VALUES[kind]}"
    return VALUES[kind]


@pytest.mark.usefixtures("three")
@pytest.mark.parametrize("perspective", ["draft", "published"])
async def test_every_system_field_and_operator_answers_200_or_names_the_field(
    client: httpx.AsyncClient, admin: Headers, perspective: str
) -> None:
    outcomes: dict[str, Any] = {}
    for name in SYSTEM_FIELDS:
        for op in FilterOp:
            query = f"perspective={perspective}&filter[{name}][{op.value}]={_value(name, op)}"
            response = await client.get(f"/v1/documents?{query}", headers=admin)
            if response.status_code == 422:
                assert detail_fields(assert_error(response, 422, "VALIDATION_ERROR")) == [name]
            outcomes[f"{name} {op.value}"] = response.status_code
        sorted_by = await client.get(
            f"/v1/documents?perspective={perspective}&sort=-{name}", headers=admin
        )
        if sorted_by.status_code == 422:  # id and authorId are not sortable
            assert detail_fields(assert_error(sorted_by, 422, "VALIDATION_ERROR")) == [name]
        outcomes[f"sort {name}"] = sorted_by.status_code
    assert set(outcomes.values()) <= {200, 422}, outcomes
    # What each field allows is the same in both perspectives.
    assert outcomes["status eq"] == outcomes["status exists"] == outcomes["title contains"] == 200
    assert outcomes["publishedAt gt"] == outcomes["id eq"] == outcomes["authorId exists"] == 200
    assert outcomes["createdAt contains"] == 422
    assert outcomes["sort id"] == outcomes["sort authorId"] == 422
    assert outcomes["sort status"] == outcomes["sort publishedAt"] == 200
