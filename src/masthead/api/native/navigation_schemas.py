"""Wire models of /v1/navigation: menus and their (resolved) items."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import Field

from masthead.api.wire import WireModel
from masthead.core.navigation import (
    MAX_LABEL,
    MAX_MENU_TITLE,
    MAX_URL,
    MenuItem,
    ResolvedItem,
    ResolvedMenu,
)


class MenuItemIn(WireModel):
    """``url`` or ``documentId`` (or neither, for a heading over ``children``)."""

    label: str = Field(max_length=MAX_LABEL)
    url: str | None = Field(None, max_length=MAX_URL, description="A path (/about) or a URL")
    documentId: UUID | None = Field(
        None, description="A document: resolved to its route when the menu is read"
    )
    children: list[MenuItemIn] = Field(default_factory=list)

    def to_item(self) -> MenuItem:
        return MenuItem(
            label=self.label,
            url=self.url,
            document_id=self.documentId,
            children=tuple(c.to_item() for c in self.children),
        )


class PutMenuBody(WireModel):
    title: str | None = Field(None, max_length=MAX_MENU_TITLE, description="Default: the key")
    items: list[MenuItemIn] = Field(default_factory=list)

    def to_items(self) -> tuple[MenuItem, ...]:
        return tuple(i.to_item() for i in self.items)


class MenuItemOut(WireModel):
    label: str
    url: str | None = Field(description="The document's route for a reference; null if none")
    documentId: UUID | None
    missing: bool = Field(description="A reference to a document this reader cannot find")
    children: list[MenuItemOut]

    @classmethod
    def of(cls, item: ResolvedItem) -> MenuItemOut:
        return cls(
            label=item.label,
            url=item.url,
            documentId=item.document_id,
            missing=item.missing,
            children=[cls.of(c) for c in item.children],
        )


class MenuProblemOut(WireModel):
    path: str = Field(description="The item, as items.0.children.1")
    documentId: UUID
    reason: str = Field(description="missing (no such document) or no_route (it has no route)")


class MenuOut(WireModel):
    id: UUID
    key: str
    title: str
    items: list[MenuItemOut]
    problems: list[MenuProblemOut] = Field(
        description="References that did not resolve (the items stay, marked)"
    )
    createdAt: datetime
    updatedAt: datetime

    @classmethod
    def of(cls, resolved: ResolvedMenu) -> MenuOut:
        menu = resolved.menu
        return cls(
            id=menu.id,
            key=menu.key,
            title=menu.title,
            items=[MenuItemOut.of(i) for i in resolved.items],
            problems=[
                MenuProblemOut(path=p.path, documentId=p.document_id, reason=p.reason)
                for p in resolved.problems
            ],
            createdAt=menu.created_at,
            updatedAt=menu.updated_at,
        )


class MenuResponse(WireModel):
    menu: MenuOut


class MenuList(WireModel):
    items: list[MenuOut]
