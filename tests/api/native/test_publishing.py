"""/v1 publishing: the contract's smoke flow, publish jobs, releases, activation and
rollback, private routes by path or document id, and their error codes."""

from __future__ import annotations

from uuid import uuid4

import httpx
import pytest

from tests.api.errors import assert_error
from tests.api.native.publish_helpers import create_doc as _doc
from tests.api.native.publish_helpers import publish_site as _publish

pytestmark = pytest.mark.anyio

Headers = dict[str, str]


async def test_the_contract_smoke_flow(client: httpx.AsyncClient, admin: Headers) -> None:
    document = await _doc(client, admin, title="Hello", content="<p>First</p>")
    patched = await client.patch(
        f"/v1/documents/{document['id']}", json={"content": "<p>Second</p>"}, headers=admin
    )
    assert patched.status_code == 200, patched.text
    revisions = await client.get(f"/v1/documents/{document['id']}/revisions", headers=admin)
    assert len(revisions.json()["items"]) >= 2

    first = await _publish(client, admin)
    assert first["releaseId"]
    await _doc(client, admin, title="Second page")
    second = await _publish(client, admin)
    assert second["releaseId"] != first["releaseId"]

    releases = (await client.get("/v1/releases", headers=admin)).json()
    assert releases["activeRelease"] == first["releaseId"]  # only the first auto-activates
    activated = await client.post(f"/v1/releases/{second['releaseId']}/activate", headers=admin)
    assert activated.status_code == 200, activated.text
    assert activated.json()["activeRelease"] == second["releaseId"]

    route = await client.get(f"/v1/private/{document['id']}", headers=admin)
    assert route.status_code == 200, route.text
    body = route.json()
    assert body["releaseId"] == second["releaseId"]
    assert "Second" in body["html"]
    assert body["route"].startswith("/")

    preview = await client.get(f"/v1/preview/{document['id']}", headers=admin)
    assert preview.status_code == 200, preview.text
    link = preview.json()
    assert link["previewUrl"].startswith("/preview/")
    assert link["releaseLikeRef"]
    assert link["expiresAt"]
    page = await client.get(link["previewUrl"])
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "Second" in page.text
    tampered = await client.get(link["previewUrl"].split("?")[0] + "?sig=tampered")
    assert_error(tampered, 401, "PREVIEW_TOKEN_INVALID")

    releases = (await client.get("/v1/releases", headers=admin)).json()
    assert releases["activeRelease"] == second["releaseId"]
    assert [r["id"] for r in releases["items"]] == [second["releaseId"], first["releaseId"]]


async def test_unknown_ids_answer_the_contract_codes(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    assert_error(await client.get("/v1/publish/nope", headers=admin), 404, "PUBLISH_JOB_NOT_FOUND")
    assert_error(
        await client.get(f"/v1/publish/{uuid4()}", headers=admin), 404, "PUBLISH_JOB_NOT_FOUND"
    )
    assert_error(
        await client.post("/v1/releases/nope/activate", headers=admin), 404, "RELEASE_NOT_FOUND"
    )
    assert_error(
        await client.get("/v1/private/blog/anything", headers=admin), 404, "RELEASE_NOT_ACTIVE"
    )
    await _publish(client, admin)
    assert_error(
        await client.get("/v1/private/blog/anything", headers=admin), 404, "ROUTE_NOT_FOUND"
    )
    assert_error(await client.get("/preview/unknown?sig=x"), 404, "PREVIEW_NOT_FOUND")
