"""Inputs that answered 500, or were wrongly accepted, through /v1 on both databases
(issue 13, defects 6 and 8). Lone surrogates and NaN are in ``test_unencodable_text.py``."""

from __future__ import annotations

import unicodedata
from typing import Any
from uuid import uuid4

import httpx
import jwt
import pytest

from masthead.core.models import Role
from masthead.settings import Settings
from masthead.storage.uow import Database
from tests.api.errors import assert_error, detail_fields
from tests.conftest import FakeClock
from tests.factories import login, make_space, make_user

pytestmark = pytest.mark.anyio

Headers = dict[str, str]


@pytest.fixture
async def measures(client: httpx.AsyncClient, admin: Headers) -> None:
    spec = {
        "name": "measure",
        "fields": [
            {"name": "n", "type": "integer"},
            {"name": "x", "type": "number"},
            {"name": "count", "type": "integer", "unique": True},
            {"name": "code", "type": "string", "unique": True},
            {"name": "when", "type": "datetime"},
        ],
    }
    response = await client.post("/v1/types", json=spec, headers=admin)
    assert response.status_code == 201, response.text


# --- defect 6 ---------------------------------------------------------------------------------


async def test_an_upload_url_with_a_non_ascii_signature_is_an_invalid_token(
    client: httpx.AsyncClient,
) -> None:
    response = await client.put(
        f"/v1/media/{uuid4()}/upload?expires=1&signature=%C3%A9", content=b"bytes"
    )

    assert_error(response, 401, "MEDIA_UPLOAD_TOKEN_INVALID")


@pytest.mark.usefixtures("measures")
@pytest.mark.parametrize("field", ["createdAt", "updatedAt", "publishedAt", "when"])
@pytest.mark.parametrize("value", ["0001-01-01T00:00:00%2B01:00", "9999-12-31T23:59:59-01:00"])
async def test_a_date_filter_past_the_calendar_in_utc_is_refused_naming_the_field(
    client: httpx.AsyncClient, admin: Headers, field: str, value: str
) -> None:
    response = await client.get(
        f"/v1/documents?type=measure&filter[{field}][gt]={value}", headers=admin
    )

    error = assert_error(response, 422, "VALIDATION_ERROR")
    assert detail_fields(error) == [field]


@pytest.mark.usefixtures("measures")
@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
async def test_a_date_value_past_the_calendar_in_utc_is_refused_naming_the_field(
    client: httpx.AsyncClient, admin: Headers, value: str
) -> None:
    body = {"type": "measure", "title": "t", "data": {"when": value}}

    response = await client.post("/v1/documents", json=body, headers=admin)

    error = assert_error(response, 422, "VALIDATION_ERROR")
    assert detail_fields(error) == ["when"]
    assert (await client.get("/v1/documents", headers=admin)).status_code == 200


