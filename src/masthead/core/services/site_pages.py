"""From documents to the renderer's values: the site (name, URL, menus) and one page.

Shared by the release build and previews, so a preview is laid out exactly like the page
the next release will hold.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any
from uuid import UUID

from masthead.core.content_types import ContentType, FieldType
from masthead.core.documents import Document
from masthead.core.media import MediaUrls
from masthead.core.models import Space
from masthead.core.navigation import ResolvedItem, ResolvedMenu, route_of
from masthead.core.ports import UnitOfWork
from masthead.rendering import FieldInfo, MenuLink, Page, Site

# A route becomes a file path of a static host: no dot segments, no backslashes, no query
# or fragment, no control characters, no empty segments.
_UNSAFE_ROUTE = re.compile(r"[\x00-\x1f\x7f\\?#]|//|(^|/)\.{1,2}(/|$)")
MAX_ROUTE = 1000


def safe_route(route: str | None) -> str | None:
    """``route`` if a static host can serve it as a file, else None."""
    if route is None or not route.startswith("/") or len(route) > MAX_ROUTE:
        return None
    if _UNSAFE_ROUTE.search(route):
        return None
    return route.rstrip("/") or "/"


def document_route(content_type: ContentType, document: Document) -> str | None:
    return safe_route(route_of(content_type.route_pattern, document))


def menu_links(items: Iterable[ResolvedItem]) -> tuple[MenuLink, ...]:
    return tuple(
        MenuLink(label=i.label, url=None if i.missing else i.url, children=menu_links(i.children))
        for i in items
    )


def menus_data(menus: Iterable[ResolvedMenu]) -> dict[str, Any]:
    """Resolved menus as the manifest keeps them (JSON)."""

    def item(i: ResolvedItem) -> dict[str, Any]:
        return {
            "label": i.label,
            "url": None if i.missing else i.url,
            "children": [item(c) for c in i.children],
        }

    return {m.menu.key: {"title": m.menu.title, "items": [item(i) for i in m.items]} for m in menus}


def links_from_data(items: Iterable[Any]) -> tuple[MenuLink, ...]:
    return tuple(
        MenuLink(
            label=str(i.get("label", "")),
            url=i.get("url") if isinstance(i.get("url"), str) else None,
            children=links_from_data(i.get("children") or ()),
        )
        for i in items
        if isinstance(i, dict)
    )


def site_for(space: Space, base_url: str, menus: Mapping[str, Any]) -> Site:
    """``menus``: the manifest's menus (key → {title, items})."""
    return Site(
        name=space.name,
        base_url=base_url.rstrip("/"),
        menus={key: links_from_data(menu.get("items") or ()) for key, menu in menus.items()},
    )


def media_ids(content_type: ContentType, documents: Iterable[Document]) -> set[UUID]:
    names = [f.name for f in content_type.fields if f.type is FieldType.MEDIA]
    found: set[UUID] = set()
    for document in documents:
        for name in names:
            value = document.data.get(name)
            if isinstance(value, str):
                try:
                    found.add(UUID(value))
                except ValueError:
                    continue
    return found


def media_url_map(
    uow: UnitOfWork, space_id: UUID, ids: set[UUID], urls: MediaUrls, base_url: str
) -> dict[str, str]:
    """Media id → absolute URL of the original file, for the ids that name stored assets."""
    if not ids:
        return {}
    found: dict[str, str] = {}
    for asset in uow.media.get_many(space_id, ids):
        url = urls.original(asset)
        if url is not None:
            found[str(asset.id)] = f"{base_url.rstrip('/')}{url}" if url.startswith("/") else url
    return found


def page_for(
    content_type: ContentType, document: Document, route: str, media_urls: Mapping[str, str]
) -> Page:
    return Page(
        document_id=str(document.id),
        type_name=content_type.name,
        template=content_type.template,
        route=route,
        title=document.title,
        data=document.data,
        fields=tuple(FieldInfo(name=f.name, type=f.type.value) for f in content_type.fields),
        published_at=document.published_at,
        updated_at=document.updated_at,
        media_urls=media_urls,
    )
