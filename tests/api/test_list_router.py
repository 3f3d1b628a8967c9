"""A list route in another shape, built from ``api/`` helpers and the core alone: what a
dialect's list handler needs, shown without anything from ``api/native/``.

The router below answers ``{"data": [{_id, _type, ...fields}], "meta": {total, limit,
offset}}`` and errors as ``{"errors": ["field: message"]}``, as a dialect would.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import APIRouter, FastAPI, Query, Request
from starlette.responses import Response

from masthead.api.context import CurrentActor, Services
from masthead.api.expansion import inline_expanded, pick_fields
from masthead.api.query_params import (
    PerspectiveParam,
    SortParams,
    page_window,
    parse_filters,
    parse_list,
    parse_statuses,
)
from masthead.api.responses import OrjsonResponse
from masthead.core.documents import Document
from masthead.core.errors import MastheadError
from masthead.core.listing import DocumentQuery
from masthead.core.services import queries
from tests.api.conftest import Headers
from tests.test_boundaries import imported_modules

pytestmark = [pytest.mark.anyio, pytest.mark.fresh_app]  # adds a router and an error format
PREFIX = "/x-dialect"

router = APIRouter(prefix=PREFIX)


def _shape(document: Document) -> dict[str, Any]:
    return {"_id": str(document.id), "_type": document.type, "title": document.title}


@router.get("/documents/{type_name}")
def list_documents(
    type_name: str,
    request: Request,
    actor: CurrentActor,
    services: Services,
    perspective: PerspectiveParam = None,
    limit: int | None = None,
    offset: int | None = None,
    orderBy: str | None = None,
    order: str | None = None,
    status: str | None = None,
    expand: str | None = None,
    fields: str | None = Query(None),
) -> dict[str, Any]:
    size, start = page_window(limit=limit, offset=offset)
    query = DocumentQuery(
        perspective=perspective,
        type=type_name,
        statuses=parse_statuses(status),
        filters=parse_filters(request.query_params.multi_items()),
        sort=SortParams(order_by=orderBy, order=order).resolve("createdAt"),
        limit=size,
        offset=start,
        expand=parse_list(expand),
    )
    page = queries.list_documents(services.read_uow(), actor, query)

    def render(document: Document, below: tuple[str, ...]) -> dict[str, Any]:
        data = inline_expanded(document.data, page.expanded, below, render, None)
        return {**_shape(document), **data}

    items = [
        pick_fields(render(d, query.expand), parse_list(fields), always=("_id", "_type"))
        for d in page.items
    ]
    return {"data": items, "meta": {"total": page.total, "limit": size, "offset": start}}


def _render_error(error: MastheadError, status: int) -> Response:
    messages = [f"{d.field}: {d.kind.value}" for d in error.details] or [error.message]
    return OrjsonResponse({"errors": messages}, status_code=status)


@pytest.fixture
def app(app: FastAPI) -> FastAPI:
    app.include_router(router)
    app.state.error_renderers.register(PREFIX, _render_error)
    return app


def test_the_router_needs_nothing_from_the_native_dialect() -> None:
    names = imported_modules(Path(__file__).read_text(), "tests.api.test_list_router")
    assert not {n for n in names if n.startswith("masthead.api.native")}
    assert "masthead.api.query_params" in names


async def test_a_list_in_another_shape_from_shared_helpers(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    author = await client.post(
        "/v1/types",
        json={"name": "author", "fields": [{"name": "name", "type": "string"}]},
        headers=admin,
    )
    assert author.status_code == 201, author.text
    book = {
        "name": "book",
        "fields": [
            {"name": "author", "type": "reference", "to": "author"},
            {"name": "pages", "type": "integer"},
        ],
    }
    assert (await client.post("/v1/types", json=book, headers=admin)).status_code == 201
    ada = await client.post(
        "/v1/documents", json={"type": "author", "data": {"name": "Ada"}}, headers=admin
    )
    ada_id = ada.json()["document"]["id"]
    for title, pages in (("Short", 90), ("Long", 900), ("Mid", 300)):
        created = await client.post(
            "/v1/documents",
            json={"type": "book", "title": title, "data": {"author": ada_id, "pages": pages}},
            headers=admin,
        )
        assert created.status_code == 201, created.text

    response = await client.get(
        f"{PREFIX}/documents/book?orderBy=pages&order=asc&limit=2&expand=author"
        "&filter[pages][gte]=100&fields=title,author",
        headers=admin,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["meta"] == {"total": 2, "limit": 2, "offset": 0}
    assert [(d["title"], d["author"]["title"]) for d in body["data"]] == [
        ("Mid", "Ada"),
        ("Long", "Ada"),
    ]
    assert set(body["data"][0]) == {"_id", "_type", "title", "author"}
    assert body["data"][0]["author"]["name"] == "Ada"


async def test_errors_come_in_the_routers_own_format(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    response = await client.get(f"{PREFIX}/documents/page?filter[nope]=1", headers=admin)
    assert response.status_code == 422
    assert response.json() == {"errors": ["nope: unknown_field"]}
    paging = await client.get(f"{PREFIX}/documents/page?limit=101", headers=admin)
    assert paging.json() == {"errors": ["limit: maximum"]}