@pytest.mark.usefixtures("measures")
async def test_numbers_past_64_bits_in_filters_and_values_are_422_and_floats_compare(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    created = await client.post(
        "/v1/documents", json={"type": "measure", "title": "a", "n": 1, "x": 2.5}, headers=admin
    )
    assert created.status_code == 201, created.text
    for query in ("filter[n]=99999999999999999999999", f"filter[count][lt]={2**63}"):
        response = await client.get(f"/v1/documents?type=measure&{query}", headers=admin)
        error = assert_error(response, 422, "VALIDATION_ERROR")
        assert detail_fields(error) in (["n"], ["count"])
    for query, total in (("filter[x]=1e300", 0), ("filter[x][lt]=1e300", 1)):
        response = await client.get(f"/v1/documents?type=measure&{query}", headers=admin)
        assert response.status_code == 200, (query, response.text)
        assert response.json()["pagination"]["totalItems"] == total, query
    body = {"type": "measure", "title": "b", "count": 2**63}
    response = await client.post("/v1/documents", json=body, headers=admin)
    error = assert_error(response, 422, "VALIDATION_ERROR")
    assert detail_fields(error) == ["count"]
    body = {"type": "measure", "title": "c", "count": 2**63 - 1}
    assert (await client.post("/v1/documents", json=body, headers=admin)).status_code == 201
    response = await client.post("/v1/documents", json=body, headers=admin)
    assert_error(response, 409, "CONFLICT")


def _forged(settings: Settings, access_token: str, **claims: Any) -> str:
    """``access_token``'s claims with ``claims`` changed, correctly signed."""
    original = jwt.decode(access_token, options={"verify_signature": False})
    return jwt.encode({**original, **claims}, settings.signing_key(), algorithm="HS256")


@pytest.mark.parametrize(
    "claims",
    [
        {"exp": 1e30},
        {"exp": "99999999999"},
        {"exp": float("nan")},
        {"exp": True},
        {"iat": 1e30},
        {"iat": "1"},
        {"exp": 253_402_300_800},  # one second past 9999-12-31T23:59:59Z
    ],
)
async def test_a_signed_token_with_a_time_that_is_not_a_usable_number_is_invalid(
    client: httpx.AsyncClient,
    db: Database,
    clock: FakeClock,
    settings: Settings,
    claims: dict[str, Any],
) -> None:
    make_space(db, clock)
    make_user(db, clock, "ada", Role.ADMIN)
    session = await login(client, "ada")
    headers = {"Authorization": f"Bearer {_forged(settings, session.access_token, **claims)}"}

    assert (await client.get("/v1/documents", headers=session.headers)).status_code == 200
    assert_error(await client.get("/v1/documents", headers=headers), 401, "AUTH_INVALID_TOKEN")


# --- defect 8 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "kind\n"}, "name"),
        ({"name": "kind", "fields": [{"name": "a\n", "type": "string"}]}, "fields.0.name"),
    ],
)
async def test_names_with_a_trailing_newline_are_refused(
    client: httpx.AsyncClient, admin: Headers, body: dict[str, Any], field: str
) -> None:
    response = await client.post("/v1/types", json=body, headers=admin)

    error = assert_error(response, 422, "VALIDATION_ERROR")
    assert detail_fields(error) == [field]


@pytest.mark.parametrize(
    ("field", "named"),
    [
        ({"name": "a", "type": "integer", "min": 10, "max": 1}, "fields.a.min"),
        ({"name": "a", "type": "text", "minLength": 10, "maxLength": 1}, "fields.a.minLength"),
        ({"name": "a", "type": "integer", "default": "ten"}, "fields.a.default"),
        ({"name": "a", "type": "boolean", "default": 1}, "fields.a.default"),
    ],
)
async def test_a_field_contradicting_itself_is_refused_naming_it(
    client: httpx.AsyncClient, admin: Headers, field: dict[str, Any], named: str
) -> None:
    for method, path, body in (
        ("POST", "/v1/types", {"name": "kind", "fields": [field]}),
        ("PATCH", "/v1/types/post", {"fields": [field]}),
    ):
        response = await client.request(method, path, json=body, headers=admin)
        error = assert_error(response, 422, "VALIDATION_ERROR")
        assert detail_fields(error) == [named], path
    response = await client.get("/v1/types/post", headers=admin)
    assert "a" not in {f["name"] for f in response.json()["type"]["fields"]}


@pytest.mark.usefixtures("measures")
async def test_a_unique_word_composed_or_decomposed_is_one_value(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    composed, decomposed = (unicodedata.normalize(form, "Crème") for form in ("NFC", "NFD"))
    first = {"type": "measure", "title": "a", "code": decomposed}
    second = {"type": "measure", "title": "b", "code": composed}

    created = await client.post("/v1/documents", json=first, headers=admin)
    assert created.status_code == 201, created.text
    assert created.json()["document"]["data"]["code"] == composed
    assert_error(await client.post("/v1/documents", json=second, headers=admin), 409, "CONFLICT")


async def test_a_space_one_does_not_belong_to_answers_alike_whatever_its_name(
    client: httpx.AsyncClient, db: Database, clock: FakeClock, admin: Headers
) -> None:
    make_space(db, clock, "other")
    make_user(db, clock, "sam", Role.EDITOR, space="other")
    stranger = (await login(client, "sam")).headers
    bodies = []
    for slug in ("default", "DEFAULT", "Default", "missing", "MISSING"):
        response = await client.get("/v1/documents", headers={**stranger, "X-Space": slug})
        assert_error(response, 403, "FORBIDDEN")
        bodies.append(response.json())
    assert all(body == bodies[0] for body in bodies)
    for slug in ("other", "OTHER"):
        response = await client.get("/v1/documents", headers={**stranger, "X-Space": slug})
        assert response.status_code == 200, response.text
    response = await client.get("/v1/documents", headers={**admin, "X-Space": "DEFAULT"})
    assert response.status_code == 200, response.text
