"""Who may do what on the /v1 content and media routes, and space isolation.

The matrix covers every content route x role (admin, editor, viewer user, viewer API token,
anonymous) x (own space, another space addressed with X-Space). Then isolation proper: ids,
lists, search and references never cross spaces; and the default perspective by caller.
"""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import uuid4

import httpx
import pytest

from masthead.core.models import Role
from masthead.storage.uow import Database
from tests.api.errors import assert_error
from tests.conftest import FakeClock
from tests.factories import login, make_api_token, make_space, make_user

pytestmark = pytest.mark.anyio

H = dict[str, str]
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
    b"\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)
OWN, OTHER = "alpha", "beta"
# native-v1-behaviour.md, "Status codes": these creations answer 201 (types are ours, alike);
# every other success 200.
CREATED = {"/v1/documents", "/v1/types", "/v1/media", "/v1/media/init"}


# --- two spaces, each with an owner (admin) who prepares what a request needs ------------------


@dataclass
class World:
    client: httpx.AsyncClient
    db: Database
    clock: FakeClock
    owners: dict[str, H] = field(default_factory=dict)  # space → owner's headers (X-Space set)
    counter: itertools.count[int] = field(default_factory=itertools.count)

    async def caller(self, role: str, space: str) -> H:
        """Headers for ``role`` (a member of alpha, or anonymous) addressing ``space``."""
        n = next(self.counter)
        if role == "anonymous":
            return {"X-Space": space}
        if role == "viewer-token":
            token = make_api_token(self.db, self.clock, OWN, Role.VIEWER)
            return {"Authorization": f"Bearer {token}", "X-Space": space}
        name = f"{role}{n}"
        make_user(self.db, self.clock, name, Role(role), space=OWN)
        return {**(await login(self.client, name)).headers, "X-Space": space}

    async def call(
        self, method: str, path: str, headers: H, body: Any = None, *, multipart: bool = False
    ) -> httpx.Response:
        if multipart:
            files = {"file": ("pixel.png", PNG, "image/png")}
            return await self.client.request(method, path, files=files, headers=headers)
        return await self.client.request(method, path, json=body, headers=headers)

    async def ok(self, space: str, method: str, path: str, body: Any = None) -> dict[str, Any]:
        response = await self.call(method, path, self.owners[space], body)
        expected = 201 if method == "POST" and path in CREATED else 200
        assert response.status_code == expected, (method, path, response.text)
        result: dict[str, Any] = response.json()
        return result

    async def doc(self, space: str, *actions: str, title: str = "Doc", edits: int = 1) -> str:
        """A post in ``space`` with ``edits`` + 1 revisions (titled ``title`` then ``title!``),
        taken through ``actions`` by the owner."""
        doc_id = str(
            (await self.ok(space, "POST", "/v1/documents", {"type": "post", "title": title}))[
                "document"
            ]["id"]
        )
        for _ in range(edits):
            await self.ok(space, "PATCH", f"/v1/documents/{doc_id}", {"title": f"{title}!"})
        for action in actions:
            await self.ok(space, "POST", f"/v1/documents/{doc_id}/{action}")
        return doc_id

    async def new_type(self, space: str) -> str:
        name = f"kind{next(self.counter)}"
        await self.ok(space, "POST", "/v1/types", {"name": name, "fields": []})
        return name


@pytest.fixture
async def world(client: httpx.AsyncClient, db: Database, clock: FakeClock) -> World:
    w = World(client, db, clock)
    for space in (OWN, OTHER):
        make_space(db, clock, space)
        make_user(db, clock, f"owner-{space}", Role.ADMIN, space=space)
        w.owners[space] = {**(await login(client, f"owner-{space}")).headers, "X-Space": space}
        await w.ok(
            space,
            "POST",
            "/v1/types",
            {
                "name": "settings",
                "kind": "single",
                "fields": [{"name": "siteName", "type": "string"}],
            },
        )
    return w


# --- the matrix -------------------------------------------------------------------------------

