"""/v1/forms: admins define forms; anyone submits (202, validated, size-limited, rate-limited,
honeypot trapped without a sign); editors list submissions and export them as CSV with
formula-looking cells neutralised. Roles and spaces are kept apart."""

from __future__ import annotations

import csv
import io
from typing import Any
from uuid import uuid4

import httpx
import pytest
from fastapi import FastAPI

from masthead.core.forms import MAX_SUBMISSION_BYTES
from masthead.core.models import Role
from masthead.storage.uow import Database
from tests.api.errors import assert_error, detail_fields
from tests.conftest import FakeClock
from tests.factories import login, make_space, make_user

pytestmark = pytest.mark.anyio

Headers = dict[str, str]
FIELDS: list[dict[str, Any]] = [
    {"name": "name", "type": "text", "label": "Your name", "required": True, "maxLength": 20},
    {"name": "email", "type": "email", "required": True},
    {"name": "message", "type": "textarea"},
    {"name": "age", "type": "number"},
    {"name": "subscribe", "type": "boolean"},
    {"name": "topic", "type": "select", "options": ["sales", "support"]},
    {"name": "website", "type": "url"},
    {"name": "day", "type": "date"},
]
GOOD = {"name": "Ada", "email": "ada@example.org", "message": "Hi"}


async def _form(client: httpx.AsyncClient, headers: Headers, **extra: Any) -> dict[str, Any]:
    body = {"title": "Contact", "fields": FIELDS, "honeypot": "nickname", **extra}
    response = await client.post("/v1/forms", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json()["form"])


async def _submit(
    client: httpx.AsyncClient, form_id: str, payload: Any, headers: Headers | None = None
) -> httpx.Response:
    return await client.post(
        f"/v1/forms/{form_id}/submit", json={"payload": payload}, headers=headers or {}
    )


async def _submissions(
    client: httpx.AsyncClient, form_id: str, headers: Headers, query: str = ""
) -> httpx.Response:
    return await client.get(f"/v1/forms/{form_id}/submissions{query}", headers=headers)


# --- definitions ------------------------------------------------------------------------------


async def test_an_admin_defines_reads_replaces_and_deletes_a_form(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    form = await _form(client, admin, description="Write to us", rateLimit="3/minute")
    assert (form["title"], form["description"], form["honeypot"]) == (
        "Contact",
        "Write to us",
        "nickname",
    )
    assert (form["rateLimit"], form["enabled"]) == ("3/minute", True)
    name, email, message, age = form["fields"][:4]
    assert (name["name"], name["label"], name["required"], name["maxLength"]) == (
        "name",
        "Your name",
        True,
        20,
    )
    assert (email["maxLength"], message["maxLength"], age["maxLength"]) == (1000, 10000, None)

    one = await client.get(f"/v1/forms/{form['id']}", headers=admin)
    assert one.json() == {"form": form}
    assert (await client.get("/v1/forms", headers=admin)).json() == {"items": [form]}

    replaced = await client.put(
        f"/v1/forms/{form['id']}",
        json={"title": "Contact us", "fields": [{"name": "email", "type": "email"}]},
        headers=admin,
    )
    assert replaced.status_code == 200, replaced.text
    new = replaced.json()["form"]
    assert (new["id"], new["title"], new["honeypot"], new["rateLimit"]) == (
        form["id"],
        "Contact us",
        None,
        "5/minute",
    )
    assert [f["name"] for f in new["fields"]] == ["email"]

    deleted = await client.delete(f"/v1/forms/{form['id']}", headers=admin)
    assert (deleted.status_code, deleted.json()) == (200, {"ok": True})
    assert_error(await client.get(f"/v1/forms/{form['id']}", headers=admin), 404, "FORM_NOT_FOUND")
    assert_error(await _submit(client, form["id"], GOOD), 404, "FORM_NOT_FOUND")


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"fields": []}, ["fields"]),
        ({"title": " "}, ["title"]),
        ({"fields": [{"name": "a"}, {"name": "a"}]}, ["fields.1.name"]),
        ({"fields": [{"name": "1a"}]}, ["fields.0.name"]),
        ({"fields": [{"name": "t", "type": "select"}]}, ["fields.0.options"]),
        ({"fields": [{"name": "t", "options": ["x"]}]}, ["fields.0.options"]),
        ({"fields": [{"name": "n", "type": "number", "maxLength": 3}]}, ["fields.0.maxLength"]),
        ({"fields": [{"name": "a"}], "honeypot": "a"}, ["honeypot"]),
        ({"fields": [{"name": "a"}], "honeypot": "no way"}, ["honeypot"]),
        ({"fields": [{"name": "a"}], "rateLimit": "lots"}, ["rateLimit"]),
        ({"fields": [{"name": "a"}], "rateLimit": "0/minute"}, ["rateLimit"]),
    ],
)
async def test_a_definition_that_breaks_the_rules_is_refused(
    client: httpx.AsyncClient, admin: Headers, change: dict[str, Any], fields: list[str]
) -> None:
    body = {"title": "T", "fields": [{"name": "a"}], **change}
    error = assert_error(
        await client.post("/v1/forms", json=body, headers=admin), 422, "VALIDATION_ERROR"
    )
    assert detail_fields(error) == fields


