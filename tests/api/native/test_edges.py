"""Inputs at the edges of what the database can hold get 422, never a 500."""

from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.anyio
HUGE = "99999999999999999999999"


async def test_numbers_beyond_64_bits_and_wrongly_typed_titles_are_validation_errors(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    h = admin
    doc = (await client.post("/v1/documents", json={"title": "x"}, headers=h)).json()
    doc_id = doc["document"]["id"]
    for path in (
        f"/v1/documents?offset={HUGE}",
        f"/v1/documents?page={HUGE}",
        f"/v1/documents/{doc_id}/revisions?offset={HUGE}",
        f"/v1/documents/{doc_id}/revisions/{HUGE}",
        f"/v1/documents/{doc_id}/revisions/1/diff/{HUGE}",
    ):
        response = await client.get(path, headers=h)
        assert response.status_code == 422, (path, response.text)
        assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    number_type = {"name": "measure", "fields": [{"name": "n", "type": "number"}]}
    assert (await client.post("/v1/types", json=number_type, headers=h)).status_code == 201
    for value in ("1e400", "nan", "-inf"):
        response = await client.get(f"/v1/documents?type=measure&filter[n][gt]={value}", headers=h)
        assert response.status_code == 422, (value, response.text)
        assert response.json()["error"]["details"][0]["field"] == "n"
    for body in ({"data": {"title": 5}}, {"data": {"slug": ["a"]}}):
        response = await client.post("/v1/documents", json=body, headers=h)
        assert response.status_code == 422, (body, response.text)
        fields = {d["field"] for d in response.json()["error"]["details"]}
        assert fields & {"title", "slug"}