Prep = Callable[[World, str], Awaitable[dict[str, Any]]]
"""Path parameters for a route; a ``_body`` entry replaces the route's body."""


async def _nothing(w: World, space: str) -> dict[str, str]:
    return {}


def _doc(*actions: str, edits: int = 0) -> Prep:
    async def prep(w: World, space: str) -> dict[str, str]:
        return {"document_id": await w.doc(space, *actions, edits=edits)}

    return prep


async def _type(w: World, space: str) -> dict[str, str]:
    return {"name": await w.new_type(space)}


async def _singleton(w: World, space: str) -> dict[str, str]:
    written = await w.ok(space, "PUT", "/v1/singletons/settings", {"title": "Site"})
    await w.ok(space, "POST", f"/v1/documents/{written['document']['id']}/publish")
    return {}


async def _media(w: World, space: str) -> dict[str, Any]:
    uploaded = await w.call("POST", "/v1/media", w.owners[space], multipart=True)
    assert uploaded.status_code == 201, uploaded.text
    return {"media_id": uploaded.json()["mediaId"]}


async def _pending_upload(w: World, space: str) -> dict[str, Any]:
    """A direct upload whose bytes arrived, ready for finalize."""
    started = await w.ok(space, "POST", "/v1/media/init", {"filename": "p.png"})
    put = await w.client.put(started["uploadUrl"], content=PNG, headers=started["requiredHeaders"])
    assert put.status_code == 200, put.text
    return {"media_id": started["mediaId"], "_body": {"uploadToken": started["uploadToken"]}}


@dataclass(frozen=True)
class Route:
    name: str
    method: str
    path: str  # the app's own path template
    need: str  # "read", "write" (content) or "schema"
    ok: int = 200
    body: Any = None
    prep: Prep = _nothing
    multipart: bool = False


DOC = "/v1/documents/{document_id}"
MEDIA = "/v1/media/{media_id}"
ONE = "/v1/singletons/{type_name}"
ROUTES = [
    Route("types.list", "GET", "/v1/types", "read"),
    Route("types.get", "GET", "/v1/types/{name}", "read"),
    Route("types.create", "POST", "/v1/types", "schema", 201, {"fields": []}),
    Route("types.patch", "PATCH", "/v1/types/{name}", "schema", body={"title": "T"}, prep=_type),
    Route("types.delete", "DELETE", "/v1/types/{name}", "schema", prep=_type),
    Route("documents.list", "GET", "/v1/documents", "read"),
    # Published, so that readers whose default perspective is "published" find it too.
    Route("documents.get", "GET", DOC, "read", prep=_doc("publish")),
    Route("documents.create", "POST", "/v1/documents", "write", 201, {"title": "New"}),
    Route("documents.patch", "PATCH", DOC, "write", body={"title": "X"}, prep=_doc()),
    Route("documents.delete", "DELETE", DOC, "write", prep=_doc()),
    Route("revisions.list", "GET", DOC + "/revisions", "read", prep=_doc()),
    Route("revisions.create", "POST", DOC + "/revisions", "write", 201, {"message": "m"}, _doc()),
    Route("revisions.get", "GET", DOC + "/revisions/{number}", "read", prep=_doc()),
    Route("revisions.restore", "POST", DOC + "/revisions/{number}/restore", "write", prep=_doc()),
    Route("revisions.diff", "GET", DOC + "/revisions/{a}/diff/{b}", "read", prep=_doc(edits=1)),
    Route("submit", "POST", DOC + "/submit", "write", prep=_doc()),
    Route("approve", "POST", DOC + "/approve", "write", prep=_doc("submit")),
    Route("reject", "POST", DOC + "/reject", "write", body={"reason": "no"}, prep=_doc("submit")),
    Route("publish", "POST", DOC + "/publish", "write", prep=_doc()),
    Route("unpublish", "POST", DOC + "/unpublish", "write", prep=_doc("publish")),
    Route("archive", "POST", DOC + "/archive", "write", prep=_doc()),
    Route("restore", "POST", DOC + "/restore", "write", prep=_doc("archive")),
    Route("history", "GET", DOC + "/history", "read", prep=_doc("publish")),
    Route(
        "schedule",
        "POST",
        DOC + "/schedule",
        "write",
        202,
        {"publishAt": "2030-01-01T00:00:00Z"},
        _doc(),
    ),
    Route("singletons.get", "GET", ONE, "read", prep=_singleton),
    Route("singletons.put", "PUT", ONE, "write", body={"title": "S"}),
    Route("singletons.delete", "DELETE", ONE, "write", prep=_singleton),
    Route("media.list", "GET", "/v1/media", "read"),
    Route("media.get", "GET", MEDIA, "read", prep=_media),
    Route("media.create", "POST", "/v1/media", "write", 201, {"filename": "a.png"}),
    Route("media.init", "POST", "/v1/media/init", "write", 201, {"filename": "a.png"}),
    Route("media.upload", "POST", "/v1/media/upload", "write", 201, multipart=True),
    Route("media.finalize", "POST", MEDIA + "/finalize", "write", prep=_pending_upload),
    Route("media.patch", "PATCH", MEDIA, "write", body={"alt": "A"}, prep=_media),
    Route("media.delete", "DELETE", MEDIA, "write", prep=_media),
]
# The direct-upload PUT takes no bearer: its signed URL and upload token are the credentials
# (tested in test_media_upload_url.py), so no role applies to it.
UNMATRIXED = {("PUT", "/v1/media/{media_id}/upload")}
# Path parameters every route gets unless its prep says otherwise.
PARAMS = {"name": "post", "number": "1", "a": "1", "b": "2", "type_name": "settings"}
GRANTED = {
    "admin": {"read", "write", "schema"},
    "editor": {"read", "write"},
    "viewer": {"read"},
    "viewer-token": {"read"},
    "anonymous": set(),
}


