"""Menus of a space: list, read (references resolved to routes), put and delete.

Reads follow the reading rules of documents: any member may read, anonymous callers only in
a public space, and references resolve in the reader's perspective (what is published, for
frontends' tokens and anonymous readers; working copies for people editing content), so a
reader never learns the route of a document it could not read. Editors and admins write
menus (``Permission.WRITE``), as they write the content the menus point to.
"""

from __future__ import annotations

from uuid import UUID, uuid4

from masthead.core import access
from masthead.core.access import Permission
from masthead.core.documents import Perspective
from masthead.core.errors import ErrorKind, FieldError, Invalid
from masthead.core.listing import default_perspective
from masthead.core.models import Actor
from masthead.core.navigation import (
    MAX_MENUS,
    Menu,
    MenuItem,
    MenuNotFound,
    ResolvedMenu,
    check_key,
    check_menu,
    referenced_ids,
    resolve,
)
from masthead.core.ports import Clock, UnitOfWork
from masthead.core.services.documents import require_read


def resolve_all(
    uow: UnitOfWork, space_id: UUID, menus: list[Menu], perspective: Perspective
) -> list[ResolvedMenu]:
    """``menus`` with their references resolved in ``perspective`` (also what a release
    build renders)."""
    wanted: set[UUID] = set()
    for menu in menus:
        wanted |= referenced_ids(menu.items)
    found = uow.documents.get_many(space_id, wanted, perspective) if wanted else []
    documents = {d.id: d for d in found}
    routes = {t.name: t.route_pattern for t in uow.content_types.list(space_id)}
    return [resolve(m, documents, routes) for m in menus]


def list_menus(
    uow: UnitOfWork, actor: Actor, perspective: Perspective | None = None
) -> list[ResolvedMenu]:
    """Every menu of the space, by key. Raises AuthRequired, Forbidden."""
    perspective = perspective or default_perspective(actor)
    require_read(actor, perspective)
    with uow:
        menus = uow.menus.list(actor.space_id)
        return resolve_all(uow, actor.space_id, menus, perspective)


def get_menu(
    uow: UnitOfWork, actor: Actor, key: str, perspective: Perspective | None = None
) -> ResolvedMenu:
    """Raises AuthRequired, Forbidden, NavigationKeyInvalid, MenuNotFound."""
    perspective = perspective or default_perspective(actor)
    require_read(actor, perspective)
    check_key(key)
    with uow:
        menu = uow.menus.find(actor.space_id, key)
        if menu is None:
            raise MenuNotFound(f"Menu '{key}' not found")
        return resolve_all(uow, actor.space_id, [menu], perspective)[0]


def put_menu(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    key: str,
    title: str,
    items: tuple[MenuItem, ...],
) -> ResolvedMenu:
    """Create or replace the menu ``key``; answer it as its writer reads it (references to
    missing documents are kept and reported, so a menu can be written before its pages).
    Raises Forbidden, NavigationKeyInvalid, Invalid."""
    access.require(actor, Permission.WRITE)
    check_key(key)
    check_menu(title, items)
    now = clock()
    with uow:
        if uow.menus.find(actor.space_id, key) is None and (
            uow.menus.count(actor.space_id) >= MAX_MENUS
        ):
            raise Invalid(
                f"A space holds at most {MAX_MENUS} menus",
                details=[FieldError("key", "delete a menu first", ErrorKind.MAX_ITEMS)],
            )
        stored = uow.menus.put(
            Menu(
                id=uuid4(),
                space_id=actor.space_id,
                key=key,
                title=title,
                items=items,
                created_at=now,
                updated_at=now,
            )
        )
        resolved = resolve_all(uow, actor.space_id, [stored], default_perspective(actor))[0]
        uow.commit()
    return resolved


def delete_menu(uow: UnitOfWork, actor: Actor, key: str) -> None:
    """Raises Forbidden, NavigationKeyInvalid, MenuNotFound."""
    access.require(actor, Permission.WRITE)
    check_key(key)
    with uow:
        if not uow.menus.delete(actor.space_id, key):
            raise MenuNotFound(f"Menu '{key}' not found")
        uow.commit()
