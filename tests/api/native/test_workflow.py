"""The review workflow through /v1/documents/:id/{submit,approve,reject,publish,unpublish,
archive,restore}: every transition legal and illegal, self-approval, per-type review settings,
the published revision as a separate thing from the working copy, and the recorded history."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from masthead.core.models import Role
from masthead.storage.uow import Database
from tests.conftest import FakeClock
from tests.factories import login, make_space, make_user

pytestmark = pytest.mark.anyio

H = dict[str, str]
ACTIONS = ("submit", "approve", "reject", "publish", "unpublish", "archive", "restore")

# state → {action: state it leads to}; every action not listed is illegal from that state.
# The actor is an editor who did not submit the document, on a type that needs review.
LEGAL: dict[str, dict[str, str]] = {
    "draft": {"submit": "in_review", "archive": "archived"},
    "in_review": {"approve": "approved", "reject": "draft", "archive": "archived"},
    "approved": {"publish": "published", "archive": "archived"},
    "published": {"unpublish": "draft", "archive": "archived"},
    "archived": {"restore": "draft"},
}
# The actions (by the submitter for submit, by the other editor after) that reach a state.
PATH_TO: dict[str, tuple[str, ...]] = {
    "draft": (),
    "in_review": ("submit",),
    "approved": ("submit", "approve"),
    "published": ("submit", "approve", "publish"),
    "archived": ("archive",),
}


@dataclass
class Team:
    admin: H
    ann: H  # editor: writes and submits
    bob: H  # editor: reviews and publishes
    ids: dict[str, str]  # username → user id


@pytest.fixture
async def team(client: httpx.AsyncClient, db: Database, clock: FakeClock) -> Team:
    make_space(db, clock)
    ids = {}
    for name, role in (("root", Role.ADMIN), ("ann", Role.EDITOR), ("bob", Role.EDITOR)):
        ids[name] = str(make_user(db, clock, name, role).id)
    admin = (await login(client, "root")).headers
    for name, workflow in (("story", "review"), ("note", "none")):
        response = await client.post(
            "/v1/types",
            json={
                "name": name,
                "fields": [{"name": "body", "type": "richtext"}],
                "workflow": workflow,
            },
            headers=admin,
        )
        assert response.status_code == 201, response.text
    return Team(
        admin, (await login(client, "ann")).headers, (await login(client, "bob")).headers, ids
    )


async def _create(
    client: httpx.AsyncClient, headers: H, type_name: str = "story", title: str = "Story"
) -> str:
    response = await client.post(
        "/v1/documents",
        json={"type": type_name, "title": title, "data": {"body": f"<p>{title}</p>"}},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["document"]["id"])


async def _act(
    client: httpx.AsyncClient, headers: H, doc_id: str, action: str, **body: Any
) -> httpx.Response:
    return await client.post(f"/v1/documents/{doc_id}/{action}", json=body or None, headers=headers)


async def _ok(
    client: httpx.AsyncClient, headers: H, doc_id: str, action: str, **body: Any
) -> dict[str, Any]:
    response = await _act(client, headers, doc_id, action, **body)
    assert response.status_code == 200, (action, response.text)
    document: dict[str, Any] = response.json()["document"]
    return document


async def _get(client: httpx.AsyncClient, headers: H, doc_id: str, **params: str) -> httpx.Response:
    return await client.get(f"/v1/documents/{doc_id}", params=params, headers=headers)


async def _in_state(client: httpx.AsyncClient, team: Team, state: str) -> str:
    doc_id = await _create(client, team.ann)
    for action in PATH_TO[state]:
        await _ok(client, team.ann if action == "submit" else team.bob, doc_id, action)
    return doc_id


async def _titles(client: httpx.AsyncClient, headers: H, **params: str) -> list[str]:
    response = await client.get(
        "/v1/documents", params={"sort": "title", **params}, headers=headers
    )
    assert response.status_code == 200, response.text
    return [item["title"] for item in response.json()["items"]]


# --- the state machine, through the API --------------------------------------------------------


@pytest.mark.parametrize("state", list(LEGAL))
async def test_every_action_from_a_state_is_legal_or_a_conflict_naming_both_statuses(
    client: httpx.AsyncClient, team: Team, state: str
) -> None:
    wrong = []
    for action in ACTIONS:
        doc_id = await _in_state(client, team, state)
        response = await _act(client, team.bob, doc_id, action)
        current = (await _get(client, team.bob, doc_id)).json()["document"]["status"]
        if action in LEGAL[state]:
            target = LEGAL[state][action]
            if response.status_code != 200 or response.json()["document"]["status"] != target:
                wrong.append(f"{state} -{action}-> expected {target}: {response.text[:200]}")
            elif current != target:
                wrong.append(f"{state} -{action}-> stored status is {current}")
            continue
        body = response.json()
        error = body.get("error", {})
        messages = " ".join(d["message"] for d in error.get("details", []))
        if (
            response.status_code != 409
            or set(body) != {"error"}
            or error.get("code") != "CONFLICT"
            or not error.get("message")
            or state not in messages
            or action not in messages
            or {d["field"] for d in error["details"]} != {"status", "action"}
        ):
            wrong.append(f"{state} -{action}-> expected 409: {response.status_code} {body}")
        if current != state:
            wrong.append(f"{state} -{action}-> refused but moved the document to {current}")
    assert wrong == []


async def test_acting_on_an_unknown_document_is_not_found(
    client: httpx.AsyncClient, team: Team
) -> None:
    response = await _act(client, team.bob, "00000000-0000-0000-0000-000000000000", "submit")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "DOCUMENT_NOT_FOUND"


async def test_reject_records_its_reason_and_returns_to_draft(
    client: httpx.AsyncClient, team: Team
) -> None:
    doc_id = await _in_state(client, team, "in_review")
    document = await _ok(client, team.bob, doc_id, "reject", reason="Needs a stronger lede")
    assert document["status"] == "draft"
    history = (await client.get(f"/v1/documents/{doc_id}/history", headers=team.bob)).json()
    assert history["items"][-1]["action"] == "reject"
    assert history["items"][-1]["reason"] == "Needs a stronger lede"


async def test_reject_reason_over_the_limit_is_refused(
    client: httpx.AsyncClient, team: Team
) -> None:
    doc_id = await _in_state(client, team, "in_review")
    response = await _act(client, team.bob, doc_id, "reject", reason="x" * 2001)
    assert response.status_code == 422
    assert (await _get(client, team.bob, doc_id)).json()["document"]["status"] == "in_review"


async def test_stale_if_match_on_an_action_is_a_conflict(
    client: httpx.AsyncClient, team: Team
) -> None:
    doc_id = await _create(client, team.ann)
    version = (await _get(client, team.ann, doc_id)).json()["document"]["version"]
    stale = await client.post(
        f"/v1/documents/{doc_id}/submit", headers={**team.ann, "If-Match": f'"{version - 1}"'}
    )
    assert stale.status_code == 409
    assert (await _get(client, team.ann, doc_id)).json()["document"]["status"] == "draft"
    fresh = await client.post(
        f"/v1/documents/{doc_id}/submit", headers={**team.ann, "If-Match": f'"{version}"'}
    )
    assert fresh.status_code == 200, fresh.text


# --- who may approve and publish ---------------------------------------------------------------


async def test_submitter_cannot_approve_own_document(client: httpx.AsyncClient, team: Team) -> None:
    doc_id = await _create(client, team.ann)
    await _ok(client, team.ann, doc_id, "submit")
    response = await _act(client, team.ann, doc_id, "approve")
    assert response.status_code == 403, response.text
    error = response.json()["error"]
    assert error["code"] == "FORBIDDEN"
    assert "approve" in error["message"]
    assert "submitted" in error["message"]
    assert (await _get(client, team.ann, doc_id)).json()["document"]["status"] == "in_review"

    assert (await _ok(client, team.bob, doc_id, "approve"))["status"] == "approved"


async def test_admin_who_submitted_cannot_approve_either(
    client: httpx.AsyncClient, team: Team
) -> None:
    doc_id = await _create(client, team.admin)
    await _ok(client, team.admin, doc_id, "submit")
    response = await _act(client, team.admin, doc_id, "approve")
    assert response.status_code == 403
    assert (await _ok(client, team.ann, doc_id, "approve"))["status"] == "approved"


async def test_resubmission_by_another_editor_lets_the_first_submitter_approve(
    client: httpx.AsyncClient, team: Team
) -> None:
    doc_id = await _create(client, team.ann)
    await _ok(client, team.ann, doc_id, "submit")
    await _ok(client, team.bob, doc_id, "reject", reason="again")
    await _ok(client, team.bob, doc_id, "submit")
    assert (await _act(client, team.bob, doc_id, "approve")).status_code == 403
    assert (await _ok(client, team.ann, doc_id, "approve"))["status"] == "approved"


async def test_editor_cannot_publish_a_draft_of_a_type_that_needs_review(
    client: httpx.AsyncClient, team: Team
) -> None:
    doc_id = await _create(client, team.ann)
    response = await _act(client, team.ann, doc_id, "publish")
    assert response.status_code == 409, response.text
    assert response.json()["error"]["code"] == "CONFLICT"
    assert "review" in response.json()["error"]["message"]
    assert (await _get(client, team.ann, doc_id, perspective="published")).status_code == 404


async def test_admin_can_publish_a_draft_of_a_type_that_needs_review(
    client: httpx.AsyncClient, team: Team
) -> None:
    doc_id = await _create(client, team.ann)
    document = await _ok(client, team.admin, doc_id, "publish")
    assert document["status"] == "published"
    assert document["isPublished"] is True
    assert (await _get(client, team.ann, doc_id, perspective="published")).status_code == 200


async def test_editor_publishes_a_draft_straight_away_when_the_type_has_no_review(
    client: httpx.AsyncClient, team: Team
) -> None:
    doc_id = await _create(client, team.ann, "note")
    document = await _ok(client, team.ann, doc_id, "publish")
    assert document["status"] == "published"
    assert document["publishedRevision"] == document["revision"]


async def test_changing_a_type_to_review_stops_editors_publishing_drafts(
    client: httpx.AsyncClient, team: Team
) -> None:
    doc_id = await _create(client, team.ann, "note")
    patched = await client.patch("/v1/types/note", json={"workflow": "review"}, headers=team.admin)
    assert patched.status_code == 200, patched.text
    assert (await _act(client, team.ann, doc_id, "publish")).status_code == 409


# --- the published revision -------------------------------------------------------------------


async def test_published_revision_is_unaffected_by_later_edits_until_published_again(
    client: httpx.AsyncClient, team: Team
) -> None:
    doc_id = await _create(client, team.ann, "note", "Original")
    published = await _ok(client, team.ann, doc_id, "publish")
    edit = await client.patch(
        f"/v1/documents/{doc_id}",
        json={"title": "Rewritten", "data": {"body": "<p>new</p>"}},
        headers=team.ann,
    )
    assert edit.status_code == 200, edit.text
    working = edit.json()["document"]
    assert working["status"] == "draft"
    assert working["publishedRevision"] == published["revision"]

    reader = (await _get(client, team.ann, doc_id, perspective="published")).json()["document"]
    assert (reader["title"], reader["content"]) == ("Original", "<p>Original</p>")
    assert await _titles(client, team.ann, perspective="published") == ["Original"]
    assert await _titles(client, team.ann, type="note") == ["Rewritten"]

    again = await _ok(client, team.ann, doc_id, "publish")
    assert again["publishedRevision"] == working["revision"]
    reader = (await _get(client, team.ann, doc_id, perspective="published")).json()["document"]
    assert (reader["title"], reader["content"]) == ("Rewritten", "<p>new</p>")
    assert await _titles(client, team.ann, perspective="published") == ["Rewritten"]


async def test_unpublish_removes_the_document_from_the_published_set(
    client: httpx.AsyncClient, team: Team
) -> None:
    doc_id = await _create(client, team.ann, "note", "Gone soon")
    await _create(client, team.ann, "note", "Stays")
    await _ok(client, team.ann, doc_id, "publish")
    document = await _ok(client, team.ann, doc_id, "unpublish")
    assert document["status"] == "draft"
    assert document["isPublished"] is False
    assert (await _get(client, team.ann, doc_id, perspective="published")).status_code == 404
    assert await _titles(client, team.ann, perspective="published") == []
    assert await _titles(client, team.ann, type="note") == ["Gone soon", "Stays"]


async def test_unpublish_withdraws_the_live_version_of_an_edited_document(
    client: httpx.AsyncClient, team: Team
) -> None:
    doc_id = await _create(client, team.ann, "note", "Live")
    await _ok(client, team.ann, doc_id, "publish")
    edit = await client.patch(f"/v1/documents/{doc_id}", json={"title": "Edited"}, headers=team.ann)
    assert edit.json()["document"]["status"] == "draft"
    assert edit.json()["document"]["isPublished"] is True

    document = await _ok(client, team.ann, doc_id, "unpublish")
    assert document["isPublished"] is False
    assert document["title"] == "Edited"
    assert (await _get(client, team.ann, doc_id, perspective="published")).status_code == 404


async def test_archive_hides_from_lists_and_from_readers_and_restore_brings_it_back(
    client: httpx.AsyncClient, team: Team
) -> None:
    doc_id = await _create(client, team.ann, "note", "Old news")
    await _create(client, team.ann, "note", "Fresh")
    await _ok(client, team.ann, doc_id, "publish")
    archived = await _ok(client, team.ann, doc_id, "archive")
    assert archived["status"] == "archived"

    assert await _titles(client, team.ann, type="note") == ["Fresh"]
    assert await _titles(client, team.ann, type="note", status="archived") == ["Old news"]
    assert await _titles(client, team.ann, perspective="published") == []
    assert (await _get(client, team.ann, doc_id, perspective="published")).status_code == 404
    # Archived, not deleted: still readable by id.
    assert (await _get(client, team.ann, doc_id)).json()["document"]["status"] == "archived"

    restored = await _ok(client, team.ann, doc_id, "restore")
    assert restored["status"] == "draft"
    assert await _titles(client, team.ann, type="note") == ["Fresh", "Old news"]
    assert await _titles(client, team.ann, perspective="published") == []


async def test_delete_archives_and_an_archived_document_cannot_be_edited(
    client: httpx.AsyncClient, team: Team
) -> None:
    doc_id = await _create(client, team.ann, "note", "Doomed")
    response = await client.delete(f"/v1/documents/{doc_id}", headers=team.ann)
    assert response.status_code == 200, response.text
    assert response.json()["document"]["status"] == "archived"
    edit = await client.patch(f"/v1/documents/{doc_id}", json={"title": "x"}, headers=team.ann)
    assert edit.status_code == 409
    assert (await _get(client, team.ann, doc_id)).json()["document"]["title"] == "Doomed"


# --- history ----------------------------------------------------------------------------------


async def test_history_lists_every_transition_in_order(
    client: httpx.AsyncClient, team: Team, clock: FakeClock
) -> None:
    doc_id = await _create(client, team.ann)
    steps = [
        (team.ann, "submit", None),
        (team.bob, "reject", "Too long"),
        (team.ann, "submit", None),
        (team.bob, "approve", None),
        (team.bob, "publish", None),
        (team.admin, "unpublish", None),
        (team.admin, "archive", None),
        (team.ann, "restore", None),
    ]
    for headers, action, reason in steps:
        clock.advance(60)
        await _ok(client, headers, doc_id, action, **({"reason": reason} if reason else {}))
    # Illegal attempts leave no trace.
    assert (await _act(client, team.bob, doc_id, "approve")).status_code == 409

    response = await client.get(f"/v1/documents/{doc_id}/history", headers=team.bob)
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    ann, bob, root = team.ids["ann"], team.ids["bob"], team.ids["root"]
    assert [(i["action"], i["from"], i["to"], i["actorId"], i["reason"]) for i in items] == [
        ("submit", "draft", "in_review", ann, None),
        ("reject", "in_review", "draft", bob, "Too long"),
        ("submit", "draft", "in_review", ann, None),
        ("approve", "in_review", "approved", bob, None),
        ("publish", "approved", "published", bob, None),
        ("unpublish", "published", "draft", root, None),
        ("archive", "draft", "archived", root, None),
        ("restore", "archived", "draft", ann, None),
    ]
    times = [i["at"] for i in items]
    assert times == sorted(times)
    assert len(set(times)) == len(times)


async def test_history_orders_transitions_made_within_the_same_instant(
    client: httpx.AsyncClient, team: Team
) -> None:
    # The clock does not move: order must come from the records, not their timestamps.
    doc_id = await _create(client, team.ann, "note")
    for action in ("publish", "unpublish", "submit", "approve", "publish", "archive"):
        await _ok(client, team.admin if action == "approve" else team.ann, doc_id, action)
    items = (await client.get(f"/v1/documents/{doc_id}/history", headers=team.ann)).json()["items"]
    assert [i["action"] for i in items] == [
        "publish",
        "unpublish",
        "submit",
        "approve",
        "publish",
        "archive",
    ]


async def test_history_of_a_new_document_is_empty(client: httpx.AsyncClient, team: Team) -> None:
    doc_id = await _create(client, team.ann)
    response = await client.get(f"/v1/documents/{doc_id}/history", headers=team.ann)
    assert response.status_code == 200
    assert response.json()["items"] == []