def _expected(route: Route, role: str, other_space: bool) -> tuple[int, str | None]:
    if role == "anonymous":
        return 401, "AUTH_REQUIRED"  # neither space allows public reading
    if other_space or route.need not in GRANTED[role]:
        return 403, "FORBIDDEN"
    return route.ok, None


def test_the_matrix_covers_every_content_route(app: Any) -> None:
    """A new /v1 content route must join the matrix."""
    served = {
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        if path.startswith(("/v1/types", "/v1/documents", "/v1/singletons", "/v1/media"))
        for method in operations
    }
    assert served - UNMATRIXED == {(r.method, r.path) for r in ROUTES}


@pytest.mark.parametrize("other_space", [False, True], ids=["own-space", "other-space"])
@pytest.mark.parametrize("role", list(GRANTED))
async def test_route_access_by_role_and_space(world: World, role: str, other_space: bool) -> None:
    target = OTHER if other_space else OWN
    headers = await world.caller(role, target)
    wrong = []
    for route in ROUTES:
        params = {**PARAMS, **await route.prep(world, target)}
        body = params.pop("_body", route.body)
        if route.name == "types.create":
            body = {**route.body, "name": f"fresh{next(world.counter)}"}
        path = route.path.format(**params)
        response = await world.call(route.method, path, headers, body, multipart=route.multipart)
        status, code = _expected(route, role, other_space)
        got_code = response.json().get("error", {}).get("code") if response.content else None
        if response.status_code != status or (code is not None and got_code != code):
            wrong.append(f"{route.name}: expected {status} {code}, got {response.text[:160]}")
        if other_space and response.is_success:
            wrong.append(f"{route.name}: crossed into another space")
    assert wrong == []


# --- isolation --------------------------------------------------------------------------------


