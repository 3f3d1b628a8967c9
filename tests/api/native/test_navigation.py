"""/v1/navigation/menus: put, list, get and delete menus; references resolve to the document's
route in the reader's perspective, missing ones are reported; bad keys answer 400
NAVIGATION_KEY_INVALID; depth and count are bounded; roles and spaces are kept apart."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import httpx
import pytest

from masthead.core.models import Role
from masthead.core.navigation import MAX_MENU_DEPTH, MAX_MENU_ITEMS
from masthead.core.services import accounts
from masthead.storage.uow import Database
from tests.api.errors import assert_error, detail_fields
from tests.conftest import FakeClock
from tests.factories import login, make_api_token, make_space, make_user

pytestmark = pytest.mark.anyio

Headers = dict[str, str]
MENUS = "/v1/navigation/menus"


async def _doc(client: httpx.AsyncClient, headers: Headers, **body: Any) -> dict[str, Any]:
    response = await client.post("/v1/documents", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json()["document"])


async def _publish(client: httpx.AsyncClient, headers: Headers, doc_id: str) -> None:
    response = await client.post(f"/v1/documents/{doc_id}/publish", headers=headers)
    assert response.status_code == 200, response.text


async def _put(
    client: httpx.AsyncClient, headers: Headers, key: str, **body: Any
) -> httpx.Response:
    return await client.put(f"{MENUS}/{key}", json=body, headers=headers)


def _chain(depth: int) -> list[dict[str, Any]]:
    """One item nested ``depth`` levels deep."""
    item: dict[str, Any] = {"label": f"level {depth}", "url": "/x"}
    for level in range(depth - 1, 0, -1):
        item = {"label": f"level {level}", "children": [item]}
    return [item]


async def test_a_menu_is_put_and_read_back_with_references_resolved_to_routes(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    post = await _doc(client, admin, title="Hello World", type="post")
    page = await _doc(client, admin, title="About", type="page")
    items = [
        {"label": "Home", "url": "/"},
        {
            "label": "Blog",
            "url": "/blog",
            "children": [{"label": "Hello", "documentId": post["id"]}],
        },
        {"label": "About", "documentId": page["id"]},
        {"label": "Elsewhere", "url": "https://example.org/a?b=1#c"},
    ]
    put = await _put(client, admin, "main", title="Main menu", items=items)
    assert put.status_code == 200, put.text
    menu = put.json()["menu"]
    assert (menu["key"], menu["title"], menu["problems"]) == ("main", "Main menu", [])

    got = await client.get(f"{MENUS}/main", headers=admin)
    assert got.status_code == 200
    read = got.json()["menu"]
    assert read == menu
    home, blog, about, elsewhere = read["items"]
    assert (home["url"], home["documentId"], home["missing"]) == ("/", None, False)
    hello = blog["children"][0]
    assert (hello["url"], hello["documentId"], hello["missing"]) == (
        "/blog/hello-world",
        post["id"],
        False,
    )
    assert about["url"] == "/about"
    assert elsewhere["url"] == "https://example.org/a?b=1#c"

    listed = await client.get(MENUS, headers=admin)
    assert listed.status_code == 200
    assert listed.json() == {"items": [read]}


async def test_a_route_follows_the_document_when_its_slug_changes(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    post = await _doc(client, admin, title="First", type="post")
    await _put(client, admin, "main", items=[{"label": "P", "documentId": post["id"]}])
    patched = await client.patch(
        f"/v1/documents/{post['id']}", json={"slug": "renamed"}, headers=admin
    )
    assert patched.status_code == 200, patched.text
    menu = (await client.get(f"{MENUS}/main", headers=admin)).json()["menu"]
    assert menu["items"][0]["url"] == "/blog/renamed"


async def test_a_missing_reference_is_reported_never_dropped(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    post = await _doc(client, admin, title="Gone soon", type="post")
    ghost = str(uuid4())
    items = [
        {"label": "Ghost", "documentId": ghost},
        {"label": "Group", "children": [{"label": "Soon gone", "documentId": post["id"]}]},
    ]
    put = await _put(client, admin, "main", title="Main", items=items)
    assert put.status_code == 200, put.text
    assert put.json()["menu"]["problems"] == [
        {"path": "items.0", "documentId": ghost, "reason": "missing"}
    ]
    deleted = await client.delete(f"/v1/documents/{post['id']}?permanent=1", headers=admin)
    assert deleted.status_code == 200

    menu = (await client.get(f"{MENUS}/main", headers=admin)).json()["menu"]
    assert [i["label"] for i in menu["items"]] == ["Ghost", "Group"]
    assert menu["items"][0] == {
        "label": "Ghost",
        "url": None,
        "documentId": ghost,
        "missing": True,
        "children": [],
    }
    assert menu["items"][1]["children"][0]["missing"] is True
    assert menu["problems"] == [
        {"path": "items.0", "documentId": ghost, "reason": "missing"},
        {"path": "items.1.children.0", "documentId": post["id"], "reason": "missing"},
    ]


async def test_an_archived_document_counts_as_missing(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    post = await _doc(client, admin, title="Archived", type="post")
    await _put(client, admin, "main", items=[{"label": "A", "documentId": post["id"]}])
    assert (await client.delete(f"/v1/documents/{post['id']}", headers=admin)).status_code == 200
    menu = (await client.get(f"{MENUS}/main", headers=admin)).json()["menu"]
    assert menu["items"][0]["missing"] is True


async def test_a_type_without_a_route_is_reported_as_no_route(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    created = await client.post("/v1/types", json={"name": "snippet"}, headers=admin)
    assert created.status_code == 201, created.text
    snippet = await _doc(client, admin, title="S", type="snippet")
    put = await _put(client, admin, "main", items=[{"label": "S", "documentId": snippet["id"]}])
    menu = put.json()["menu"]
    assert menu["items"][0]["url"] is None
    assert menu["items"][0]["missing"] is False
    assert menu["problems"] == [
        {"path": "items.0", "documentId": snippet["id"], "reason": "no_route"}
    ]


async def test_published_readers_see_only_published_routes(
    client: httpx.AsyncClient, db: Database, clock: FakeClock, admin: Headers
) -> None:
    live = await _doc(client, admin, title="Live", type="post")
    await _publish(client, admin, live["id"])
    draft = await _doc(client, admin, title="Secret", type="post")
    items = [{"label": "Live", "documentId": live["id"]}, {"label": "D", "documentId": draft["id"]}]
    assert (await _put(client, admin, "main", items=items)).status_code == 200

    token = make_api_token(db, clock, "default", Role.VIEWER)
    frontend = {"Authorization": f"Bearer {token}"}
    menu = (await client.get(f"{MENUS}/main", headers=frontend)).json()["menu"]
    assert [(i["url"], i["missing"]) for i in menu["items"]] == [
        ("/blog/live", False),
        (None, True),
    ]
    # The editor's own view, and a reader asking for it, see the working copies.
    drafts = await client.get(f"{MENUS}/main?perspective=draft", headers=frontend)
    assert [i["url"] for i in drafts.json()["menu"]["items"]] == ["/blog/live", "/blog/secret"]

    anonymous = {"X-Space": "default"}
    assert_error(await client.get(f"{MENUS}/main", headers=anonymous), 401, "AUTH_REQUIRED")
    accounts.set_public_read(db.uow(), "default", True)
    public = await client.get(f"{MENUS}/main", headers=anonymous)
    assert public.status_code == 200
    assert [i["missing"] for i in public.json()["menu"]["items"]] == [False, True]
    assert_error(
        await client.get(f"{MENUS}/main?perspective=draft", headers=anonymous),
        401,
        "AUTH_REQUIRED",
    )
    assert_error(await _put(client, anonymous, "main", items=[]), 401, "AUTH_REQUIRED")


async def test_put_replaces_the_whole_menu_and_keeps_its_id(
    client: httpx.AsyncClient, admin: Headers, clock: FakeClock
) -> None:
    first = await _put(client, admin, "footer", title="F", items=[{"label": "A", "url": "/a"}])
    clock.advance(5)
    second = await _put(client, admin, "footer", items=[{"label": "B", "url": "/b"}])
    one, two = first.json()["menu"], second.json()["menu"]
    assert two["id"] == one["id"]
    assert two["createdAt"] == one["createdAt"]
    assert two["updatedAt"] > one["updatedAt"]
    assert two["title"] == "footer"  # no title: the key
    assert [i["label"] for i in two["items"]] == ["B"]


@pytest.mark.parametrize(
    "key", ["Main", "has space", "a" * 65, "-lead", "é", "menu.json", "_x", "%20"]
)
async def test_a_bad_key_is_navigation_key_invalid(
    client: httpx.AsyncClient, admin: Headers, key: str
) -> None:
    for response in (
        await client.get(f"{MENUS}/{key}", headers=admin),
        await _put(client, admin, key, title="T", items=[]),
        await client.delete(f"{MENUS}/{key}", headers=admin),
    ):
        assert_error(response, 400, "NAVIGATION_KEY_INVALID")


async def test_an_unknown_menu_is_not_found(client: httpx.AsyncClient, admin: Headers) -> None:
    assert_error(await client.get(f"{MENUS}/nope", headers=admin), 404, "MENU_NOT_FOUND")
    assert_error(await client.delete(f"{MENUS}/nope", headers=admin), 404, "MENU_NOT_FOUND")


async def test_delete_removes_a_menu(client: httpx.AsyncClient, admin: Headers) -> None:
    await _put(client, admin, "main", items=[])
    deleted = await client.delete(f"{MENUS}/main", headers=admin)
    assert (deleted.status_code, deleted.json()) == (200, {"ok": True})
    assert_error(await client.get(f"{MENUS}/main", headers=admin), 404, "MENU_NOT_FOUND")


async def test_nesting_is_bounded(client: httpx.AsyncClient, admin: Headers) -> None:
    deepest = await _put(client, admin, "main", items=_chain(MAX_MENU_DEPTH))
    assert deepest.status_code == 200, deepest.text
    too_deep = await _put(client, admin, "main", items=_chain(MAX_MENU_DEPTH + 1))
    error = assert_error(too_deep, 422, "VALIDATION_ERROR")
    assert detail_fields(error) == ["items" + ".0.children" * MAX_MENU_DEPTH + ".0"]
    hostile = await _put(client, admin, "main", items=_chain(200))
    assert detail_fields(assert_error(hostile, 422, "VALIDATION_ERROR")) == detail_fields(error)


async def test_the_item_count_is_bounded(client: httpx.AsyncClient, admin: Headers) -> None:
    many = [{"label": str(i), "url": f"/{i}"} for i in range(MAX_MENU_ITEMS)]
    assert (await _put(client, admin, "main", items=many)).status_code == 200
    children = [{"label": "parent", "children": [{"label": "one more", "url": "/x"}]}]
    over = await _put(client, admin, "main", items=many[:-1] + children)
    assert detail_fields(assert_error(over, 422, "VALIDATION_ERROR")) == ["items"]


@pytest.mark.parametrize(
    ("item", "field"),
    [
        ({"label": "", "url": "/"}, "items.0.label"),
        ({"label": "   ", "url": "/"}, "items.0.label"),
        ({"label": "x", "url": "javascript:alert(1)"}, "items.0.url"),
        ({"label": "x", "url": "JavaScript:alert(1)"}, "items.0.url"),
        ({"label": "x", "url": "data:text/html,hi"}, "items.0.url"),
        ({"label": "x", "url": "//evil.example"}, "items.0.url"),
        ({"label": "x", "url": "/a b"}, "items.0.url"),
        ({"label": "x", "url": ""}, "items.0.url"),
        ({"label": "x", "url": "/a", "documentId": str(uuid4())}, "items.0"),
    ],
)
async def test_items_are_checked(
    client: httpx.AsyncClient, admin: Headers, item: dict[str, Any], field: str
) -> None:
    error = assert_error(await _put(client, admin, "main", items=[item]), 422, "VALIDATION_ERROR")
    assert detail_fields(error) == [field]


async def test_malformed_items_are_validation_errors(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    for items in ([{"url": "/"}], [{"label": "x", "documentId": "nope"}], "not a list"):
        assert_error(await _put(client, admin, "main", items=items), 422, "VALIDATION_ERROR")


async def test_every_member_reads_and_only_editors_and_admins_write(
    client: httpx.AsyncClient, admin: Headers, ed: Headers, viewer: Headers
) -> None:
    assert (await _put(client, ed, "main", items=[{"label": "E", "url": "/e"}])).status_code == 200
    assert_error(await _put(client, viewer, "main", items=[]), 403, "FORBIDDEN")
    assert_error(await client.delete(f"{MENUS}/main", headers=viewer), 403, "FORBIDDEN")
    for headers in (admin, ed, viewer):
        assert (await client.get(f"{MENUS}/main", headers=headers)).status_code == 200
        assert len((await client.get(MENUS, headers=headers)).json()["items"]) == 1


async def test_spaces_keep_their_menus_apart(
    client: httpx.AsyncClient, db: Database, clock: FakeClock, admin: Headers
) -> None:
    make_space(db, clock, "other")
    make_user(db, clock, "otto", Role.ADMIN, space="other")
    otto = {**(await login(client, "otto")).headers, "X-Space": "other"}
    post = await _doc(client, admin, title="Mine", type="post")
    await _put(client, admin, "main", title="Default's", items=[])

    assert (await client.get(MENUS, headers=otto)).json() == {"items": []}
    assert_error(await client.get(f"{MENUS}/main", headers=otto), 404, "MENU_NOT_FOUND")
    # Another space's document is no document here.
    put = await _put(client, otto, "main", items=[{"label": "X", "documentId": post["id"]}])
    assert put.json()["menu"]["items"][0]["missing"] is True
    assert (await client.get(f"{MENUS}/main", headers=admin)).json()["menu"]["title"] == (
        "Default's"
    )
    assert_error(await client.get(MENUS, headers={**otto, "X-Space": "default"}), 403, "FORBIDDEN")
