"""Native /v1/documents and /v1/singletons: the behaviour document's examples as written
(defaults, slugs, validation details, PATCH semantics, ETag/If-Match, Idempotency-Key, soft and
permanent delete, error format), plus references, unique fields, datetimes and single types."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import uuid4

import httpx
import pytest

from masthead.core.models import Role
from masthead.storage.uow import Database
from tests.api.errors import assert_error, detail_fields
from tests.conftest import FakeClock
from tests.factories import login, make_space, make_user

pytestmark = pytest.mark.anyio

Headers = dict[str, str]

EVENT: dict[str, Any] = {
    "name": "event",
    "fields": [
        {"name": "venue", "type": "string", "required": True, "maxLength": 50},
        {"name": "seats", "type": "integer", "min": 1, "max": 500},
        {"name": "level", "type": "enum", "options": ["beginner", "expert"]},
        {"name": "code", "type": "string", "pattern": "^[A-Z]{3}$"},
        {"name": "startsAt", "type": "datetime"},
        {"name": "online", "type": "boolean"},
    ],
}


# --- helpers ----------------------------------------------------------------------------------


async def _create(client: httpx.AsyncClient, headers: Headers, **body: Any) -> dict[str, Any]:
    response = await client.post("/v1/documents", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()["document"]


async def _get(client: httpx.AsyncClient, headers: Headers, document_id: str) -> dict[str, Any]:
    response = await client.get(f"/v1/documents/{document_id}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["document"]


async def _revision_count(client: httpx.AsyncClient, headers: Headers, document_id: str) -> int:
    response = await client.get(f"/v1/documents/{document_id}/revisions", headers=headers)
    assert response.status_code == 200, response.text
    return len(response.json()["items"])


async def _list_ids(client: httpx.AsyncClient, headers: Headers, **params: str) -> list[str]:
    response = await client.get("/v1/documents", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


async def _create_type(
    client: httpx.AsyncClient, headers: Headers, definition: dict[str, Any]
) -> None:
    response = await client.post("/v1/types", json=definition, headers=headers)
    assert response.status_code == 201, response.text


# --- create -----------------------------------------------------------------------------------


async def test_post_without_fields_creates_an_untitled_draft_page(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    response = await client.post("/v1/documents", json={}, headers=admin)
    assert response.status_code == 201, response.text
    body = response.json()
    assert {"document", "revision"} <= set(body)
    document = body["document"]
    assert document["title"] == "Untitled"
    assert document["type"] == "page"
    assert document["status"] == "draft"
    assert document["content"] == ""
    assert document["slug"] == "untitled"
    assert document["version"] == 1
    assert body["revision"]["number"] == 1
    assert body["revision"]["documentId"] == document["id"]
    assert response.headers["ETag"] == '"1"'


async def test_post_with_only_title_and_content(client: httpx.AsyncClient, admin: Headers) -> None:
    response = await client.post(
        "/v1/documents", json={"title": "About us", "content": "<p>Hello</p>"}, headers=admin
    )
    assert response.status_code == 201, response.text
    document = response.json()["document"]
    assert document["title"] == "About us"
    assert document["content"] == "<p>Hello</p>"
    assert document["type"] == "page"
    assert document["slug"] == "about-us"
    fetched = await _get(client, admin, document["id"])
    assert fetched["content"] == "<p>Hello</p>"
    assert fetched["data"]["body"] == "<p>Hello</p>"


async def test_slug_is_generated_from_the_title_unicode_aware(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    cases = {"Héllo Wörld": "hello-world", "Привет мир": "привет-мир", "東京 タワー": "東京-タワー"}
    for title, slug in cases.items():
        document = await _create(client, admin, title=title)
        assert document["slug"] == slug, title
        assert (await _get(client, admin, document["id"]))["slug"] == slug


async def test_generated_slugs_are_made_unique_with_a_suffix(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    first = await _create(client, admin, title="Hello World")
    second = await _create(client, admin, title="Hello World")
    third = await _create(client, admin, title="Héllo, World!")
    assert [first["slug"], second["slug"], third["slug"]] == [
        "hello-world",
        "hello-world-2",
        "hello-world-3",
    ]


async def test_concurrent_creates_with_the_same_title_get_distinct_slugs(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    for round_ in range(3):
        title = f"Breaking news {round_}"
        responses = await asyncio.gather(
            *(client.post("/v1/documents", json={"title": title}, headers=admin) for _ in range(3))
        )
        assert [r.status_code for r in responses] == [201, 201, 201], [r.text for r in responses]
        slugs = {r.json()["document"]["slug"] for r in responses}
        base = f"breaking-news-{round_}"
        assert slugs == {base, f"{base}-2", f"{base}-3"}


async def test_slugs_are_unique_per_type_not_across_types(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    page = await _create(client, admin, title="Hello")
    post = await _create(client, admin, title="Hello", type="post")
    assert page["slug"] == post["slug"] == "hello"


async def test_explicit_duplicate_slug_conflicts(client: httpx.AsyncClient, admin: Headers) -> None:
    await _create(client, admin, title="One", slug="taken")
    response = await client.post(
        "/v1/documents", json={"title": "Two", "slug": "taken"}, headers=admin
    )
    error = assert_error(response, 409, "CONFLICT")
    assert set(detail_fields(error)) == {"slug"}
    assert len(await _list_ids(client, admin)) == 1


async def test_patching_to_a_slug_another_document_has_conflicts(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    await _create(client, admin, title="One", slug="taken")
    other = await _create(client, admin, title="Two")
    response = await client.patch(
        f"/v1/documents/{other['id']}", json={"slug": "taken"}, headers=admin
    )
    assert_error(response, 409, "CONFLICT")
    assert (await _get(client, admin, other["id"]))["slug"] == "two"


async def test_explicit_invalid_slug_is_refused(client: httpx.AsyncClient, admin: Headers) -> None:
    for slug in ("Not A Slug!", "a--b", "-lead", "under_score", "a/b"):
        response = await client.post(
            "/v1/documents", json={"title": "X", "slug": slug}, headers=admin
        )
        error = assert_error(response, 422, "VALIDATION_ERROR")
        assert set(detail_fields(error)) == {"slug"}, slug
    assert await _list_ids(client, admin) == []


async def test_unknown_type_is_refused(client: httpx.AsyncClient, admin: Headers) -> None:
    response = await client.post(
        "/v1/documents", json={"title": "X", "type": "recipe"}, headers=admin
    )
    error = assert_error(response, 422, "VALIDATION_ERROR")
    assert set(detail_fields(error)) == {"type"}
    assert "recipe" in error["message"]


async def test_validation_errors_list_every_failing_field(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    await _create_type(client, admin, EVENT)
    response = await client.post(
        "/v1/documents",
        json={
            "type": "event",
            "data": {"seats": 0, "level": "guru", "code": "abcd", "online": "yes", "colour": "red"},
        },
        headers=admin,
    )
    error = assert_error(response, 422, "VALIDATION_ERROR")
    assert set(detail_fields(error)) == {"venue", "seats", "level", "code", "online", "colour"}
    assert await _list_ids(client, admin, type="event") == []


async def test_type_fields_may_be_sent_in_data_or_at_the_top_level(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    await _create_type(client, admin, EVENT)
    nested = await _create(client, admin, type="event", title="A", data={"venue": "Hall"})
    flat = await _create(client, admin, type="event", title="B", venue="Barn", seats=20)
    assert nested["data"]["venue"] == "Hall"
    assert flat["data"] == {"venue": "Barn", "seats": 20}


# --- PATCH, revisions, versions ---------------------------------------------------------------


async def test_patch_changes_only_the_keys_sent(client: httpx.AsyncClient, admin: Headers) -> None:
    created = await _create(
        client, admin, title="First", content="<p>Body</p>", excerpt="Short", slug="first"
    )
    response = await client.patch(
        f"/v1/documents/{created['id']}", json={"title": "Second"}, headers=admin
    )
    assert response.status_code == 200, response.text
    assert {"document", "revision"} <= set(response.json())
    document = response.json()["document"]
    assert document["title"] == "Second"
    assert document["content"] == "<p>Body</p>"
    assert document["data"]["excerpt"] == "Short"
    assert document["slug"] == "first"
    assert document["type"] == "page"
    assert (await _get(client, admin, created["id"]))["title"] == "Second"


async def test_patch_appends_a_revision_and_increments_the_version(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    created = await _create(client, admin, title="Draft", content="<p>v1</p>")
    response = await client.patch(
        f"/v1/documents/{created['id']}", json={"content": "<p>v2</p>"}, headers=admin
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["document"]["version"] == created["version"] + 1
    assert body["revision"]["number"] == 2
    assert body["revision"]["data"]["body"] == "<p>v2</p>"
    assert response.headers["ETag"] == f'"{body["document"]["version"]}"'

    revisions = await client.get(f"/v1/documents/{created['id']}/revisions", headers=admin)
    assert revisions.status_code == 200
    items = revisions.json()["items"]
    assert len(items) >= 2
    assert {item["number"] for item in items} >= {1, 2}


async def test_get_carries_the_version_as_etag(client: httpx.AsyncClient, admin: Headers) -> None:
    created = await _create(client, admin, title="Tagged")
    await client.patch(f"/v1/documents/{created['id']}", json={"title": "T2"}, headers=admin)
    response = await client.get(f"/v1/documents/{created['id']}", headers=admin)
    assert response.status_code == 200
    version = response.json()["document"]["version"]
    assert version == 2
    assert response.headers["ETag"] == f'"{version}"'


async def test_patch_with_current_if_match_succeeds(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    created = await _create(client, admin, title="Fresh")
    response = await client.patch(
        f"/v1/documents/{created['id']}",
        json={"title": "Fresher"},
        headers={**admin, "If-Match": '"1"'},
    )
    assert response.status_code == 200, response.text
    assert response.headers["ETag"] == '"2"'


async def test_stale_if_match_conflicts_and_changes_nothing(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    created = await _create(client, admin, title="Original")
    first = await client.patch(
        f"/v1/documents/{created['id']}",
        json={"title": "Edited"},
        headers={**admin, "If-Match": '"1"'},
    )
    assert first.status_code == 200
    revisions_before = await _revision_count(client, admin, created["id"])

    stale = await client.patch(
        f"/v1/documents/{created['id']}",
        json={"title": "Lost update"},
        headers={**admin, "If-Match": '"1"'},
    )
    assert_error(stale, 409, "CONFLICT")
    document = await _get(client, admin, created["id"])
    assert document["title"] == "Edited"
    assert document["version"] == 2
    assert await _revision_count(client, admin, created["id"]) == revisions_before


async def test_stale_version_in_the_body_conflicts(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    created = await _create(client, admin, title="Original")
    await client.patch(f"/v1/documents/{created['id']}", json={"title": "Edited"}, headers=admin)
    stale = await client.patch(
        f"/v1/documents/{created['id']}", json={"title": "Lost", "version": 1}, headers=admin
    )
    assert_error(stale, 409, "CONFLICT")
    assert (await _get(client, admin, created["id"]))["title"] == "Edited"
    fresh = await client.patch(
        f"/v1/documents/{created['id']}", json={"title": "Kept", "version": 2}, headers=admin
    )
    assert fresh.status_code == 200, fresh.text


async def test_malformed_if_match_is_refused(client: httpx.AsyncClient, admin: Headers) -> None:
    created = await _create(client, admin, title="Original")
    for if_match in ("abc", '"v1"', "1.5", '"1", "2"'):
        response = await client.patch(
            f"/v1/documents/{created['id']}",
            json={"title": "Changed"},
            headers={**admin, "If-Match": if_match},
        )
        error = assert_error(response, 422, "VALIDATION_ERROR")
        assert set(detail_fields(error)) == {"If-Match"}, if_match
    document = await _get(client, admin, created["id"])
    assert document["title"] == "Original"
    assert document["version"] == 1


async def test_two_concurrent_patches_with_the_same_if_match_exactly_one_wins(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    created = await _create(client, admin, title="Original")
    url = f"/v1/documents/{created['id']}"
    headers = {**admin, "If-Match": '"1"'}
    responses = await asyncio.gather(
        client.patch(url, json={"title": "Alice"}, headers=headers),
        client.patch(url, json={"title": "Bob"}, headers=headers),
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 409], [r.text for r in responses]
    winner = next(r for r in responses if r.status_code == 200).json()["document"]
    loser = next(r for r in responses if r.status_code == 409)
    assert_error(loser, 409, "CONFLICT")
    document = await _get(client, admin, created["id"])
    assert document["title"] == winner["title"]
    assert document["version"] == 2
    assert await _revision_count(client, admin, created["id"]) == 2


async def test_sequential_patches_with_the_same_if_match_only_the_first_wins(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    created = await _create(client, admin, title="Original")
    url = f"/v1/documents/{created['id']}"
    headers = {**admin, "If-Match": '"1"'}
    first = await client.patch(url, json={"title": "Alice"}, headers=headers)
    second = await client.patch(url, json={"title": "Bob"}, headers=headers)
    assert first.status_code == 200
    assert_error(second, 409, "CONFLICT")
    assert (await _get(client, admin, created["id"]))["title"] == "Alice"


# --- Idempotency-Key --------------------------------------------------------------------------


async def test_idempotency_key_replays_the_first_result(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    headers = {**admin, "Idempotency-Key": "create-about-1"}
    body = {"title": "About", "content": "<p>x</p>"}
    first = await client.post("/v1/documents", json=body, headers=headers)
    second = await client.post("/v1/documents", json=body, headers=headers)
    assert first.status_code == 201, first.text
    assert second.status_code == 201, second.text
    assert "Idempotent-Replayed" not in first.headers
    assert second.headers["Idempotent-Replayed"] == "true"
    assert second.json()["document"]["id"] == first.json()["document"]["id"]
    assert second.json() == first.json()
    assert await _list_ids(client, admin) == [first.json()["document"]["id"]]


async def test_idempotency_key_with_a_different_body_conflicts(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    headers = {**admin, "Idempotency-Key": "create-about-2"}
    first = await client.post("/v1/documents", json={"title": "About"}, headers=headers)
    assert first.status_code == 201
    second = await client.post("/v1/documents", json={"title": "Contact"}, headers=headers)
    assert_error(second, 409, "CONFLICT")
    assert await _list_ids(client, admin) == [first.json()["document"]["id"]]


async def test_different_idempotency_keys_create_different_documents(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    body = {"title": "About"}
    first = await client.post("/v1/documents", json=body, headers={**admin, "Idempotency-Key": "a"})
    second = await client.post(
        "/v1/documents", json=body, headers={**admin, "Idempotency-Key": "b"}
    )
    assert first.json()["document"]["id"] != second.json()["document"]["id"]
    assert len(await _list_ids(client, admin)) == 2


async def test_concurrent_requests_with_one_idempotency_key_create_one_document(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    for round_ in range(3):
        headers = {**admin, "Idempotency-Key": f"race-{round_}"}
        body = {"title": f"Race {round_}"}
        responses = await asyncio.gather(
            *(client.post("/v1/documents", json=body, headers=headers) for _ in range(2))
        )
        assert {r.status_code for r in responses} <= {201, 409}, [r.text for r in responses]
        ids = {r.json()["document"]["id"] for r in responses if r.status_code == 201}
        assert len(ids) == 1
    assert len(await _list_ids(client, admin)) == 3


async def test_idempotency_key_expires_after_24_hours(
    client: httpx.AsyncClient, admin: Headers, clock: FakeClock
) -> None:
    headers = {**admin, "Idempotency-Key": "daily"}
    first = await client.post("/v1/documents", json={"title": "About"}, headers=headers)
    clock.advance(24 * 3600 + 1)
    later_admin = {**(await login(client, "ada")).headers, "Idempotency-Key": "daily"}
    second = await client.post("/v1/documents", json={"title": "About"}, headers=later_admin)
    assert second.status_code == 201, second.text
    assert "Idempotent-Replayed" not in second.headers
    assert second.json()["document"]["id"] != first.json()["document"]["id"]


# --- delete, archive, restore -----------------------------------------------------------------


async def test_delete_archives_the_document(client: httpx.AsyncClient, admin: Headers) -> None:
    created = await _create(client, admin, title="Old news")
    revisions_before = await _revision_count(client, admin, created["id"])

    response = await client.delete(f"/v1/documents/{created['id']}", headers=admin)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["ok"] is True
    assert body["document"]["id"] == created["id"]
    assert body["document"]["status"] == "archived"

    assert created["id"] not in await _list_ids(client, admin)
    assert await _list_ids(client, admin, status="archived") == [created["id"]]
    assert await _revision_count(client, admin, created["id"]) == revisions_before


async def test_archived_document_is_restorable(client: httpx.AsyncClient, admin: Headers) -> None:
    created = await _create(client, admin, title="Back again")
    await client.delete(f"/v1/documents/{created['id']}", headers=admin)

    response = await client.post(f"/v1/documents/{created['id']}/restore", headers=admin)
    assert response.status_code == 200, response.text
    assert response.json()["document"]["status"] == "draft"
    assert await _list_ids(client, admin) == [created["id"]]
    assert await _list_ids(client, admin, status="archived") == []


async def test_permanent_delete_removes_the_document_for_good(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    for flag in ("1", "true", "yes"):
        created = await _create(client, admin, title="Gone")
        response = await client.delete(
            f"/v1/documents/{created['id']}", params={"permanent": flag}, headers=admin
        )
        assert response.status_code == 200, response.text
        assert response.json() == {"ok": True, "deleted": True}
        missing = await client.get(f"/v1/documents/{created['id']}", headers=admin)
        assert_error(missing, 404, "DOCUMENT_NOT_FOUND")
        revisions = await client.get(f"/v1/documents/{created['id']}/revisions", headers=admin)
        assert_error(revisions, 404, "DOCUMENT_NOT_FOUND")
    assert await _list_ids(client, admin, status="all") == []


async def test_deleting_an_unknown_document_is_404(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    for params in ({}, {"permanent": "1"}):
        response = await client.delete(f"/v1/documents/{uuid4()}", params=params, headers=admin)
        assert_error(response, 404, "DOCUMENT_NOT_FOUND")


# --- errors and client quirks -----------------------------------------------------------------


async def test_unknown_document_is_404_document_not_found(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    for method, body in (("GET", None), ("PATCH", {"title": "X"})):
        response = await client.request(
            method, f"/v1/documents/{uuid4()}", json=body, headers=admin
        )
        assert_error(response, 404, "DOCUMENT_NOT_FOUND")


async def test_non_uuid_document_id_is_an_error_in_the_native_format(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    response = await client.get("/v1/documents/not-a-uuid", headers=admin)
    assert_error(response, 404, "DOCUMENT_NOT_FOUND")


async def test_json_content_type_without_a_body_is_accepted_on_get_and_delete(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    created = await _create(client, admin, title="Quirky client")
    headers = {**admin, "Content-Type": "application/json"}
    listed = await client.get("/v1/documents", headers=headers)
    assert listed.status_code == 200, listed.text
    fetched = await client.get(f"/v1/documents/{created['id']}", headers=headers)
    assert fetched.status_code == 200, fetched.text
    revisions = await client.get(f"/v1/documents/{created['id']}/revisions", headers=headers)
    assert revisions.status_code == 200, revisions.text
    deleted = await client.delete(f"/v1/documents/{created['id']}", headers=headers)
    assert deleted.status_code == 200, deleted.text
    assert deleted.json()["document"]["status"] == "archived"


# --- references, unique fields, datetimes -----------------------------------------------------


async def _library(client: httpx.AsyncClient, headers: Headers) -> None:
    await _create_type(
        client, headers, {"name": "person", "fields": [{"name": "name", "type": "string"}]}
    )
    await _create_type(
        client,
        headers,
        {
            "name": "book",
            "fields": [
                {"name": "author", "type": "reference", "to": "person"},
                {"name": "editors", "type": "reference", "to": "person", "many": True},
            ],
        },
    )


async def test_reference_to_an_existing_document_of_the_target_type_is_accepted(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    await _library(client, admin)
    person = await _create(client, admin, type="person", data={"name": "Ursula"})
    other = await _create(client, admin, type="person", data={"name": "Terry"})
    book = await _create(
        client,
        admin,
        type="book",
        title="Earthsea",
        data={"author": person["id"], "editors": [person["id"], other["id"]]},
    )
    assert book["data"]["author"] == person["id"]
    assert book["data"]["editors"] == [person["id"], other["id"]]


async def test_reference_must_name_an_existing_document_of_the_target_type(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    await _library(client, admin)
    page = await _create(client, admin, title="A page")
    targets = {"missing": str(uuid4()), "wrong type": page["id"], "not an id": "nobody"}
    for case, target in targets.items():
        response = await client.post(
            "/v1/documents", json={"type": "book", "data": {"author": target}}, headers=admin
        )
        error = assert_error(response, 422, "VALIDATION_ERROR")
        assert set(detail_fields(error)) == {"author"}, case
    assert await _list_ids(client, admin, type="book") == []


async def test_many_reference_reports_the_missing_ids(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    await _library(client, admin)
    person = await _create(client, admin, type="person", data={"name": "Ursula"})
    missing = str(uuid4())
    response = await client.post(
        "/v1/documents",
        json={"type": "book", "data": {"editors": [person["id"], missing]}},
        headers=admin,
    )
    error = assert_error(response, 422, "VALIDATION_ERROR")
    assert set(detail_fields(error)) == {"editors"}
    assert missing in str(error["details"])
    assert person["id"] not in str(error["details"])


async def test_reference_to_a_document_in_another_space_is_refused(
    client: httpx.AsyncClient, admin: Headers, db: Database, clock: FakeClock
) -> None:
    await _library(client, admin)
    make_space(db, clock, "other")
    make_user(db, clock, "olga", Role.ADMIN, space="other")
    olga = (await login(client, "olga")).headers
    await _library(client, olga)
    foreign = await _create(client, olga, type="person", data={"name": "Elsewhere"})

    response = await client.post(
        "/v1/documents", json={"type": "book", "data": {"author": foreign["id"]}}, headers=admin
    )
    error = assert_error(response, 422, "VALIDATION_ERROR")
    assert set(detail_fields(error)) == {"author"}


async def test_unique_field_refuses_a_duplicate_value(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    await _create_type(
        client,
        admin,
        {"name": "member", "fields": [{"name": "email", "type": "string", "unique": True}]},
    )
    first = await _create(client, admin, type="member", data={"email": "a@example.com"})
    response = await client.post(
        "/v1/documents", json={"type": "member", "data": {"email": "a@example.com"}}, headers=admin
    )
    error = assert_error(response, 409, "CONFLICT")
    assert set(detail_fields(error)) == {"email"}
    assert await _list_ids(client, admin, type="member") == [first["id"]]

    other = await _create(client, admin, type="member", data={"email": "b@example.com"})
    clash = await client.patch(
        f"/v1/documents/{other['id']}", json={"data": {"email": "a@example.com"}}, headers=admin
    )
    assert_error(clash, 409, "CONFLICT")


async def test_concurrent_writers_of_one_unique_value_store_it_once(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    await _create_type(
        client,
        admin,
        {"name": "member", "fields": [{"name": "email", "type": "string", "unique": True}]},
    )
    for round_ in range(3):
        body = {"type": "member", "data": {"email": f"race{round_}@example.com"}}
        responses = await asyncio.gather(
            *(client.post("/v1/documents", json=body, headers=admin) for _ in range(3))
        )
        assert sorted(r.status_code for r in responses) == [201, 409, 409], [
            r.text for r in responses
        ]


async def test_unique_field_does_not_clash_with_the_document_itself(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    await _create_type(
        client,
        admin,
        {"name": "member", "fields": [{"name": "email", "type": "string", "unique": True}]},
    )
    member = await _create(client, admin, type="member", data={"email": "a@example.com"})
    response = await client.patch(
        f"/v1/documents/{member['id']}",
        json={"title": "Renamed", "data": {"email": "a@example.com"}},
        headers=admin,
    )
    assert response.status_code == 200, response.text


async def test_datetime_fields_are_normalised_to_utc_z(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    await _create_type(client, admin, EVENT)
    stored = "2026-05-01T09:30:00Z"
    for sent in ("2026-05-01T11:30:00+02:00", "2026-05-01T09:30:00Z", "2026-04-30T23:30:00-10:00"):
        document = await _create(
            client, admin, type="event", data={"venue": "Hall", "startsAt": sent}
        )
        assert document["data"]["startsAt"] == stored, sent
        assert (await _get(client, admin, document["id"]))["data"]["startsAt"] == stored
    patched = await client.patch(
        f"/v1/documents/{document['id']}",
        json={"data": {"startsAt": "2026-06-01T12:00:00+01:00"}},
        headers=admin,
    )
    assert patched.json()["document"]["data"]["startsAt"] == "2026-06-01T11:00:00Z"


async def test_malformed_datetime_is_a_validation_error(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    await _create_type(client, admin, EVENT)
    response = await client.post(
        "/v1/documents",
        json={"type": "event", "data": {"venue": "Hall", "startsAt": "next tuesday"}},
        headers=admin,
    )
    error = assert_error(response, 422, "VALIDATION_ERROR")
    assert set(detail_fields(error)) == {"startsAt"}


# --- single types -----------------------------------------------------------------------------

SETTINGS: dict[str, Any] = {
    "name": "settings",
    "kind": "single",
    "fields": [
        {"name": "siteName", "type": "string", "required": True},
        {"name": "tagline", "type": "string"},
    ],
}


async def test_singleton_put_creates_then_replaces(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    await _create_type(client, admin, SETTINGS)
    missing = await client.get("/v1/singletons/settings", headers=admin)
    assert_error(missing, 404, "DOCUMENT_NOT_FOUND")

    created = await client.put(
        "/v1/singletons/settings",
        json={"data": {"siteName": "Masthead", "tagline": "News"}},
        headers=admin,
    )
    assert created.status_code == 200, created.text
    first = created.json()["document"]
    assert first["type"] == "settings"
    assert first["data"] == {"siteName": "Masthead", "tagline": "News"}

    replaced = await client.put(
        "/v1/singletons/settings", json={"data": {"siteName": "Masthead 2"}}, headers=admin
    )
    assert replaced.status_code == 200, replaced.text
    second = replaced.json()["document"]
    assert second["id"] == first["id"]
    assert second["version"] == first["version"] + 1
    assert second["data"] == {"siteName": "Masthead 2"}  # replaced, not merged

    fetched = await client.get("/v1/singletons/settings", headers=admin)
    assert fetched.status_code == 200
    assert fetched.json()["document"]["data"] == {"siteName": "Masthead 2"}
    assert fetched.headers["ETag"] == f'"{second["version"]}"'
    assert await _list_ids(client, admin, type="settings") == [first["id"]]


async def test_singleton_put_validates_its_content(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    await _create_type(client, admin, SETTINGS)
    response = await client.put(
        "/v1/singletons/settings", json={"data": {"tagline": 5}}, headers=admin
    )
    error = assert_error(response, 422, "VALIDATION_ERROR")
    assert set(detail_fields(error)) == {"siteName", "tagline"}


async def test_singleton_delete_removes_it(client: httpx.AsyncClient, admin: Headers) -> None:
    await _create_type(client, admin, SETTINGS)
    await client.put("/v1/singletons/settings", json={"data": {"siteName": "M"}}, headers=admin)

    response = await client.delete("/v1/singletons/settings", headers=admin)
    assert response.status_code == 200, response.text
    assert response.json() == {"ok": True}
    assert_error(
        await client.get("/v1/singletons/settings", headers=admin), 404, "DOCUMENT_NOT_FOUND"
    )
    assert_error(
        await client.delete("/v1/singletons/settings", headers=admin), 404, "DOCUMENT_NOT_FOUND"
    )
    assert await _list_ids(client, admin, type="settings", status="all") == []


async def test_collection_type_is_not_a_singleton(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    for method, body in (("GET", None), ("PUT", {"title": "X"}), ("DELETE", None)):
        response = await client.request(method, "/v1/singletons/page", json=body, headers=admin)
        error = assert_error(response, 422, "VALIDATION_ERROR")
        assert set(detail_fields(error)) == {"type"}
    assert await _list_ids(client, admin) == []


async def test_unknown_singleton_type_is_404(client: httpx.AsyncClient, admin: Headers) -> None:
    assert_error(await client.get("/v1/singletons/nothing", headers=admin), 404, "NOT_FOUND")


async def test_a_single_type_holds_one_document(client: httpx.AsyncClient, admin: Headers) -> None:
    await _create_type(client, admin, SETTINGS)
    first = await _create(client, admin, type="settings", data={"siteName": "One"})
    response = await client.post(
        "/v1/documents", json={"type": "settings", "data": {"siteName": "Two"}}, headers=admin
    )
    error = assert_error(response, 409, "CONFLICT")
    assert "settings" in error["message"]
    assert await _list_ids(client, admin, type="settings") == [first["id"]]
    fetched = await client.get("/v1/singletons/settings", headers=admin)
    assert fetched.json()["document"]["id"] == first["id"]