async def test_a_document_of_another_space_is_not_found_by_id(world: World) -> None:
    foreign = await world.doc(OTHER, "publish", title="Secret")
    admin = await world.caller("admin", OWN)
    attempts = [
        ("GET", f"/v1/documents/{foreign}", None),
        ("GET", f"/v1/documents/{foreign}?perspective=published", None),
        ("PATCH", f"/v1/documents/{foreign}", {"title": "Mine now"}),
        ("DELETE", f"/v1/documents/{foreign}", None),
        ("DELETE", f"/v1/documents/{foreign}?permanent=1", None),
        ("GET", f"/v1/documents/{foreign}/revisions", None),
        ("POST", f"/v1/documents/{foreign}/revisions", {"message": "x"}),
        ("GET", f"/v1/documents/{foreign}/revisions/1", None),
        ("POST", f"/v1/documents/{foreign}/revisions/1/restore", None),
        ("GET", f"/v1/documents/{foreign}/revisions/1/diff/2", None),
        ("GET", f"/v1/documents/{foreign}/history", None),
        ("POST", f"/v1/documents/{foreign}/unpublish", None),
        ("POST", f"/v1/documents/{foreign}/archive", None),
    ]
    wrong = []
    for method, path, body in attempts:
        response = await world.call(method, path, admin, body)
        code = response.json().get("error", {}).get("code")
        if response.status_code != 404 or code != "DOCUMENT_NOT_FOUND":
            wrong.append(f"{method} {path}: {response.status_code} {response.text[:160]}")
    assert wrong == []
    # And nothing happened to it.
    owner_view = await world.ok(OTHER, "GET", f"/v1/documents/{foreign}")
    assert owner_view["document"]["title"] == "Secret!"
    assert owner_view["document"]["status"] == "published"
    revisions = await world.ok(OTHER, "GET", f"/v1/documents/{foreign}/revisions")
    assert len(revisions["items"]) == 2


async def test_refused_cross_space_writes_change_nothing(world: World) -> None:
    foreign = await world.doc(OTHER, title="Theirs")
    token = make_api_token(world.db, world.clock, OWN, Role.ADMIN)
    callers = [
        await world.caller("admin", OTHER),
        {"Authorization": f"Bearer {token}", "X-Space": OTHER},
    ]
    for headers in callers:
        patch = await world.call("PATCH", f"/v1/documents/{foreign}", headers, {"title": "Ours"})
        assert patch.status_code == 403
        delete = await world.call("DELETE", f"/v1/documents/{foreign}?permanent=1", headers)
        assert delete.status_code == 403
        created = await world.call("POST", "/v1/documents", headers, {"title": "Planted"})
        assert created.status_code == 403
    document = (await world.ok(OTHER, "GET", f"/v1/documents/{foreign}"))["document"]
    assert (document["title"], document["status"]) == ("Theirs!", "draft")
    listed = await world.ok(OTHER, "GET", "/v1/documents?status=all")
    assert [i["title"] for i in listed["items"]] == ["Theirs!"]


async def test_lists_and_search_never_include_another_spaces_documents(world: World) -> None:
    mine = await world.doc(OWN, "publish", title="Harbour report")
    theirs = await world.doc(OTHER, "publish", title="Harbour report")
    admin = await world.caller("admin", OWN)
    for params in (
        "",
        "?status=all",
        "?perspective=published",
        "?q=harbour",
        "?type=post&filter[title][contains]=Harbour",
        "?perspective=published&q=harbour",
        "?limit=100&sort=title",
    ):
        response = await world.call("GET", f"/v1/documents{params}", admin)
        assert response.status_code == 200, (params, response.text)
        ids = [item["id"] for item in response.json()["items"]]
        assert ids == [mine], params
        assert theirs not in response.text
        assert response.json()["pagination"]["total"] == 1


