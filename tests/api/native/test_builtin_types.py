"""The built-in types ``post`` and ``page`` cannot be deleted on /v1 (409 naming why), so a
document created without a type always has its ``page``. SQLite and PostgreSQL."""

from __future__ import annotations

import httpx
import pytest

from tests.api.errors import assert_error

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("name", ["post", "page"])
@pytest.mark.parametrize("query", ["", "?force=true"])
async def test_deleting_a_built_in_type_is_refused(
    client: httpx.AsyncClient, admin: dict[str, str], name: str, query: str
) -> None:
    response = await client.delete(f"/v1/types/{name}{query}", headers=admin)

    error = assert_error(response, 409, "CONFLICT")
    assert f"'{name}' is a built-in content type" in error["message"]
    assert (await client.get(f"/v1/types/{name}", headers=admin)).status_code == 200
    created = await client.post("/v1/documents", json={"title": "Hello"}, headers=admin)
    assert created.status_code == 201, created.text
