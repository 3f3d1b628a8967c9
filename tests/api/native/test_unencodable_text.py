"""Text that cannot be encoded (lone surrogates) and numbers JSON cannot carry (NaN, Infinity)
answer 422 naming the field, store nothing, and leave every list answering 200, on both
databases (issue 13, defect 1). Before the fix a lone surrogate in document data was
committed on SQLite and every list of the space answered 500 from then on."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.api.errors import assert_error, detail_fields

pytestmark = pytest.mark.anyio

Headers = dict[str, str]
LONE_HIGH = "\ud83d"
LONE_LOW = "x\udfff"


def _raw(body: Any) -> bytes:
    """``body`` as JSON with every non-ASCII character escaped (``\\ud83d``): how a client
    that sends a lone surrogate puts it on the wire (it cannot be encoded as UTF-8)."""
    return json.dumps(body).encode()


async def _send(
    client: httpx.AsyncClient, method: str, path: str, body: bytes, headers: Headers
) -> httpx.Response:
    return await client.request(
        method, path, content=body, headers={**headers, "Content-Type": "application/json"}
    )


@pytest.fixture
async def types(client: httpx.AsyncClient, admin: Headers) -> None:
    spec = {
        "name": "t",
        "fields": [
            {"name": "j", "type": "json"},
            {"name": "tags", "type": "list", "of": "string"},
            {"name": "body", "type": "richtext"},
            {"name": "n", "type": "number"},
        ],
    }
    response = await client.post("/v1/types", json=spec, headers=admin)
    assert response.status_code == 201, response.text


async def _stored(client: httpx.AsyncClient, headers: Headers) -> int:
    """How many documents the space holds; also proves both lists still answer."""
    totals = []
    for perspective in ("draft", "published"):
        response = await client.get(f"/v1/documents?perspective={perspective}", headers=headers)
        assert response.status_code == 200, response.text
        totals.append(response.json()["pagination"]["totalItems"])
    return int(totals[0])


DOCUMENT_CASES = [
    ({"type": "t", "title": "p", "data": {"j": {LONE_HIGH: 1}}}, "data.j"),
    ({"type": "t", "title": "p", "data": {"j": {"k": [LONE_LOW]}}}, "data.j.k.0"),
    ({"type": "t", "title": LONE_LOW}, "title"),
    ({"type": "t", "title": "p", "slug": LONE_LOW}, "slug"),
    ({"type": "t", "title": "p", "data": {"tags": ["ok", LONE_LOW]}}, "data.tags.1"),
    ({"type": "t", "title": "p", "data": {"body": {"html": LONE_HIGH}}}, "data.body.html"),
    ({"type": "t", "title": "p", "tags": [LONE_HIGH]}, "tags.0"),
    ({"title": "p", "content": LONE_LOW}, "content"),
    (
        {
            "title": "p",
            "blocks": [{"name": "core/paragraph", "attributes": {"content": LONE_LOW}}],
        },
        "blocks.0.attributes.content",
    ),
]


@pytest.mark.usefixtures("types")
@pytest.mark.parametrize(("body", "field"), DOCUMENT_CASES)
async def test_a_lone_surrogate_in_a_new_document_is_refused_naming_the_field(
    client: httpx.AsyncClient, admin: Headers, body: dict[str, Any], field: str
) -> None:
    response = await _send(client, "POST", "/v1/documents", _raw(body), admin)

    error = assert_error(response, 422, "VALIDATION_ERROR")
    assert detail_fields(error) == [field]
    assert await _stored(client, admin) == 0


@pytest.mark.usefixtures("types")
async def test_escapes_in_upper_case_and_raw_surrogate_bytes_are_refused_too(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    bodies = [
        b'{"type": "t", "title": "p", "data": {"j": {"\\uD83D": 1}}}',
        b'{"type": "t", "title": "x\\uDFFF"}',
        b'{"type": "t", "title": "a\\uDC00\\uD800"}',  # low before high: two lone halves
        b'{"type": "t", "title": "\xed\xa0\xbd"}',  # a surrogate encoded as if it were UTF-8
    ]
    for body in bodies:
        response = await _send(client, "POST", "/v1/documents", body, admin)
        error = assert_error(response, 422, "VALIDATION_ERROR")
        assert detail_fields(error) in (["data.j"], ["title"]), body
    assert await _stored(client, admin) == 0


@pytest.mark.usefixtures("types")
async def test_a_surrogate_pair_is_an_ordinary_character(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    body = (
        b'{"type": "t", "title": "\\ud83d\\ude00 \\\\ud83d", "data": {"j": {"\\uD83D\\uDE00": 1}}}'
    )

    response = await _send(client, "POST", "/v1/documents", body, admin)

    assert response.status_code == 201, response.text
    document = response.json()["document"]
    assert document["title"] == "\U0001f600 \\ud83d"
    assert document["data"]["j"] == {"\U0001f600": 1}
    assert await _stored(client, admin) == 1


@pytest.mark.usefixtures("types")
async def test_edits_revisions_and_workflow_text_refuse_lone_surrogates(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    created = await client.post("/v1/documents", json={"type": "t", "title": "ok"}, headers=admin)
    doc_id = created.json()["document"]["id"]
    published = await client.post(f"/v1/documents/{doc_id}/publish", headers=admin)
    assert published.status_code == 200, published.text
    cases = [
        ("PATCH", f"/v1/documents/{doc_id}", {"data": {"j": [LONE_HIGH]}}, "data.j.0"),
        ("PATCH", f"/v1/documents/{doc_id}", {"title": LONE_LOW}, "title"),
        ("POST", f"/v1/documents/{doc_id}/revisions", {"message": LONE_LOW}, "message"),
        ("POST", f"/v1/documents/{doc_id}/reject", {"reason": LONE_HIGH}, "reason"),
    ]
    for method, path, body, field in cases:
        response = await _send(client, method, path, _raw(body), admin)
        error = assert_error(response, 422, "VALIDATION_ERROR")
        assert detail_fields(error) == [field], path
    document = (await client.get(f"/v1/documents/{doc_id}", headers=admin)).json()["document"]
    assert document["version"] == created.json()["document"]["version"] + 1  # the publish only
    assert await _stored(client, admin) == 1


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("POST", "/v1/types", {"name": "k", "title": LONE_LOW}, "title"),
        (
            "POST",
            "/v1/types",
            {"name": "k", "fields": [{"name": "a", "type": "string", "default": LONE_HIGH}]},
            "fields.0.default",
        ),
        (
            "POST",
            "/v1/types",
            {"name": "k", "fields": [{"name": "a", "type": "enum", "options": ["a", LONE_LOW]}]},
            "fields.0.options.1",
        ),
        ("PATCH", "/v1/types/post", {"title": LONE_HIGH}, "title"),
        ("POST", "/v1/auth/token", {"username": LONE_LOW, "password": "long-enough-1"}, "username"),
        ("POST", "/v1/media/init", {"filename": LONE_LOW}, "filename"),
        ("POST", "/v1/documents", {"title": "ok", "data": {LONE_HIGH: 1}}, "data"),
    ],
)
async def test_every_json_body_refuses_lone_surrogates_naming_the_field(
    client: httpx.AsyncClient,
    admin: Headers,
    method: str,
    path: str,
    body: dict[str, Any],
    field: str,
) -> None:
    response = await _send(client, method, path, _raw(body), admin)

    error = assert_error(response, 422, "VALIDATION_ERROR")
    assert detail_fields(error) == [field]
    types = (await client.get("/v1/types", headers=admin)).json()["items"]
    assert {t["name"] for t in types} == {"post", "page"}
    assert {t["title"] for t in types} == {"Post", "Page"}
    assert await _stored(client, admin) == 0


@pytest.mark.usefixtures("types")
@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b'{"type": "t", "title": "p", "data": {"n": NaN}}', "data.n"),
        (b'{"type": "t", "title": "p", "data": {"j": {"a": [Infinity]}}}', "data.j.a.0"),
        (b'{"type": "t", "title": "p", "data": {"j": -Infinity}}', "data.j"),
        (b'{"type": "t", "title": "p", "data": {"n": 1e400}}', "data.n"),
    ],
)
async def test_numbers_json_cannot_carry_are_refused_naming_the_field(
    client: httpx.AsyncClient, admin: Headers, body: bytes, field: str
) -> None:
    response = await _send(client, "POST", "/v1/documents", body, admin)

    error = assert_error(response, 422, "VALIDATION_ERROR")
    assert detail_fields(error) == [field]
    assert await _stored(client, admin) == 0


@pytest.mark.usefixtures("types")
async def test_the_words_nan_and_infinity_in_text_are_ordinary_text(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    body = b'{"type": "t", "title": "NaN and Infinity", "data": {"n": 1e300, "j": "1e400"}}'

    response = await _send(client, "POST", "/v1/documents", body, admin)

    assert response.status_code == 201, response.text
    assert response.json()["document"]["title"] == "NaN and Infinity"
