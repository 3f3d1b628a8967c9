"""Menus through the core service, on both databases: put and read back, references resolved
to routes in the reader's perspective and reported when missing, keys and bounds checked,
roles and spaces kept apart; and the pure rules (routes, URLs) without a database."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from masthead.core.documents import Document, Perspective
from masthead.core.errors import AuthRequired, Forbidden, Invalid
from masthead.core.models import Actor
from masthead.core.navigation import (
    MAX_MENU_DEPTH,
    MenuItem,
    MenuNotFound,
    NavigationKeyInvalid,
    ResolvedMenu,
    menu_errors,
    route_of,
)
from masthead.core.services import navigation, workflow
from masthead.core.workflow import Status
from masthead.storage.uow import Database
from tests.conftest import FakeClock
from tests.core.services.builders import new_document, new_type, outcome


def _put(
    db: Database, clock: FakeClock, actor: Actor, *items: MenuItem, key: str = "main"
) -> ResolvedMenu:
    return navigation.put_menu(db.uow(), clock, actor, key, "Main", tuple(items))


def test_a_menu_is_stored_and_its_references_resolve_to_routes(
    db: Database, clock: FakeClock, admin: Actor
) -> None:
    post = new_document(db, clock, admin, type_name="post", title="Hello")
    page = new_document(db, clock, admin, type_name="page", title="About us")
    items = (
        MenuItem(label="Blog", url="/blog", children=(MenuItem(label="H", document_id=post.id),)),
        MenuItem(label="About", document_id=page.id),
    )
    put = _put(db, clock, admin, *items)
    assert put.problems == ()
    read = navigation.get_menu(db.uow(), admin, "main")
    assert read.menu.items == items
    assert read.items[0].children[0].url == "/blog/hello"
    assert read.items[1].url == "/about-us"
    assert [m.menu.key for m in navigation.list_menus(db.uow(), admin)] == ["main"]


def test_missing_references_are_kept_and_reported(
    db: Database, clock: FakeClock, admin: Actor
) -> None:
    ghost = uuid4()
    resolved = _put(db, clock, admin, MenuItem(label="G", document_id=ghost))
    assert resolved.items[0].missing
    assert resolved.items[0].url is None
    assert [(p.path, p.document_id, p.reason) for p in resolved.problems] == [
        ("items.0", ghost, "missing")
    ]


def test_published_readers_resolve_only_published_documents(
    db: Database, clock: FakeClock, admin: Actor, viewer_token: Actor, viewer: Actor
) -> None:
    live = new_document(db, clock, admin, type_name="post", title="Live")
    workflow.publish(db.uow(), clock, admin, live.id)
    draft = new_document(db, clock, admin, type_name="post", title="Draft")
    _put(
        db,
        clock,
        admin,
        MenuItem(label="L", document_id=live.id),
        MenuItem(label="D", document_id=draft.id),
    )
    frontend = navigation.get_menu(db.uow(), viewer_token, "main")
    assert [(i.url, i.missing) for i in frontend.items] == [("/blog/live", False), (None, True)]
    member = navigation.get_menu(db.uow(), viewer, "main")
    assert [i.url for i in member.items] == ["/blog/live", "/blog/draft"]
    published = navigation.get_menu(db.uow(), viewer, "main", Perspective.PUBLISHED)
    assert [i.missing for i in published.items] == [False, True]


def test_a_bad_key_is_refused_before_anything_is_read(
    db: Database, clock: FakeClock, admin: Actor
) -> None:
    for key in ("", "Main", "a/b", "x" * 65):
        with pytest.raises(NavigationKeyInvalid):
            navigation.get_menu(db.uow(), admin, key)
        with pytest.raises(NavigationKeyInvalid):
            _put(db, clock, admin, key=key)
    with pytest.raises(MenuNotFound):
        navigation.get_menu(db.uow(), admin, "nope")


def test_roles_and_spaces(
    db: Database,
    clock: FakeClock,
    admin: Actor,
    editor: Actor,
    viewer: Actor,
    anonymous: Actor,
    outsider: Actor,
) -> None:
    assert outcome(lambda: _put(db, clock, editor)) == "allowed"
    assert outcome(lambda: _put(db, clock, viewer)) == Forbidden.__name__
    assert outcome(lambda: _put(db, clock, anonymous)) == AuthRequired.__name__
    assert outcome(lambda: navigation.delete_menu(db.uow(), viewer, "main")) == "Forbidden"
    assert outcome(lambda: navigation.get_menu(db.uow(), anonymous, "main")) == "allowed"
    assert outcome(lambda: navigation.get_menu(db.uow(), outsider, "main")) == "MenuNotFound"
    assert navigation.list_menus(db.uow(), outsider) == []
    navigation.delete_menu(db.uow(), admin, "main")
    assert navigation.list_menus(db.uow(), admin) == []


def test_depth_and_labels_are_checked(db: Database, clock: FakeClock, admin: Actor) -> None:
    item = MenuItem(label="leaf", url="/")
    for _ in range(MAX_MENU_DEPTH):
        item = MenuItem(label="p", children=(item,))
    with pytest.raises(Invalid) as caught:
        _put(db, clock, admin, item)
    assert [d.field for d in caught.value.details] == [
        "items" + ".0.children" * MAX_MENU_DEPTH + ".0"
    ]
    assert navigation.list_menus(db.uow(), admin) == []


def test_a_type_route_can_name_fields_and_ids(db: Database, clock: FakeClock, admin: Actor) -> None:
    new_type(
        db,
        clock,
        admin,
        name="event",
        fields=[{"name": "city", "type": "string"}],
        routePattern="/events/{city}/{slug}",
    )
    event = new_document(db, clock, admin, type_name="event", title="Meetup", city="paris")
    bare = new_document(db, clock, admin, type_name="event", title="Nowhere")
    resolved = _put(
        db,
        clock,
        admin,
        MenuItem(label="E", document_id=event.id),
        MenuItem(label="N", document_id=bare.id),
    )
    assert resolved.items[0].url == "/events/paris/meetup"
    assert resolved.items[1].url is None
    assert [p.reason for p in resolved.problems] == ["no_route"]


# --- pure rules -------------------------------------------------------------------------------


def _document(**changes: object) -> Document:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    values: dict[str, object] = {
        "id": uuid4(),
        "space_id": uuid4(),
        "type": "post",
        "title": "T",
        "slug": "t",
        "data": {"n": 3, "flag": True},
        "status": Status.DRAFT,
        "version": 1,
        "revision": 1,
        "author_id": None,
        "created_at": now,
        "updated_at": now,
        "published_at": None,
        "published_revision": None,
    }
    values.update(changes)
    return Document.model_validate(values)


def test_route_of_fills_known_values_only() -> None:
    doc = _document()
    assert route_of("/blog/{slug}", doc) == "/blog/t"
    assert route_of("/{type}/{id}", doc) == f"/post/{doc.id}"
    assert route_of("/n/{n}", doc) == "/n/3"
    assert route_of("/f/{flag}", doc) is None
    assert route_of("/x/{absent}", doc) is None
    assert route_of(None, doc) is None


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("/about", True),
        ("#top", True),
        ("?q=1", True),
        ("https://example.org", True),
        ("mailto:a@example.org", True),
        ("tel:+331234", True),
        ("javascript:alert(1)", False),
        (" javascript:alert(1)", False),
        ("vbscript:x", False),
        ("//host", False),
        ("/a\nb", False),
        ("about", False),
    ],
)
def test_urls_are_paths_or_safe_schemes(url: str, ok: bool) -> None:
    errors = menu_errors("T", (MenuItem(label="x", url=url),))
    assert (errors == []) is ok
