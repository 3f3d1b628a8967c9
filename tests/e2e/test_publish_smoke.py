"""The /v1 contract's smoke flow against a real `masthead serve` on the embedded default
(SQLite, media directory, publish worker in the server process), as `make run` starts it:
token → create → patch → two revisions → publish (201, completed) → a second publish gives a
new release id → activate it → the private route names it → the preview URL serves HTML → a
tampered signature is 401 → the release list shows the activated release."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.test_serve import LISTENING_LINE, PASSWORD_LINE, StartServer, log_in

pytestmark = pytest.mark.slow


def test_the_contract_smoke_flow_on_the_embedded_default(
    start_server: StartServer, tmp_path: Path
) -> None:
    server = start_server(tmp_path / "var")
    password = PASSWORD_LINE.findall(server.wait_for_output(LISTENING_LINE))[0]
    server.wait_healthy()
    with server.client() as http:
        token = log_in(http, password)["accessToken"]
        auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

        created = http.post(
            "/v1/documents", json={"title": "Hello", "content": "<p>One</p>"}, headers=auth
        )
        assert created.status_code == 201, created.text
        doc_id = created.json()["document"]["id"]
        patched = http.patch(
            f"/v1/documents/{doc_id}", json={"content": "<p>Two</p>"}, headers=auth
        )
        assert patched.status_code == 200, patched.text
        revisions = http.get(f"/v1/documents/{doc_id}/revisions", headers=auth).json()["items"]
        assert len(revisions) >= 2

        first = http.post("/v1/publish", json={}, headers=auth)
        assert first.status_code == 201, first.text
        assert first.json()["job"]["status"] == "completed"
        first_release = first.json()["job"]["releaseId"]
        second = http.post("/v1/publish", json={}, headers=auth)
        assert second.status_code == 201, second.text
        second_release = second.json()["job"]["releaseId"]
        assert second_release != first_release

        activated = http.post(f"/v1/releases/{second_release}/activate", headers=auth)
        assert activated.status_code == 200, activated.text
        assert activated.json()["activeRelease"] == second_release

        route = http.get(f"/v1/private/{doc_id}", headers=auth)
        assert route.status_code == 200, route.text
        assert route.json()["releaseId"] == second_release
        assert "Two" in route.json()["html"]

        preview = http.get(f"/v1/preview/{doc_id}", headers=auth).json()
        page = http.get(preview["previewUrl"])
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        tampered = http.get(preview["previewUrl"].split("?")[0] + "?sig=tampered")
        assert tampered.status_code == 401
        assert tampered.json()["error"]["code"] == "PREVIEW_TOKEN_INVALID"

        releases = http.get("/v1/releases", headers=auth).json()
        assert releases["activeRelease"] == second_release
        assert second_release in [r["id"] for r in releases["items"]]