async def test_only_admins_define_forms(
    client: httpx.AsyncClient, admin: Headers, ed: Headers, viewer: Headers
) -> None:
    form = await _form(client, admin)
    body = {"title": "T", "fields": [{"name": "a"}]}
    for headers in (ed, viewer):
        assert_error(await client.post("/v1/forms", json=body, headers=headers), 403, "FORBIDDEN")
        path = f"/v1/forms/{form['id']}"
        assert_error(await client.put(path, json=body, headers=headers), 403, "FORBIDDEN")
        assert_error(await client.delete(path, headers=headers), 403, "FORBIDDEN")
        # Reading a definition is for every member: a frontend renders the form from it.
        assert (await client.get(path, headers=headers)).status_code == 200
    assert_error(await client.post("/v1/forms", json=body), 401, "AUTH_REQUIRED")


# --- submitting -------------------------------------------------------------------------------


async def test_anyone_submits_and_editors_read_the_submissions(
    client: httpx.AsyncClient, admin: Headers, ed: Headers, viewer: Headers
) -> None:
    form = await _form(client, admin)
    payload = {
        **GOOD,
        "age": 36,
        "subscribe": True,
        "topic": "support",
        "website": "https://ada.example",
        "day": "2026-12-03",
        "nickname": "",  # the honeypot, left empty as people do
    }
    response = await _submit(client, form["id"], payload)  # no authentication at all
    assert response.status_code == 202, response.text
    submission_id = response.json()["submissionId"]

    listed = await _submissions(client, form["id"], ed)
    assert listed.status_code == 200
    body = listed.json()
    assert body["pagination"]["totalItems"] == 1
    (item,) = body["items"]
    assert (item["id"], item["formId"]) == (submission_id, form["id"])
    assert item["data"] == {k: v for k, v in payload.items() if k != "nickname"}

    assert (await _submissions(client, form["id"], admin)).status_code == 200
    assert_error(await _submissions(client, form["id"], viewer), 403, "FORBIDDEN")
    assert_error(await _submissions(client, form["id"], {}), 401, "AUTH_REQUIRED")


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({}, ["payload.name", "payload.email"]),
        ({**GOOD, "name": "   "}, ["payload.name"]),
        ({**GOOD, "name": "x" * 21}, ["payload.name"]),
        ({**GOOD, "message": "x" * 10_001}, ["payload.message"]),
        ({**GOOD, "email": "not an address"}, ["payload.email"]),
        ({**GOOD, "age": "36"}, ["payload.age"]),
        ({**GOOD, "age": True}, ["payload.age"]),
        ({**GOOD, "subscribe": "yes"}, ["payload.subscribe"]),
        ({**GOOD, "topic": "other"}, ["payload.topic"]),
        ({**GOOD, "website": "javascript:alert(1)"}, ["payload.website"]),
        ({**GOOD, "day": "03/12/2026"}, ["payload.day"]),
        ({**GOOD, "name": ["Ada"]}, ["payload.name"]),
        ({**GOOD, "extra": "x"}, ["payload.extra"]),
    ],
)
async def test_a_payload_is_validated_against_the_form(
    client: httpx.AsyncClient, admin: Headers, payload: dict[str, Any], fields: list[str]
) -> None:
    form = await _form(client, admin, rateLimit="1000/minute")
    error = assert_error(await _submit(client, form["id"], payload), 422, "VALIDATION_ERROR")
    assert detail_fields(error) == fields
    assert (await _submissions(client, form["id"], admin)).json()["items"] == []