async def test_a_reference_cannot_point_into_another_space(world: World) -> None:
    for space in (OWN, OTHER):
        await world.ok(
            space,
            "POST",
            "/v1/types",
            {"name": "tag", "fields": [{"name": "label", "type": "string"}]},
        )
        await world.ok(
            space,
            "POST",
            "/v1/types",
            {
                "name": "entry",
                "fields": [
                    {"name": "tag", "type": "reference", "to": "tag"},
                    {"name": "tags", "type": "reference", "to": "tag", "many": True},
                ],
            },
        )
    theirs = (await world.ok(OTHER, "POST", "/v1/documents", {"type": "tag", "title": "t"}))[
        "document"
    ]["id"]
    mine = (await world.ok(OWN, "POST", "/v1/documents", {"type": "tag", "title": "t"}))[
        "document"
    ]["id"]
    owner = world.owners[OWN]

    for data in ({"tag": theirs}, {"tags": [mine, theirs]}):
        response = await world.call(
            "POST", "/v1/documents", owner, {"type": "entry", "title": "e", "data": data}
        )
        assert response.status_code == 422, response.text
        details = response.json()["error"]["details"]
        assert [d["field"] for d in details] == list(data)
        assert theirs in details[0]["message"]

    entry = (
        await world.ok(OWN, "POST", "/v1/documents", {"type": "entry", "data": {"tag": mine}})
    )["document"]
    patched = await world.call(
        "PATCH", f"/v1/documents/{entry['id']}", owner, {"data": {"tag": theirs}}
    )
    assert patched.status_code == 422
    assert (await world.ok(OWN, "GET", f"/v1/documents/{entry['id']}"))["document"]["data"][
        "tag"
    ] == mine


# --- default perspective by caller ------------------------------------------------------------


async def test_viewer_api_token_reads_the_published_perspective_by_default(world: World) -> None:
    published = await world.doc(OWN, "publish", title="Live")
    await world.ok(OWN, "PATCH", f"/v1/documents/{published}", {"title": "Live, edited"})
    draft = await world.doc(OWN, title="Unreleased")
    token = await world.caller("viewer-token", OWN)

    listed = await world.call("GET", "/v1/documents", token)
    assert [i["title"] for i in listed.json()["items"]] == ["Live!"]
    read = await world.call("GET", f"/v1/documents/{published}", token)
    assert read.json()["document"]["title"] == "Live!"
    missing = await world.call("GET", f"/v1/documents/{draft}", token)
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "DOCUMENT_NOT_FOUND"
    # Asked for explicitly, the working copies are readable by a viewer.
    drafts = await world.call("GET", "/v1/documents?perspective=draft&sort=title", token)
    assert [i["title"] for i in drafts.json()["items"]] == ["Live, edited", "Unreleased!"]


async def test_editor_and_viewer_user_read_working_copies_by_default(world: World) -> None:
    published = await world.doc(OWN, "publish", title="Live")
    await world.ok(OWN, "PATCH", f"/v1/documents/{published}", {"title": "Live, edited"})
    await world.doc(OWN, title="Unreleased")
    for role in ("editor", "viewer", "admin"):
        headers = await world.caller(role, OWN)
        listed = await world.call("GET", "/v1/documents?sort=title", headers)
        assert [i["title"] for i in listed.json()["items"]] == ["Live, edited", "Unreleased!"], role
        read = await world.call("GET", f"/v1/documents/{published}", headers)
        assert read.json()["document"]["title"] == "Live, edited", role


async def test_anonymous_reads_of_a_private_space_need_authentication(world: World) -> None:
    published = await world.doc(OWN, "publish")
    for path in (
        "/v1/documents",
        "/v1/documents?perspective=published",
        f"/v1/documents/{published}",
        f"/v1/documents/{published}?perspective=published",
        "/v1/types",
    ):
        response = await world.call("GET", path, {"X-Space": OWN})
        assert response.status_code == 401, (path, response.text)
        assert response.json()["error"]["code"] == "AUTH_REQUIRED"


async def test_unknown_space_header_is_not_a_way_in(world: World) -> None:
    """Nor a way to learn which spaces exist: a space that does not exist answers exactly as
    one the caller does not belong to (issue 13, defect 8)."""
    answers = []
    for space in (f"nowhere-{uuid4().hex[:6]}", OTHER, OTHER.upper()):
        response = await world.call("GET", "/v1/documents", await world.caller("admin", space))
        assert_error(response, 403, "FORBIDDEN")
        answers.append(response.json())
    assert answers[0] == answers[1] == answers[2]
