"""Native /v1/types: the built-in types, creating, changing and deleting content types, and
the rule that changing a type never silently drops stored data."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from tests.api.errors import assert_error, detail_fields

pytestmark = pytest.mark.anyio

TOAST_FIELDS = {
    "title",
    "slug",
    "body",
    "excerpt",
    "featureImage",
    "metaTitle",
    "metaDescription",
    "ogImage",
}

EVENT: dict[str, Any] = {
    "name": "event",
    "title": "Event",
    "routePattern": "/events/{slug}",
    "template": "event",
    "fields": [
        {"name": "venue", "type": "string", "required": True, "maxLength": 100},
        {"name": "seats", "type": "integer", "min": 1},
        {"name": "level", "type": "enum", "options": ["beginner", "expert"]},
    ],
}


async def _create_event(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    response = await client.post("/v1/types", json=EVENT, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()["type"]


async def _create_doc(
    client: httpx.AsyncClient, headers: dict[str, str], **body: Any
) -> dict[str, Any]:
    response = await client.post("/v1/documents", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()["document"]


# --- built-in types ---------------------------------------------------------------------------


async def test_new_space_lists_post_and_page_with_the_toast_fields(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    response = await client.get("/v1/types", headers=admin)
    assert response.status_code == 200, response.text
    types = {t["name"]: t for t in response.json()["items"]}
    assert {"post", "page"} <= set(types)
    for name in ("post", "page"):
        content_type = types[name]
        assert content_type["kind"] == "collection"
        assert content_type["isBuiltin"] is True
        assert {f["name"] for f in content_type["fields"]} >= TOAST_FIELDS


async def test_builtin_types_carry_their_json_schema(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    response = await client.get("/v1/types/post", headers=admin)
    assert response.status_code == 200, response.text
    content_type = response.json()["type"]
    assert content_type["routePattern"] == "/blog/{slug}"
    schema = content_type["schema"]
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False
    assert set(schema["properties"]) >= TOAST_FIELDS


async def test_editors_read_types(client: httpx.AsyncClient, ed: dict[str, str]) -> None:
    response = await client.get("/v1/types", headers=ed)
    assert response.status_code == 200
    assert {"post", "page"} <= {t["name"] for t in response.json()["items"]}


async def test_listing_types_needs_a_token(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    assert_error(await client.get("/v1/types"), 401, "AUTH_REQUIRED")


# --- create -----------------------------------------------------------------------------------


async def test_admin_creates_a_type(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    created = await _create_event(client, admin)
    assert created["name"] == "event"
    assert created["title"] == "Event"
    assert created["kind"] == "collection"
    assert created["isBuiltin"] is False
    assert created["routePattern"] == "/events/{slug}"
    assert [f["name"] for f in created["fields"]] == ["venue", "seats", "level"]
    assert created["schema"]["required"] == ["venue"]

    fetched = await client.get("/v1/types/event", headers=admin)
    assert fetched.status_code == 200
    assert fetched.json()["type"]["fields"] == created["fields"]
    listed = await client.get("/v1/types", headers=admin)
    assert "event" in {t["name"] for t in listed.json()["items"]}


async def test_a_single_type_is_created_with_its_kind(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    response = await client.post(
        "/v1/types",
        json={"name": "settings", "kind": "single", "fields": [{"name": "x", "type": "string"}]},
        headers=admin,
    )
    assert response.status_code == 201, response.text
    assert response.json()["type"]["kind"] == "single"
    assert response.json()["type"]["title"] == "Settings"


async def test_creating_a_type_twice_conflicts(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    await _create_event(client, admin)
    error = assert_error(await client.post("/v1/types", json=EVENT, headers=admin), 409, "CONFLICT")
    assert "event" in error["message"]


async def test_creating_a_builtin_name_conflicts(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    response = await client.post("/v1/types", json={"name": "post"}, headers=admin)
    assert_error(response, 409, "CONFLICT")


async def test_invalid_definition_is_refused_with_every_problem_in_details(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    response = await client.post(
        "/v1/types",
        json={
            "name": "broken",
            "fields": [
                {"name": "has space", "type": "string"},
                {"name": "level", "type": "enum"},
                {"name": "code", "type": "string", "pattern": "[a-z"},
            ],
        },
        headers=admin,
    )
    error = assert_error(response, 422, "VALIDATION_ERROR")
    fields = detail_fields(error)
    for index in ("0", "1", "2"):
        assert any(f.startswith(f"fields.{index}") for f in fields), fields
    assert all(d["message"] for d in error["details"])
    missing = await client.get("/v1/types/broken", headers=admin)
    assert_error(missing, 404, "NOT_FOUND")


INVALID_DEFINITIONS: dict[str, tuple[dict[str, Any], str]] = {
    "bad name": ({"name": "Bad Name"}, "name"),
    "reserved field": ({"name": "x", "fields": [{"name": "id", "type": "string"}]}, "fields.0"),
    "unknown field type": ({"name": "x", "fields": [{"name": "a", "type": "colour"}]}, "fields.0"),
    "reference without to": (
        {"name": "x", "fields": [{"name": "r", "type": "reference"}]},
        "fields.0",
    ),
    "unknown kind": ({"name": "x", "kind": "bundle"}, "kind"),
    "route not a path": ({"name": "x", "routePattern": "no-slash"}, ""),
    "unknown key": ({"name": "x", "colour": "red"}, "colour"),
}


async def test_invalid_definitions_are_422_with_the_field_named(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    for case, (definition, field_prefix) in INVALID_DEFINITIONS.items():
        response = await client.post("/v1/types", json=definition, headers=admin)
        error = assert_error(response, 422, "VALIDATION_ERROR")
        assert any(f.startswith(field_prefix) for f in detail_fields(error)), (case, error)
    listed = await client.get("/v1/types", headers=admin)
    assert {t["name"] for t in listed.json()["items"]} == {"post", "page"}


async def test_duplicate_field_names_are_refused(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    response = await client.post(
        "/v1/types",
        json={
            "name": "x",
            "fields": [{"name": "a", "type": "string"}, {"name": "a", "type": "text"}],
        },
        headers=admin,
    )
    error = assert_error(response, 422, "VALIDATION_ERROR")
    assert "duplicate" in str(error).lower()


async def test_reference_to_an_unknown_type_is_refused(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    response = await client.post(
        "/v1/types",
        json={"name": "book", "fields": [{"name": "author", "type": "reference", "to": "nobody"}]},
        headers=admin,
    )
    error = assert_error(response, 422, "VALIDATION_ERROR")
    assert detail_fields(error) == ["fields.author.to"]
    assert "nobody" in error["details"][0]["message"]


async def test_reference_to_itself_is_allowed(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    response = await client.post(
        "/v1/types",
        json={"name": "person", "fields": [{"name": "boss", "type": "reference", "to": "person"}]},
        headers=admin,
    )
    assert response.status_code == 201, response.text


async def test_editors_may_not_create_types(
    client: httpx.AsyncClient, ed: dict[str, str], admin: dict[str, str]
) -> None:
    assert_error(await client.post("/v1/types", json=EVENT, headers=ed), 403, "FORBIDDEN")
    assert_error(await client.get("/v1/types/event", headers=admin), 404, "NOT_FOUND")


async def test_editors_may_not_change_or_delete_types(
    client: httpx.AsyncClient, ed: dict[str, str], admin: dict[str, str]
) -> None:
    await _create_event(client, admin)
    patch = await client.patch("/v1/types/event", json={"title": "Gig"}, headers=ed)
    assert_error(patch, 403, "FORBIDDEN")
    assert_error(await client.delete("/v1/types/event", headers=ed), 403, "FORBIDDEN")
    fetched = await client.get("/v1/types/event", headers=admin)
    assert fetched.json()["type"]["title"] == "Event"


# --- change -----------------------------------------------------------------------------------


async def test_patch_changes_the_title_only(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    created = await _create_event(client, admin)
    response = await client.patch("/v1/types/event", json={"title": "Gig"}, headers=admin)
    assert response.status_code == 200, response.text
    changed = response.json()["type"]
    assert changed["title"] == "Gig"
    assert changed["fields"] == created["fields"]
    assert changed["routePattern"] == created["routePattern"]
    fetched = await client.get("/v1/types/event", headers=admin)
    assert fetched.json()["type"]["title"] == "Gig"


async def test_patch_adds_a_field_that_documents_then_accept(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    created = await _create_event(client, admin)
    fields = [*created["fields"], {"name": "online", "type": "boolean"}]
    response = await client.patch("/v1/types/event", json={"fields": fields}, headers=admin)
    assert response.status_code == 200, response.text
    assert "online" in {f["name"] for f in response.json()["type"]["fields"]}
    assert "online" in response.json()["type"]["schema"]["properties"]

    document = await _create_doc(
        client, admin, type="event", data={"venue": "Hall", "online": True}
    )
    assert document["data"]["online"] is True


async def test_patch_with_an_invalid_field_is_refused(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    created = await _create_event(client, admin)
    fields = [*created["fields"], {"name": "level2", "type": "enum"}]
    response = await client.patch("/v1/types/event", json={"fields": fields}, headers=admin)
    assert_error(response, 422, "VALIDATION_ERROR")
    fetched = await client.get("/v1/types/event", headers=admin)
    assert fetched.json()["type"]["fields"] == created["fields"]


async def test_removing_an_unused_field_succeeds(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    created = await _create_event(client, admin)
    await _create_doc(client, admin, type="event", data={"venue": "Hall", "seats": 3})
    kept = [f for f in created["fields"] if f["name"] != "level"]
    response = await client.patch("/v1/types/event", json={"fields": kept}, headers=admin)
    assert response.status_code == 200, response.text
    assert [f["name"] for f in response.json()["type"]["fields"]] == ["venue", "seats"]


async def test_removing_a_field_documents_use_conflicts_and_names_it(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    created = await _create_event(client, admin)
    document = await _create_doc(client, admin, type="event", data={"venue": "Hall", "seats": 3})
    kept = [f for f in created["fields"] if f["name"] != "seats"]

    response = await client.patch("/v1/types/event", json={"fields": kept}, headers=admin)
    error = assert_error(response, 409, "CONFLICT")
    assert detail_fields(error) == ["seats"]
    assert "1" in error["details"][0]["message"]
    fetched_type = await client.get("/v1/types/event", headers=admin)
    assert "seats" in {f["name"] for f in fetched_type.json()["type"]["fields"]}
    fetched = await client.get(f"/v1/documents/{document['id']}", headers=admin)
    assert fetched.json()["document"]["data"]["seats"] == 3


async def test_removing_a_used_field_succeeds_with_force(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    created = await _create_event(client, admin)
    await _create_doc(client, admin, type="event", data={"venue": "Hall", "seats": 3})
    kept = [f for f in created["fields"] if f["name"] != "seats"]

    response = await client.patch(
        "/v1/types/event", params={"force": "true"}, json={"fields": kept}, headers=admin
    )
    assert response.status_code == 200, response.text
    assert "seats" not in {f["name"] for f in response.json()["type"]["fields"]}
    assert "seats" not in response.json()["type"]["schema"]["properties"]


async def test_a_type_cannot_be_renamed_by_patch(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    await _create_event(client, admin)
    response = await client.patch("/v1/types/event", json={"name": "gig"}, headers=admin)
    assert_error(response, 422, "VALIDATION_ERROR")
    assert_error(await client.get("/v1/types/gig", headers=admin), 404, "NOT_FOUND")


# --- delete -----------------------------------------------------------------------------------


async def test_deleting_an_unused_type(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    await _create_event(client, admin)
    response = await client.delete("/v1/types/event", headers=admin)
    assert response.status_code == 200, response.text
    assert response.json() == {"ok": True}
    assert_error(await client.get("/v1/types/event", headers=admin), 404, "NOT_FOUND")


async def test_deleting_a_type_with_documents_conflicts(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    await _create_event(client, admin)
    document = await _create_doc(client, admin, type="event", data={"venue": "Hall"})

    error = assert_error(await client.delete("/v1/types/event", headers=admin), 409, "CONFLICT")
    assert "force" in error["message"]
    assert (await client.get("/v1/types/event", headers=admin)).status_code == 200
    assert (await client.get(f"/v1/documents/{document['id']}", headers=admin)).status_code == 200


async def test_deleting_a_type_with_documents_by_force_deletes_them_too(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    await _create_event(client, admin)
    document = await _create_doc(client, admin, type="event", data={"venue": "Hall"})
    other = await _create_doc(client, admin, title="Stays")

    response = await client.delete("/v1/types/event", params={"force": "true"}, headers=admin)
    assert response.status_code == 200, response.text
    assert_error(await client.get("/v1/types/event", headers=admin), 404, "NOT_FOUND")
    gone = await client.get(f"/v1/documents/{document['id']}", headers=admin)
    assert_error(gone, 404, "DOCUMENT_NOT_FOUND")
    assert (await client.get(f"/v1/documents/{other['id']}", headers=admin)).status_code == 200


# --- unknown ----------------------------------------------------------------------------------


async def test_unknown_type_is_404(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    for method, body in (("GET", None), ("PATCH", {"title": "X"}), ("DELETE", None)):
        response = await client.request(method, "/v1/types/nothing", json=body, headers=admin)
        error = assert_error(response, 404, "NOT_FOUND")
        assert "nothing" in error["message"], method


async def test_a_catastrophic_pattern_refuses_the_value_instead_of_hanging(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    created = await client.post(
        "/v1/types",
        json={
            "name": "coded",
            "fields": [{"name": "code", "type": "string", "pattern": "^(a|aa)+$"}],
        },
        headers=admin,
    )
    assert created.status_code == 201, created.text

    started = time.perf_counter()
    response = await client.post(
        "/v1/documents",
        json={"type": "coded", "title": "Evil", "code": "a" * 60 + "!"},
        headers=admin,
    )

    assert time.perf_counter() - started < 5
    error = assert_error(response, 422, "VALIDATION_ERROR")
    assert error["details"] == [
        {"field": "code", "message": "took too long to check against the field's pattern"}
    ]
    fine = await client.post(
        "/v1/documents", json={"type": "coded", "title": "Fine", "code": "aaa"}, headers=admin
    )
    assert fine.status_code == 201, fine.text


async def test_a_field_change_that_stored_values_break_is_refused_unless_forced(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    assert (await client.post("/v1/types", json=EVENT, headers=admin)).status_code == 201
    for venue, seats, level in (("Hall", 500, "expert"), ("Hut", 12, None), ("Barn", None, None)):
        body = {"type": "event", "title": venue, "venue": venue, "seats": seats, "level": level}
        made = await client.post("/v1/documents", json=body, headers=admin)
        assert made.status_code == 201, made.text

    def change(**fields: dict[str, Any]) -> dict[str, Any]:
        return {"fields": [{**f, **fields.get(f["name"], {})} for f in EVENT["fields"]]}

    # seats: integer → string breaks both stored numbers; max 100 breaks one of them.
    for update, field, count in (
        (change(seats={"type": "string"}), "seats", 2),
        (change(seats={"max": 100}), "seats", 1),
        (change(venue={"maxLength": 3}), "venue", 2),
        (change(level={"options": ["beginner"]}), "level", 1),
        (change(level={"required": True, "options": ["beginner", "expert"]}), "level", 2),
    ):
        refused = await client.patch("/v1/types/event", json=update, headers=admin)
        error = assert_error(refused, 409, "CONFLICT")
        assert error["details"] == [
            {"field": field, "message": f"{count} document(s) hold values it refuses"}
        ], update

    harmless = await client.patch(
        "/v1/types/event", json=change(seats={"type": "number"}), headers=admin
    )
    assert harmless.status_code == 200, harmless.text
    forced = await client.patch(
        "/v1/types/event",
        params={"force": "true"},
        json=change(venue={"maxLength": 3}),
        headers=admin,
    )
    assert forced.status_code == 200, forced.text
    fields = {f["name"]: f for f in forced.json()["type"]["fields"]}
    assert fields["venue"]["maxLength"] == 3
