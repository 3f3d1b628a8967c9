"""GET /v1/documents as a query language: type and status, filter[field][op], system-field
filters, sort (three spellings), paging (two spellings), full-text search, expand without N+1,
fields=, and the published perspective."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from masthead.core.models import Role
from masthead.storage.uow import Database
from tests.api.errors import assert_error
from tests.conftest import FakeClock
from tests.factories import login, make_space, make_user
from tests.statements import recorded_statements

pytestmark = pytest.mark.anyio

H = dict[str, str]

TYPES: list[dict[str, Any]] = [
    {"name": "company", "fields": [{"name": "name", "type": "string"}]},
    {"name": "category", "fields": [{"name": "name", "type": "string"}]},
    {
        "name": "author",
        "fields": [
            {"name": "name", "type": "string"},
            {"name": "company", "type": "reference", "to": "company"},
        ],
    },
    {
        "name": "article",
        "fields": [
            {"name": "section", "type": "string"},
            {"name": "rating", "type": "number"},
            {"name": "featured", "type": "boolean"},
            {"name": "tags", "type": "list", "of": "string"},
            {"name": "author", "type": "reference", "to": "author"},
            {"name": "categories", "type": "reference", "to": "category", "many": True},
            {"name": "published", "type": "datetime"},
            {"name": "body", "type": "richtext"},
            {"name": "meta", "type": "json"},
        ],
    },
]


@dataclass
class Data:
    headers: H
    ids: dict[str, str]  # title (or name) → document id
    created: dict[str, str]  # article title → createdAt as the API reports it


async def _create(client: httpx.AsyncClient, headers: H, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post("/v1/documents", json=body, headers=headers)
    assert response.status_code == 201, response.text
    document: dict[str, Any] = response.json()["document"]
    return document


async def _admin(client: httpx.AsyncClient, db: Database, clock: FakeClock) -> H:
    make_space(db, clock)
    make_user(db, clock, "root", Role.ADMIN)
    headers = (await login(client, "root")).headers
    for spec in TYPES:
        response = await client.post("/v1/types", json=spec, headers=headers)
        assert response.status_code == 201, response.text
    return headers


async def _article(
    client: httpx.AsyncClient, headers: H, title: str, **fields: Any
) -> dict[str, Any]:
    return await _create(client, headers, {"type": "article", "title": title, "data": fields})


@pytest.fixture
async def data(client: httpx.AsyncClient, db: Database, clock: FakeClock) -> Data:
    """Four articles (ratings 5, 3, 4, 3) with authors, a company and categories."""
    headers = await _admin(client, db, clock)
    ids: dict[str, str] = {}
    acme = await _create(client, headers, {"type": "company", "data": {"name": "Acme"}})
    ids["Acme"] = acme["id"]
    for name in ("News", "Tech"):
        ids[name] = (await _create(client, headers, {"type": "category", "data": {"name": name}}))[
            "id"
        ]
    ids["Ann"] = (
        await _create(
            client, headers, {"type": "author", "data": {"name": "Ann", "company": ids["Acme"]}}
        )
    )["id"]
    ids["Bob"] = (await _create(client, headers, {"type": "author", "data": {"name": "Bob"}}))["id"]
    articles = [
        (
            "Alpha launch",
            {
                "section": "news",
                "rating": 5,
                "featured": True,
                "tags": ["python", "web"],
                "author": ids["Ann"],
                "categories": [ids["News"], ids["Tech"]],
                "published": "2026-01-01T00:00:00Z",
                "body": "<p>The <em>rocket</em> lifted off at dawn</p>",
                "meta": {"x": 1},
            },
        ),
        (
            "Beta notes",
            {
                "section": "tech",
                "rating": 3,
                "featured": False,
                "tags": ["web"],
                "author": ids["Bob"],
                "categories": [ids["Tech"]],
                "published": "2026-02-01T00:00:00Z",
                "body": "<p>Quiet notes about gardening</p>",
            },
        ),
        (
            "Gamma review",
            {
                "section": "technology",
                "rating": 4,
                "featured": False,
                "tags": [],
                "body": "<div class='marquee'>A review of telescopes</div>",
            },
        ),
        ("Delta digest", {"section": "misc", "rating": 3, "tags": ["python"]}),
    ]
    created: dict[str, str] = {}
    for title, fields in articles:
        clock.advance(60)
        document = await _article(client, headers, title, **fields)
        ids[title] = document["id"]
        created[title] = document["createdAt"]
    return Data(headers, ids, created)


async def _list(client: httpx.AsyncClient, headers: H, **params: Any) -> httpx.Response:
    return await client.get("/v1/documents", params=params, headers=headers)


async def _titles(client: httpx.AsyncClient, headers: H, **params: Any) -> list[str]:
    params.setdefault("sort", "title")
    response = await _list(client, headers, **params)
    assert response.status_code == 200, response.text
    return [item["title"] for item in response.json()["items"]]


def _invalid(response: httpx.Response) -> dict[str, Any]:
    return assert_error(response, 422, "VALIDATION_ERROR")


def _names_field(error: dict[str, Any], field: str) -> None:
    assert any(d["field"] == field for d in error.get("details", [])), error


# --- type and status --------------------------------------------------------------------------


async def test_type_filter_returns_only_documents_of_that_type(
    client: httpx.AsyncClient, data: Data
) -> None:
    assert await _titles(client, data.headers, type="author") == ["Ann", "Bob"]
    assert await _titles(client, data.headers, type="article") == [
        "Alpha launch",
        "Beta notes",
        "Delta digest",
        "Gamma review",
    ]
    everything = await _titles(client, data.headers, limit=100)
    assert {"Acme", "News", "Ann", "Alpha launch"} <= set(everything)
    assert len(everything) == 9


async def test_unknown_type_status_or_perspective_is_refused_naming_it(
    client: httpx.AsyncClient, data: Data
) -> None:
    _names_field(_invalid(await _list(client, data.headers, type="nope")), "type")
    _names_field(_invalid(await _list(client, data.headers, status="draft,bogus")), "status")
    _invalid(await _list(client, data.headers, perspective="future"))


async def test_status_filter_takes_one_status_a_comma_list_or_all(
    client: httpx.AsyncClient, data: Data
) -> None:
    h, ids = data.headers, data.ids
    assert (
        await client.post(f"/v1/documents/{ids['Alpha launch']}/publish", headers=h)
    ).status_code == 200
    assert (
        await client.post(f"/v1/documents/{ids['Beta notes']}/submit", headers=h)
    ).status_code == 200
    assert (
        await client.post(f"/v1/documents/{ids['Gamma review']}/archive", headers=h)
    ).status_code == 200

    assert await _titles(client, h, type="article", status="draft") == ["Delta digest"]
    assert await _titles(client, h, type="article", status="published") == ["Alpha launch"]
    assert await _titles(client, h, type="article", status="in_review,published") == [
        "Alpha launch",
        "Beta notes",
    ]
    assert await _titles(client, h, type="article", status="archived") == ["Gamma review"]
    # Default: every status but archived; "all" includes archived.
    assert await _titles(client, h, type="article") == [
        "Alpha launch",
        "Beta notes",
        "Delta digest",
    ]
    assert len(await _titles(client, h, type="article", status="all")) == 4


# --- filters ----------------------------------------------------------------------------------

# (query parameters, titles expected, sorted); "@Name" stands for the id of the document Name.
FILTER_CASES: list[tuple[dict[str, str], list[str]]] = [
    # eq, by default and spelled out, for string, number and boolean fields
    ({"filter[section]": "tech"}, ["Beta notes"]),
    ({"filter[section][eq]": "news"}, ["Alpha launch"]),
    ({"filter[rating]": "3"}, ["Beta notes", "Delta digest"]),
    ({"filter[rating]": "5.0"}, ["Alpha launch"]),
    ({"filter[featured]": "true"}, ["Alpha launch"]),
    ({"filter[featured]": "false"}, ["Beta notes", "Gamma review"]),
    # comparisons
    ({"filter[section][ne]": "news"}, ["Beta notes", "Delta digest", "Gamma review"]),
    ({"filter[rating][ne]": "3"}, ["Alpha launch", "Gamma review"]),
    ({"filter[rating][lt]": "4"}, ["Beta notes", "Delta digest"]),
    ({"filter[rating][lte]": "4"}, ["Beta notes", "Delta digest", "Gamma review"]),
    ({"filter[rating][gt]": "4"}, ["Alpha launch"]),
    ({"filter[rating][gte]": "4"}, ["Alpha launch", "Gamma review"]),
    ({"filter[rating][gt]": "3", "filter[rating][lt]": "5"}, ["Gamma review"]),
    ({"filter[rating][in]": "3,5"}, ["Alpha launch", "Beta notes", "Delta digest"]),
    ({"filter[section][in]": "news,misc"}, ["Alpha launch", "Delta digest"]),
    ({"filter[published][gte]": "2026-01-15T00:00:00Z"}, ["Beta notes"]),
    ({"filter[published][lt]": "2026-01-15T00:00:00Z"}, ["Alpha launch"]),
    # contains: a substring of a string, an element of a list
    ({"filter[section][contains]": "ech"}, ["Beta notes", "Gamma review"]),
    ({"filter[tags][contains]": "python"}, ["Alpha launch", "Delta digest"]),
    ({"filter[tags][contains]": "web"}, ["Alpha launch", "Beta notes"]),
    ({"filter[tags][contains]": "pyth"}, []),
    ({"filter[categories][contains]": "@Tech"}, ["Alpha launch", "Beta notes"]),
    # exists
    ({"filter[published][exists]": "true"}, ["Alpha launch", "Beta notes"]),
    ({"filter[published][exists]": "false"}, ["Delta digest", "Gamma review"]),
    ({"filter[featured][exists]": "false"}, ["Delta digest"]),
    # system fields
    ({"filter[title][contains]": "lph"}, ["Alpha launch"]),
    ({"filter[title]": "Beta notes"}, ["Beta notes"]),
    ({"filter[slug][in]": "gamma-review,delta-digest"}, ["Delta digest", "Gamma review"]),
    # values are bound parameters, never SQL
    ({"filter[section]": "news' OR '1'='1"}, []),
    ({"filter[section][contains]": "%"}, []),
    ({"filter[section][contains]": "_"}, []),
]


async def _mismatches(
    client: httpx.AsyncClient, data: Data, cases: list[tuple[dict[str, str], list[str]]]
) -> list[str]:
    out = []
    for params, expected in cases:
        resolved = {k: data.ids[v[1:]] if v.startswith("@") else v for k, v in params.items()}
        got = await _titles(client, data.headers, type="article", **resolved)
        if got != expected:
            out.append(f"{params}: expected {expected}, got {got}")
    return out


async def test_filter_operators_select_the_matching_articles(
    client: httpx.AsyncClient, data: Data
) -> None:
    assert await _mismatches(client, data, FILTER_CASES) == []


async def test_filter_on_a_type_field_named_author_uses_that_field(
    client: httpx.AsyncClient, data: Data
) -> None:
    cases = [
        ({"filter[author][exists]": "true"}, ["Alpha launch", "Beta notes"]),
        ({"filter[author]": "@Ann"}, ["Alpha launch"]),
    ]
    assert await _mismatches(client, data, cases) == []


async def test_filter_on_a_datetime_field_compares_instants_and_refuses_non_datetimes(
    client: httpx.AsyncClient, data: Data
) -> None:
    same_instant = [
        ({"filter[published]": "2026-01-01T01:00:00+01:00"}, ["Alpha launch"]),
        ({"filter[published]": "2026-01-01T00:00:00.000Z"}, ["Alpha launch"]),
        ({"filter[published][lte]": "2026-01-01T01:00:00+01:00"}, ["Alpha launch"]),
    ]
    assert await _mismatches(client, data, same_instant) == []
    assert (
        await _unnamed(client, data, [({"filter[published][gte]": "yesterday"}, "published")]) == []
    )


async def test_filter_on_created_at_compares_timestamps(
    client: httpx.AsyncClient, data: Data
) -> None:
    since = data.created["Gamma review"]
    assert await _titles(
        client, data.headers, type="article", **{"filter[createdAt][gte]": since}
    ) == ["Delta digest", "Gamma review"]
    assert await _titles(
        client, data.headers, type="article", **{"filter[createdAt][lt]": since}
    ) == ["Alpha launch", "Beta notes"]


async def test_system_field_filters_work_without_a_type(
    client: httpx.AsyncClient, data: Data
) -> None:
    assert await _titles(client, data.headers, **{"filter[title][contains]": "o"}) == [
        "Beta notes",
        "Bob",
    ]


async def _unnamed(
    client: httpx.AsyncClient, data: Data, cases: list[tuple[dict[str, str], str]]
) -> list[str]:
    """The cases that were not refused with 422 VALIDATION_ERROR naming the field."""
    out = []
    for params, field in cases:
        response = await _list(client, data.headers, **{"type": "article", **params})
        body = response.json()
        details = body.get("error", {}).get("details", [])
        if (
            response.status_code != 422
            or set(body) != {"error"}
            or body["error"]["code"] != "VALIDATION_ERROR"
            or not body["error"]["message"]
            or field not in {d["field"] for d in details}
        ):
            out.append(f"{params}: {response.status_code} {body}")
    return out


async def test_bad_filters_are_refused_naming_the_field(
    client: httpx.AsyncClient, data: Data
) -> None:
    cases = [
        ({"filter[nope]": "1"}, "nope"),
        ({"filter[nope][gt]": "1"}, "nope"),
        ({"filter[body]": "x"}, "body"),  # richtext
        ({"filter[meta][exists]": "true"}, "meta"),  # json
        ({"filter[rating][near]": "1"}, "rating"),  # no such operator
        ({"filter[rating][contains]": "1"}, "rating"),  # operator not for numbers
        ({"filter[tags][gt]": "a"}, "tags"),  # operator not for lists
        ({"filter[rating]": "abc"}, "rating"),
        ({"filter[rating][in]": "3,x"}, "rating"),
        ({"filter[featured]": "maybe"}, "featured"),
        ({"filter[createdAt][gte]": "yesterday"}, "createdAt"),
        ({"filter[published][exists]": "perhaps"}, "published"),
    ]
    assert await _unnamed(client, data, cases) == []
    # A type's own field needs the type named.
    untyped = _invalid(await _list(client, data.headers, **{"filter[rating]": "3"}))
    _names_field(untyped, "rating")


# --- sort -------------------------------------------------------------------------------------


async def test_sort_spellings_order_the_list(client: httpx.AsyncClient, data: Data) -> None:
    cases: list[tuple[dict[str, str], list[str]]] = [
        ({"sort": "-rating,title"}, ["Alpha launch", "Gamma review", "Beta notes", "Delta digest"]),
        ({"sort": "rating,-title"}, ["Delta digest", "Beta notes", "Gamma review", "Alpha launch"]),
        (
            {"orderBy": "title", "order": "desc"},
            ["Gamma review", "Delta digest", "Beta notes", "Alpha launch"],
        ),
        (
            {"sortBy": "title", "sortDir": "asc"},
            ["Alpha launch", "Beta notes", "Delta digest", "Gamma review"],
        ),
        (
            {"sortBy": "createdAt", "sortDir": "asc"},
            ["Alpha launch", "Beta notes", "Gamma review", "Delta digest"],
        ),
        # the contract's default: updatedAt, newest first
        ({}, ["Delta digest", "Gamma review", "Beta notes", "Alpha launch"]),
    ]
    wrong = []
    for params, expected in cases:
        response = await _list(client, data.headers, type="article", **params)
        got = [item["title"] for item in response.json().get("items", [])]
        if got != expected:
            wrong.append(f"{params}: expected {expected}, got {response.text[:300]}")
    assert wrong == []
    # Beta and Delta tie on rating: only the order of the others is defined.
    response = await _list(client, data.headers, type="article", orderBy="rating", order="desc")
    got = [item["title"] for item in response.json()["items"]]
    assert got[:2] == ["Alpha launch", "Gamma review"]
    assert set(got[2:]) == {"Beta notes", "Delta digest"}


async def test_bad_sorts_are_refused_naming_the_field(
    client: httpx.AsyncClient, data: Data
) -> None:
    cases = [
        ({"sort": "nope"}, "nope"),
        ({"sort": "title,-nope"}, "nope"),
        ({"orderBy": "nope"}, "nope"),
        ({"sortBy": "nope"}, "nope"),
        ({"sort": "body"}, "body"),
        ({"sort": "tags"}, "tags"),
        ({"sort": "meta"}, "meta"),
        ({"orderBy": "title", "order": "sideways"}, "order"),
        ({"sortBy": "title", "sortDir": "up"}, "sortDir"),
    ]
    assert await _unnamed(client, data, cases) == []


# --- paging -----------------------------------------------------------------------------------


async def test_paging_returns_the_slice_and_consistent_metadata(
    client: httpx.AsyncClient, data: Data
) -> None:
    def meta(page: int, size: int, offset: int, pages: int) -> dict[str, int]:
        return {
            "page": page,
            "pageSize": size,
            "limit": size,
            "offset": offset,
            "totalPages": pages,
            "pages": pages,
            "totalItems": 4,
            "total": 4,
        }

    a, b, d, g = "Alpha launch", "Beta notes", "Delta digest", "Gamma review"
    cases: list[tuple[dict[str, str], list[str], dict[str, int]]] = [
        ({"limit": "2", "offset": "1"}, [b, d], meta(1, 2, 1, 2)),
        ({"limit": "2", "offset": "2"}, [d, g], meta(2, 2, 2, 2)),
        ({"page": "2", "pageSize": "3"}, [g], meta(2, 3, 3, 2)),
        ({"page": "2", "limit": "2"}, [d, g], meta(2, 2, 2, 2)),
        ({"limit": "3"}, [a, b, d], meta(1, 3, 0, 2)),
        ({"pageSize": "4"}, [a, b, d, g], meta(1, 4, 0, 1)),
        ({"page": "5", "pageSize": "2"}, [], meta(5, 2, 8, 2)),
        ({}, [a, b, d, g], meta(1, 20, 0, 1)),
    ]
    wrong = []
    for params, titles, pagination in cases:
        response = await _list(client, data.headers, type="article", sort="title", **params)
        body = response.json()
        got = ([i["title"] for i in body.get("items", [])], body.get("pagination"))
        if got != (titles, pagination):
            wrong.append(f"{params}: expected {(titles, pagination)}, got {got}")
    assert wrong == []


async def test_out_of_range_paging_is_refused(client: httpx.AsyncClient, data: Data) -> None:
    bad = [
        {"limit": "0"},
        {"limit": "101"},
        {"pageSize": "0"},
        {"pageSize": "101"},
        {"limit": "-1"},
        {"offset": "-1"},
        {"page": "0"},
        {"limit": "ten"},
    ]
    statuses = [(await _list(client, data.headers, **p)).status_code for p in bad]
    assert statuses == [422] * len(bad)
    refused = _invalid(await _list(client, data.headers, limit="101"))
    _names_field(refused, "limit")
    assert (await _list(client, data.headers, limit="100")).json()["pagination"]["limit"] == 100


# --- full-text search -------------------------------------------------------------------------


async def test_search_matches_words_in_title_and_body_text(
    client: httpx.AsyncClient, data: Data
) -> None:
    h = data.headers
    assert await _titles(client, h, q="rocket") == ["Alpha launch"]  # body, inside <em>
    assert await _titles(client, h, q="launch") == ["Alpha launch"]  # title
    assert await _titles(client, h, q="telescopes") == ["Gamma review"]
    assert await _titles(client, h, q="notes gardening") == ["Beta notes"]  # every word
    assert await _titles(client, h, q="notes rocket") == []
    assert await _titles(client, h, q="ROCKET") == ["Alpha launch"]
    assert await _titles(client, h, q="rocket", type="author") == []
    # Tag and attribute names are markup, not text.
    assert await _titles(client, h, q="em") == []
    assert await _titles(client, h, q="marquee") == []
    assert await _titles(client, h, q="div") == []


async def test_search_matches_a_prefix_of_the_last_word(
    client: httpx.AsyncClient, data: Data
) -> None:
    assert await _titles(client, data.headers, q="tele") == ["Gamma review"]
    assert await _titles(client, data.headers, q="quiet gard") == ["Beta notes"]


async def test_search_with_query_syntax_characters_does_not_fail(
    client: httpx.AsyncClient, data: Data
) -> None:
    queries = ['"foo* OR', "rocket OR", "NOT rocket", "title:rocket", "(", '"', "*"]
    queries += ["NEAR(a b)", "-", "a AND", "^x", "rocket'); DROP TABLE documents; --"]
    failed = []
    for q in queries:
        response = await _list(client, data.headers, q=q)
        if response.status_code != 200:
            failed.append(f"{q!r}: {response.status_code} {response.text[:200]}")
    assert failed == []
    assert await _titles(client, data.headers, q="rocket") == ["Alpha launch"]


async def test_search_too_long_is_refused(client: httpx.AsyncClient, data: Data) -> None:
    _names_field(_invalid(await _list(client, data.headers, q="x" * 201)), "q")


async def test_search_follows_edits(client: httpx.AsyncClient, data: Data) -> None:
    response = await client.patch(
        f"/v1/documents/{data.ids['Delta digest']}",
        json={"data": {"body": "<p>All about submarines</p>"}},
        headers=data.headers,
    )
    assert response.status_code == 200, response.text
    assert await _titles(client, data.headers, q="submarines") == ["Delta digest"]


# --- expand -----------------------------------------------------------------------------------


def _item(body: dict[str, Any], title: str) -> dict[str, Any]:
    return next(i for i in body["items"] if i["title"] == title)


async def test_expand_inlines_a_reference(client: httpx.AsyncClient, data: Data) -> None:
    response = await _list(client, data.headers, type="article", expand="author")
    assert response.status_code == 200, response.text
    alpha = _item(response.json(), "Alpha launch")
    assert alpha["data"]["author"]["id"] == data.ids["Ann"]
    assert alpha["data"]["author"]["data"]["name"] == "Ann"
    # Not asked to go deeper: the author's company stays an id.
    assert alpha["data"]["author"]["data"]["company"] == data.ids["Acme"]
    assert alpha["data"]["categories"] == [data.ids["News"], data.ids["Tech"]]
    assert "author" not in _item(response.json(), "Gamma review")["data"]


async def test_expand_follows_nested_paths(client: httpx.AsyncClient, data: Data) -> None:
    response = await _list(client, data.headers, type="article", expand="author.company")
    assert response.status_code == 200, response.text
    body = response.json()
    company = _item(body, "Alpha launch")["data"]["author"]["data"]["company"]
    assert company["id"] == data.ids["Acme"]
    assert company["data"]["name"] == "Acme"
    beta_author = _item(body, "Beta notes")["data"]["author"]
    assert beta_author["data"]["name"] == "Bob"
    assert "company" not in beta_author["data"]


async def test_expand_resolves_many_references_in_order(
    client: httpx.AsyncClient, data: Data
) -> None:
    response = await _list(client, data.headers, type="article", expand="categories,author")
    assert response.status_code == 200, response.text
    alpha = _item(response.json(), "Alpha launch")
    assert [c["data"]["name"] for c in alpha["data"]["categories"]] == ["News", "Tech"]
    assert alpha["data"]["author"]["data"]["name"] == "Ann"


async def test_expand_on_a_single_document(client: httpx.AsyncClient, data: Data) -> None:
    response = await client.get(
        f"/v1/documents/{data.ids['Alpha launch']}",
        params={"expand": "author.company,categories"},
        headers=data.headers,
    )
    assert response.status_code == 200, response.text
    document = response.json()["document"]
    assert document["data"]["author"]["data"]["company"]["data"]["name"] == "Acme"
    assert len(document["data"]["categories"]) == 2


async def test_expand_of_a_non_reference_is_refused(client: httpx.AsyncClient, data: Data) -> None:
    cases = [({"expand": path}, "expand") for path in ("rating", "nope", "section.x")]
    assert await _unnamed(client, data, cases) == []


async def test_expand_runs_one_query_per_level_not_per_document(
    client: httpx.AsyncClient, data: Data, app: FastAPI
) -> None:
    h = data.headers
    params = {"type": "article", "expand": "author.company,categories", "limit": "100"}
    # Two documents first, by a filter; then twelve.
    few = {**params, "filter[tags][contains]": "web"}
    with recorded_statements(app.state.services.database.engine) as small:
        response = await _list(client, h, **few)
    assert len(response.json()["items"]) == 2

    for n in range(10):
        await _article(
            client,
            h,
            f"Extra {n}",
            author=data.ids["Ann" if n % 2 else "Bob"],
            categories=[data.ids["News"]],
            tags=["web"],
        )
    with recorded_statements(app.state.services.database.engine) as large:
        response = await _list(client, h, **few)
    body = response.json()
    assert len(body["items"]) == 12
    assert all(isinstance(i["data"]["author"], dict) for i in body["items"])
    assert len(large) == len(small), (small, large)
    assert len(large) <= 15, large


# --- fields= ----------------------------------------------------------------------------------


async def test_fields_picks_the_named_fields(client: httpx.AsyncClient, data: Data) -> None:
    response = await _list(client, data.headers, type="article", fields="title", sort="title")
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert items[0] == {"id": data.ids["Alpha launch"], "type": "article", "title": "Alpha launch"}
    assert all(set(i) == {"id", "type", "title"} for i in items)

    response = await _list(
        client, data.headers, type="article", fields="title,rating", sort="title"
    )
    alpha = response.json()["items"][0]
    assert alpha["title"] == "Alpha launch"
    assert alpha["data"] == {"rating": 5}


# --- perspective=published ---------------------------------------------------------------------


async def test_published_perspective_serves_published_content_only(
    client: httpx.AsyncClient, data: Data
) -> None:
    h, ids = data.headers, data.ids
    for title in ("Alpha launch", "Beta notes"):
        assert (
            await client.post(f"/v1/documents/{ids[title]}/publish", headers=h)
        ).status_code == 200
    edit = await client.patch(
        f"/v1/documents/{ids['Alpha launch']}",
        json={"title": "Alpha relaunch", "data": {"rating": 1}},
        headers=h,
    )
    assert edit.status_code == 200, edit.text

    response = await _list(client, h, type="article", perspective="published", sort="title")
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert [i["title"] for i in items] == ["Alpha launch", "Beta notes"]
    assert items[0]["data"]["rating"] == 5
    assert response.json()["pagination"]["total"] == 2
    # Filters and search run against the published content too.
    assert await _titles(
        client, h, type="article", perspective="published", **{"filter[rating]": "5"}
    ) == ["Alpha launch"]
    assert await _titles(client, h, perspective="published", q="relaunch") == []
    # The draft perspective shows the working copy.
    assert await _titles(client, h, type="article", **{"filter[rating]": "1"}) == ["Alpha relaunch"]

    published = await client.get(
        f"/v1/documents/{ids['Alpha launch']}", params={"perspective": "published"}, headers=h
    )
    assert published.status_code == 200
    assert published.json()["document"]["title"] == "Alpha launch"
    never = await client.get(
        f"/v1/documents/{ids['Gamma review']}", params={"perspective": "published"}, headers=h
    )
    assert_error(never, 404, "DOCUMENT_NOT_FOUND")


async def test_published_perspective_expands_only_published_references(
    client: httpx.AsyncClient, data: Data
) -> None:
    h, ids = data.headers, data.ids
    for name in ("Alpha launch", "Ann"):
        assert (
            await client.post(f"/v1/documents/{ids[name]}/publish", headers=h)
        ).status_code == 200
    response = await _list(
        client, h, type="article", perspective="published", expand="author.company"
    )
    author = response.json()["items"][0]["data"]["author"]
    assert author["data"]["name"] == "Ann"
    # Acme was never published: a published reader gets its id, not its draft content.
    assert author["data"]["company"] == ids["Acme"]
