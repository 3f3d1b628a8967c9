"""The document's role table, every line by admin, editor, viewer and no token, on both
databases: viewers may GET the item and its versions only (403 elsewhere, in this dialect's
format), no token is 401, admins and editors may do everything (the added routes included)."""

from __future__ import annotations

import httpx
import pytest

from tests.api.conftest import Headers
from tests.api.workflow.helpers import BASE, act, assert_workflow_error, create_item

pytestmark = pytest.mark.anyio

# (method, path, body, viewer allowed, the status a prepared item answers an allowed caller)
# The item is in review, submitted by a third user, with two versions.
ROUTES: list[tuple[str, str, dict[str, object] | None, bool, int]] = [
    ("GET", "/{id}", None, True, 200),
    ("PUT", "/{id}", {"name": "Renamed"}, False, 200),
    ("DELETE", "/{id}", None, False, 204),
    ("POST", "/{id}/submit", None, False, 409),  # allowed; the item is not a draft
    ("POST", "/{id}/approve", None, False, 200),
    ("POST", "/{id}/publish", None, False, 409),  # allowed; the item is not approved
    ("POST", "/{id}/reject", {"reason": "No"}, False, 200),
    ("GET", "/{id}/versions", None, True, 200),
    ("POST", "/{id}/revert/1", None, False, 200),
    # Added routes (docs/workflow-api.md): reads like GET, writes like PUT.
    ("GET", "", None, True, 200),
    ("POST", "", {"templateId": "page", "name": "New"}, False, 201),
    ("GET", "/{id}/history", None, True, 200),
]


@pytest.mark.parametrize("who", ["admin", "editor", "viewer", "nobody"])
@pytest.mark.parametrize(
    ("method", "path", "body", "viewer_ok", "status"), ROUTES, ids=lambda v: str(v)
)
async def test_role_table(
    client: httpx.AsyncClient,
    admin: Headers,
    ed: Headers,
    eve: Headers,
    viewer: Headers,
    who: str,
    method: str,
    path: str,
    body: dict[str, object] | None,
    viewer_ok: bool,
    status: int,
) -> None:
    item = await create_item(client, eve, "Under review")
    await client.put(f"{BASE}/{item['id']}", json={"name": "Second"}, headers=eve)
    assert (await act(client, eve, item["id"], "submit")).status_code == 200
    headers = {"admin": admin, "editor": ed, "viewer": viewer, "nobody": {}}[who]
    url = BASE + path.format(id=item["id"])
    response = await client.request(method, url, json=body, headers=headers)
    if who == "nobody":
        assert_workflow_error(response, 401, "UNAUTHORIZED")
    elif who == "viewer" and not viewer_ok:
        assert_workflow_error(response, 403, "FORBIDDEN")
    else:
        assert response.status_code == status, response.text
        if status == 409:
            assert_workflow_error(response, 409, "INVALID_STATUS")
    after = (await client.get(f"{BASE}/{item['id']}", headers=eve)).json()
    if response.status_code >= 400:  # a refusal changes nothing
        assert (after["status"], after["version"]) == ("in_review", 2)


async def test_every_route_is_in_the_table(client: httpx.AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()
    served = {
        (method.upper(), path.removeprefix(BASE))
        for path, operations in document["paths"].items()
        if path == BASE or path.startswith(BASE + "/")
        for method in operations
    }
    table = {
        (m, p.replace("{id}", "{document_id}").replace("/revert/1", "/revert/{version}"))
        for m, p, *_ in ROUTES
    }
    assert served == table
    tags = {
        tuple(op["tags"])
        for path, operations in document["paths"].items()
        if path == BASE or path.startswith(BASE + "/")
        for op in operations.values()
    }
    assert tags == {("workflow",)}
