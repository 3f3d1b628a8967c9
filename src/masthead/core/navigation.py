"""Menus: the rules of a space's navigation, without storage or HTTP.

A menu has a key (``main``, ``footer``), a title and a tree of items. An item has a label and
either a URL, a reference to a document, or neither (a heading over its children). References
are stored as document ids and resolved when a menu is read, to the document's route: its
content type's ``route_pattern`` filled from the document (``/blog/{slug}`` → ``/blog/hello``).
A reference that resolves to nothing is reported on the menu (``problems``) and on the item
(``missing``), never dropped. What this module must not do: load anything (services do).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from masthead.core.documents import Document
from masthead.core.errors import ErrorKind, FieldError, Invalid, NotFound
from masthead.core.storable import text_problem
from masthead.core.workflow import Status

MENU_KEY = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
"""Lower-case letters, digits, ``-`` and ``_``, starting with a letter or digit; 1 to 64."""
MAX_MENU_DEPTH = 4  # items, their children, grandchildren and great-grandchildren
MAX_MENU_ITEMS = 200  # items in one menu, at every depth together
MAX_MENUS = 100  # menus per space
MAX_MENU_TITLE = 200
MAX_LABEL = 200
MAX_URL = 2048

_SAFE_SCHEMES = ("http://", "https://", "mailto:", "tel:")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


class NavigationKeyInvalid(Invalid):
    """A menu key that is empty or not made of ``a-z 0-9 - _`` (400 NAVIGATION_KEY_INVALID)."""

    default_message = (
        "Menu keys are 1 to 64 lower-case letters, digits, '-' or '_', starting with a letter "
        "or digit"
    )


class MenuNotFound(NotFound):
    default_message = "Menu not found"


class MenuItem(BaseModel):
    """One stored item: ``url`` or ``document_id`` (or neither, for a heading), and children."""

    model_config = ConfigDict(frozen=True)

    label: str
    url: str | None = None
    document_id: UUID | None = None
    children: tuple[MenuItem, ...] = ()


class Menu(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: UUID
    space_id: UUID
    key: str
    title: str
    items: tuple[MenuItem, ...]
    created_at: datetime
    updated_at: datetime


class ResolvedItem(BaseModel):
    """An item as readers get it: ``url`` is the document's route for a reference; ``missing``
    says a reference found no document (in the reader's perspective)."""

    model_config = ConfigDict(frozen=True)

    label: str
    url: str | None
    document_id: UUID | None
    missing: bool
    children: tuple[ResolvedItem, ...]


@dataclass(frozen=True)
class MenuProblem:
    """A reference that did not resolve: ``path`` names the item (``items.0.children.2``);
    ``reason`` is ``missing`` (no such document to this reader) or ``no_route`` (its type has
    no route pattern, or the pattern names a value the document lacks)."""

    path: str
    document_id: UUID
    reason: str


@dataclass(frozen=True)
class ResolvedMenu:
    menu: Menu
    items: tuple[ResolvedItem, ...]
    problems: tuple[MenuProblem, ...]


# --- rules ------------------------------------------------------------------------------------


def check_key(key: str) -> str:
    """Raise NavigationKeyInvalid unless ``key`` is a menu key."""
    if not MENU_KEY.fullmatch(key):
        raise NavigationKeyInvalid(
            details=[FieldError("key", "use a-z, 0-9, '-' and '_' (1 to 64)", ErrorKind.PATTERN)]
        )
    return key


def _url_problem(url: str) -> str | None:
    if len(url) > MAX_URL:
        return f"must be at most {MAX_URL} characters"
    if not url or any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
        return "must be a URL without spaces or control characters"
    if url.startswith("//"):
        return "must name its scheme (https://...) or be a path on this site"
    if url.startswith(("/", "#", "?")) or url.lower().startswith(_SAFE_SCHEMES):
        return None
    return "must be a path (/about), a fragment (#top), or an http, https, mailto or tel URL"


def menu_errors(title: str, items: tuple[MenuItem, ...]) -> list[FieldError]:
    """Everything wrong with a menu's title and item tree: lengths, URLs, depth and count."""
    errors: list[FieldError] = []
    if len(title) > MAX_MENU_TITLE:
        errors.append(
            FieldError(
                "title",
                f"must be at most {MAX_MENU_TITLE} characters",
                ErrorKind.MAX_LENGTH,
                {"limit": MAX_MENU_TITLE},
            )
        )
    count = 0
    for path, depth, item in walk(items):
        count += 1
        if depth > MAX_MENU_DEPTH:
            errors.append(
                FieldError(
                    path,
                    f"items nest at most {MAX_MENU_DEPTH} levels deep",
                    ErrorKind.INVALID,
                    {"limit": MAX_MENU_DEPTH},
                )
            )
            continue
        errors += _item_errors(path, item)
    if count > MAX_MENU_ITEMS:
        errors.append(
            FieldError(
                "items",
                f"a menu holds at most {MAX_MENU_ITEMS} items (at every depth together)",
                ErrorKind.MAX_ITEMS,
                {"limit": MAX_MENU_ITEMS, "value": count},
            )
        )
    return errors[:20]


def _item_errors(path: str, item: MenuItem) -> list[FieldError]:
    errors = []
    label_problem = text_problem(item.label)
    if not item.label.strip():
        errors.append(FieldError(f"{path}.label", "must not be empty", ErrorKind.REQUIRED))
    elif len(item.label) > MAX_LABEL:
        errors.append(
            FieldError(
                f"{path}.label",
                f"must be at most {MAX_LABEL} characters",
                ErrorKind.MAX_LENGTH,
                {"limit": MAX_LABEL},
            )
        )
    elif label_problem:
        errors.append(FieldError(f"{path}.label", label_problem))
    if item.url is not None and item.document_id is not None:
        errors.append(
            FieldError(path, "give a url or a documentId, not both", ErrorKind.NOT_ALLOWED)
        )
    elif item.url is not None:
        problem = _url_problem(item.url)
        if problem:
            errors.append(FieldError(f"{path}.url", problem, ErrorKind.FORMAT))
    return errors


def check_menu(title: str, items: tuple[MenuItem, ...]) -> None:
    errors = menu_errors(title, items)
    if errors:
        raise Invalid("The menu breaks its rules", details=errors)


def walk(
    items: tuple[MenuItem, ...], prefix: str = "items", depth: int = 1
) -> Iterator[tuple[str, int, MenuItem]]:
    """(path, depth, item) of every item, parents before their children; below an item
    deeper than MAX_MENU_DEPTH nothing more (it is refused anyway, and a hostile tree may be
    nested as deep as the body limit allows)."""
    for index, item in enumerate(items):
        path = f"{prefix}.{index}"
        yield path, depth, item
        if depth <= MAX_MENU_DEPTH:
            yield from walk(item.children, f"{path}.children", depth + 1)


def referenced_ids(items: tuple[MenuItem, ...]) -> set[UUID]:
    return {item.document_id for _, _, item in walk(items) if item.document_id is not None}


# --- resolution -------------------------------------------------------------------------------


def route_of(pattern: str | None, document: Document) -> str | None:
    """``pattern`` filled from ``document``: ``{slug}``, ``{id}``, ``{type}``, or a text or
    number field of its data. None when the type has no pattern or the document lacks a
    value it names."""
    if pattern is None:
        return None
    known: dict[str, object] = {**document.data}
    known.update(slug=document.slug, id=str(document.id), type=document.type)
    missing = False

    def fill(match: re.Match[str]) -> str:
        nonlocal missing
        value = known.get(match.group(1))
        if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
            missing = True
            return ""
        return str(value)

    route = _PLACEHOLDER.sub(fill, pattern)
    return None if missing else route


def resolve(
    menu: Menu, documents: Mapping[UUID, Document], routes: Mapping[str, str | None]
) -> ResolvedMenu:
    """The menu with each reference turned into its document's route. ``documents`` holds
    the referenced documents the reader may see; ``routes`` each type's route pattern.
    Archived documents count as missing (they are deleted, restorably)."""
    problems: list[MenuProblem] = []

    def one(path: str, item: MenuItem) -> ResolvedItem:
        children = tuple(
            one(f"{path}.children.{i}", child) for i, child in enumerate(item.children)
        )
        if item.document_id is None:
            return ResolvedItem(
                label=item.label, url=item.url, document_id=None, missing=False, children=children
            )
        document = documents.get(item.document_id)
        if document is None or document.status is Status.ARCHIVED:
            problems.append(MenuProblem(path, item.document_id, "missing"))
            return ResolvedItem(
                label=item.label,
                url=None,
                document_id=item.document_id,
                missing=True,
                children=children,
            )
        url = route_of(routes.get(document.type), document)
        if url is None:
            problems.append(MenuProblem(path, item.document_id, "no_route"))
        return ResolvedItem(
            label=item.label,
            url=url,
            document_id=item.document_id,
            missing=False,
            children=children,
        )

    items = tuple(one(f"items.{i}", item) for i, item in enumerate(menu.items))
    problems.sort(key=lambda p: _path_order(p.path))
    return ResolvedMenu(menu=menu, items=items, problems=tuple(problems))


def _path_order(path: str) -> tuple[object, ...]:
    return tuple(int(p) if p.isdigit() else p for p in path.split("."))
