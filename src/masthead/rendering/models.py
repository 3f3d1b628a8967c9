"""What the renderer is given: plain, frozen values built by the release builder.

No database rows and no core models: the builder resolves menus, routes and media URLs first,
so rendering is a pure function of these values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class MenuLink:
    """A resolved menu item; ``url`` is None when its document is missing or has no route."""

    label: str
    url: str | None
    children: tuple[MenuLink, ...] = ()


@dataclass(frozen=True)
class Site:
    name: str  # the space's name, shown in the header and the <title>
    base_url: str  # "http://127.0.0.1:8000", no trailing slash; canonical URL = base_url + route
    menus: Mapping[str, tuple[MenuLink, ...]]  # by menu key: "main" (header), "footer"
    language: str = "en"


@dataclass(frozen=True)
class FieldInfo:
    name: str
    type: str  # a content type field type: string, text, richtext, blocks, media, ...


@dataclass(frozen=True)
class Page:
    document_id: str
    type_name: str
    template: str | None  # the content type's template name; None means "page"
    route: str  # "/blog/hello"
    title: str
    data: Mapping[str, Any]  # the document's fields
    fields: tuple[FieldInfo, ...]  # the type's fields, in order
    published_at: datetime | None
    updated_at: datetime | None
    media_urls: Mapping[str, str]  # media asset id -> absolute or root-relative URL