async def test_a_payload_must_be_an_object(client: httpx.AsyncClient, admin: Headers) -> None:
    form = await _form(client, admin, rateLimit="1000/minute")
    for payload in (["a"], "text", None):
        assert_error(await _submit(client, form["id"], payload), 422, "VALIDATION_ERROR")
    missing = await client.post(f"/v1/forms/{form['id']}/submit", json={})
    assert_error(missing, 422, "VALIDATION_ERROR")


async def test_a_large_payload_is_refused(client: httpx.AsyncClient, admin: Headers) -> None:
    fields = [{"name": f"f{i}", "type": "textarea"} for i in range(8)]
    form = await _form(client, admin, fields=fields, rateLimit="1000/minute")
    payload = {f"f{i}": "x" * 10_000 for i in range(8)}
    assert len(str(payload)) > MAX_SUBMISSION_BYTES
    assert_error(await _submit(client, form["id"], payload), 413, "PAYLOAD_TOO_LARGE")
    assert (await _submissions(client, form["id"], admin)).json()["items"] == []


async def test_a_filled_honeypot_looks_accepted_but_is_not_stored(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    form = await _form(client, admin)
    trapped = await _submit(client, form["id"], {**GOOD, "nickname": "bot"})
    assert trapped.status_code == 202
    assert set(trapped.json()) == {"submissionId"}
    # Even a payload that would not validate: a bot learns nothing from the answer.
    assert (await _submit(client, form["id"], {"nickname": "bot", "junk": 1})).status_code == 202
    assert (await _submissions(client, form["id"], admin)).json()["items"] == []


async def test_too_many_submissions_are_rate_limited_per_form_and_client(
    app: FastAPI, client: httpx.AsyncClient, admin: Headers
) -> None:
    form = await _form(client, admin, rateLimit="2/minute")
    other = await _form(client, admin, rateLimit="2/minute")
    for _ in range(2):
        assert (await _submit(client, form["id"], GOOD)).status_code == 202
    limited = await _submit(client, form["id"], GOOD)
    error = assert_error(limited, 429, "RATE_LIMITED")
    retry_after = limited.headers["retry-after"]
    assert retry_after.isdigit()
    assert 0 < int(retry_after) <= 60
    assert error["retryAfter"] == int(retry_after)
    # Refused and trapped attempts count too; other forms and other clients have their own.
    assert (await _submit(client, form["id"], {**GOOD, "nickname": "x"})).status_code == 429
    assert (await _submit(client, other["id"], GOOD)).status_code == 202
    transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 1234))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as elsewhere:
        assert (await _submit(elsewhere, form["id"], GOOD)).status_code == 202
    assert (await _submissions(client, form["id"], admin)).json()["pagination"]["totalItems"] == 3


