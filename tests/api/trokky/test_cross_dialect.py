"""One core under two APIs: a document created through Trokky is read through /v1 and the
other way round, each expanding a reference created on the other side."""

from __future__ import annotations

import httpx
import pytest

from tests.api.conftest import Headers

pytestmark = pytest.mark.anyio


@pytest.fixture
async def author_type(client: httpx.AsyncClient, admin: Headers) -> None:
    author = {"name": "author", "fields": [{"name": "name", "type": "string"}]}
    assert (await client.post("/v1/types", json=author, headers=admin)).status_code == 201
    book = {"name": "book", "fields": [{"name": "author", "type": "reference", "to": "author"}]}
    assert (await client.post("/v1/types", json=book, headers=admin)).status_code == 201


async def test_trokky_document_read_through_v1_expanding_a_v1_reference(
    client: httpx.AsyncClient, admin: Headers, author_type: None
) -> None:
    v1_author = await client.post(
        "/v1/documents", json={"type": "author", "data": {"name": "Ada"}}, headers=admin
    )
    author_id = v1_author.json()["document"]["id"]
    book = await client.post(
        "/api/documents/book",
        json={"title": "Notes", "slug": {"current": "notes"}, "author": author_id},
        headers=admin,
    )
    assert book.status_code == 201, book.text
    book_id = book.json()["data"]["_id"]
    read = await client.get(f"/v1/documents/{book_id}?expand=author", headers=admin)
    assert read.status_code == 200, read.text
    document = read.json()["document"]
    assert (document["type"], document["title"], document["slug"]) == ("book", "Notes", "notes")
    assert document["data"]["author"]["id"] == author_id
    assert document["data"]["author"]["data"]["name"] == "Ada"


async def test_v1_document_read_through_trokky_expanding_a_trokky_reference(
    client: httpx.AsyncClient, admin: Headers, author_type: None
) -> None:
    author = await client.post(
        "/api/documents/author", json={"title": "Bob", "name": "Bob"}, headers=admin
    )
    author_id = author.json()["data"]["_id"]
    book = await client.post(
        "/v1/documents",
        json={"type": "book", "title": "Log", "slug": "log", "data": {"author": author_id}},
        headers=admin,
    )
    assert book.status_code == 201, book.text
    book_id = book.json()["document"]["id"]
    read = await client.get(f"/api/documents/book/{book_id}?expand=author", headers=admin)
    assert read.status_code == 200, read.text
    data = read.json()["data"]
    assert (data["_id"], data["_type"], data["slug"]) == (book_id, "book", {"current": "log"})
    assert data["author"] == {**author.json()["data"]}
    listed = await client.get(f"/api/documents/book?filter[author]={author_id}", headers=admin)
    assert [d["_id"] for d in listed.json()["data"]] == [book_id]
