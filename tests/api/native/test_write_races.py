"""Concurrent /v1 writes, sent at once through the app (issue 13, defects 2 and 5).

Writes without If-Match apply to the latest version and all succeed; writes with a stale
If-Match answer 409; a single type keeps one document; generated slugs stay distinct.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import httpx
import pytest

from tests.api.errors import assert_error

pytestmark = pytest.mark.anyio

Headers = dict[str, str]

SETTINGS: dict[str, Any] = {
    "name": "settings",
    "kind": "single",
    "fields": [{"name": "siteName", "type": "string"}],
}


async def _create_type(client: httpx.AsyncClient, headers: Headers) -> None:
    response = await client.post("/v1/types", json=SETTINGS, headers=headers)
    assert response.status_code == 201, response.text


async def _create(client: httpx.AsyncClient, headers: Headers, title: str) -> dict[str, Any]:
    response = await client.post(
        "/v1/documents", json={"type": "post", "title": title}, headers=headers
    )
    assert response.status_code == 201, response.text
    document: dict[str, Any] = response.json()["document"]
    return document


async def _list(client: httpx.AsyncClient, headers: Headers, type_name: str) -> list[Any]:
    response = await client.get("/v1/documents", params={"type": type_name}, headers=headers)
    assert response.status_code == 200, response.text
    items: list[Any] = response.json()["items"]
    return items


def _statuses(responses: list[httpx.Response]) -> Counter[int]:
    return Counter(r.status_code for r in responses)


async def test_racing_puts_of_a_singleton_all_succeed_on_one_document(
    client: httpx.AsyncClient, ed: Headers, admin: Headers
) -> None:
    await _create_type(client, admin)
    names = [f"Site {i}" for i in range(20)]
    responses = await asyncio.gather(
        *(
            client.put("/v1/singletons/settings", json={"data": {"siteName": n}}, headers=ed)
            for n in names
        )
    )
    assert _statuses(responses) == {200: 20}, [r.text for r in responses if r.status_code != 200]
    assert len(await _list(client, ed, "settings")) == 1
    stored = (await client.get("/v1/singletons/settings", headers=ed)).json()["document"]
    assert stored["data"]["siteName"] in names
    assert stored["version"] == 20


async def test_racing_creates_of_a_single_type_store_one_and_answer_409(
    client: httpx.AsyncClient, ed: Headers, admin: Headers
) -> None:
    await _create_type(client, admin)
    responses = await asyncio.gather(
        *(
            client.post(
                "/v1/documents",
                json={"type": "settings", "data": {"siteName": f"Site {i}"}},
                headers=ed,
            )
            for i in range(20)
        )
    )
    assert _statuses(responses) == {201: 1, 409: 19}
    for response in responses:
        if response.status_code == 409:
            assert_error(response, 409, "CONFLICT")
    assert len(await _list(client, ed, "settings")) == 1


async def test_racing_patches_without_if_match_all_apply(
    client: httpx.AsyncClient, ed: Headers
) -> None:
    document = await _create(client, ed, "Start")
    titles = [f"Edit {i}" for i in range(50)]
    responses = await asyncio.gather(
        *(
            client.patch(f"/v1/documents/{document['id']}", json={"title": t}, headers=ed)
            for t in titles
        )
    )
    assert _statuses(responses) == {200: 50}, [r.text for r in responses if r.status_code != 200]
    stored = (await client.get(f"/v1/documents/{document['id']}", headers=ed)).json()["document"]
    assert stored["version"] == 51
    history = await client.get(
        f"/v1/documents/{document['id']}/revisions", params={"limit": 100}, headers=ed
    )
    assert {r["title"] for r in history.json()["items"]} == {"Start", *titles}


async def test_racing_patches_with_a_stale_if_match_answer_409(
    client: httpx.AsyncClient, ed: Headers
) -> None:
    document = await _create(client, ed, "Start")
    version = document["version"]
    responses = await asyncio.gather(
        *(
            client.patch(
                f"/v1/documents/{document['id']}",
                json={"title": f"Edit {i}"},
                headers={**ed, "If-Match": f'"{version}"'},
            )
            for i in range(20)
        )
    )
    assert _statuses(responses) == {200: 1, 409: 19}
    for response in responses:
        if response.status_code == 409:
            assert_error(response, 409, "CONFLICT")


async def test_racing_snapshots_and_restores_with_edits_all_apply(
    client: httpx.AsyncClient, ed: Headers
) -> None:
    document = await _create(client, ed, "Start")
    path = f"/v1/documents/{document['id']}"
    requests = []
    for i in range(10):
        requests.append(client.patch(path, json={"title": f"Edit {i}"}, headers=ed))
        requests.append(client.post(f"{path}/revisions", json={"message": f"S{i}"}, headers=ed))
        requests.append(client.post(f"{path}/revisions/1/restore", headers=ed))
    responses = await asyncio.gather(*requests)
    assert all(r.status_code in {200, 201} for r in responses), [
        r.text for r in responses if r.status_code not in {200, 201}
    ]
    stored = (await client.get(path, headers=ed)).json()["document"]
    assert stored["version"] == 31


async def test_racing_creates_with_one_title_get_distinct_slugs(
    client: httpx.AsyncClient, ed: Headers
) -> None:
    responses = await asyncio.gather(
        *(
            client.post("/v1/documents", json={"type": "post", "title": "Same Title"}, headers=ed)
            for _ in range(20)
        )
    )
    assert _statuses(responses) == {201: 20}, [r.text for r in responses if r.status_code != 201]
    slugs = {r.json()["document"]["slug"] for r in responses}
    assert slugs == {"same-title", *(f"same-title-{n}" for n in range(2, 21))}