async def test_a_disabled_or_unknown_form_is_not_found(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    form = await _form(client, admin, enabled=False)
    assert_error(await _submit(client, form["id"], GOOD), 404, "FORM_NOT_FOUND")
    assert_error(await _submit(client, str(uuid4()), GOOD), 404, "FORM_NOT_FOUND")
    assert_error(await _submit(client, "contact", GOOD), 404, "FORM_NOT_FOUND")


# --- listing and export -----------------------------------------------------------------------


async def test_submissions_are_paged_newest_first(
    client: httpx.AsyncClient, admin: Headers, clock: FakeClock
) -> None:
    form = await _form(client, admin, rateLimit="1000/minute")
    for i in range(5):
        clock.advance(1)
        assert (await _submit(client, form["id"], {**GOOD, "name": f"n{i}"})).status_code == 202
    page = (await _submissions(client, form["id"], admin, "?page=2&pageSize=2")).json()
    assert [s["data"]["name"] for s in page["items"]] == ["n2", "n1"]
    assert {k: page["pagination"][k] for k in ("page", "pageSize", "totalItems", "totalPages")} == {
        "page": 2,
        "pageSize": 2,
        "totalItems": 5,
        "totalPages": 3,
    }
    bad = await _submissions(client, form["id"], admin, "?pageSize=1000")
    assert_error(bad, 422, "VALIDATION_ERROR")


async def test_the_csv_export_neutralises_formulas(
    client: httpx.AsyncClient, admin: Headers, ed: Headers, viewer: Headers
) -> None:
    fields = [{"name": "text", "type": "textarea"}, {"name": "n", "type": "number"}]
    form = await _form(client, admin, fields=fields, honeypot=None, rateLimit="1000/minute")
    hostile = [
        '=HYPERLINK("http://evil")',
        "+1+1",
        "-2+3",
        "@SUM(A1)",
        "\t=1",
        "\r=1",
        'plain, with "quotes"\nand a line',
    ]
    for text in hostile:
        assert (await _submit(client, form["id"], {"text": text})).status_code == 202
    assert (await _submit(client, form["id"], {"text": "neg", "n": -5})).status_code == 202

    response = await _submissions(client, form["id"], ed, "?format=csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["id", "createdAt", "text", "n"]
    cells = {row[2]: row[3] for row in rows[1:]}
    assert set(cells) == {
        '\'=HYPERLINK("http://evil")',
        "'+1+1",
        "'-2+3",
        "'@SUM(A1)",
        "'\t=1",
        "'\r=1",
        'plain, with "quotes"\nand a line',
        "neg",
    }
    assert cells["neg"] == "'-5"
    assert_error(await _submissions(client, form["id"], viewer, "?format=csv"), 403, "FORBIDDEN")
    assert_error(
        await _submissions(client, form["id"], admin, "?format=xml"), 422, "VALIDATION_ERROR"
    )


async def test_spaces_keep_their_forms_apart(
    client: httpx.AsyncClient, db: Database, clock: FakeClock, admin: Headers
) -> None:
    form = await _form(client, admin)
    assert (await _submit(client, form["id"], GOOD)).status_code == 202
    make_space(db, clock, "other")
    make_user(db, clock, "otto", Role.ADMIN, space="other")
    otto = {**(await login(client, "otto")).headers, "X-Space": "other"}
    path = f"/v1/forms/{form['id']}"
    assert (await client.get("/v1/forms", headers=otto)).json() == {"items": []}
    assert_error(await client.get(path, headers=otto), 404, "FORM_NOT_FOUND")
    body = {"title": "Mine now", "fields": [{"name": "a"}]}
    assert_error(await client.put(path, json=body, headers=otto), 404, "FORM_NOT_FOUND")
    assert_error(await client.delete(path, headers=otto), 404, "FORM_NOT_FOUND")
    assert_error(await _submissions(client, form["id"], otto), 404, "FORM_NOT_FOUND")
    assert_error(await _submissions(client, form["id"], otto, "?format=csv"), 404, "FORM_NOT_FOUND")
    assert (await client.get(path, headers=admin)).json()["form"]["title"] == "Contact"
