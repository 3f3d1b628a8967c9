"""The menus repository: a menu's item tree is one JSON value, references as document ids."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from masthead.core.navigation import Menu, MenuItem
from masthead.storage.tables import MenuRow


def _item_data(item: MenuItem) -> dict[str, Any]:
    data: dict[str, Any] = {"label": item.label}
    if item.url is not None:
        data["url"] = item.url
    if item.document_id is not None:
        data["document_id"] = str(item.document_id)
    if item.children:
        data["children"] = [_item_data(c) for c in item.children]
    return data


def _item(data: dict[str, Any]) -> MenuItem:
    document_id = data.get("document_id")
    return MenuItem(
        label=data["label"],
        url=data.get("url"),
        document_id=UUID(document_id) if document_id else None,
        children=tuple(_item(c) for c in data.get("children", ())),
    )


def _menu(row: MenuRow) -> Menu:
    return Menu(
        id=row.id,
        space_id=row.space_id,
        key=row.key,
        title=row.title,
        items=tuple(_item(i) for i in row.items),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class SqlMenuRepository:
    def __init__(self, session: Session):
        self._session = session

    def list(self, space_id: UUID) -> list[Menu]:
        rows = self._session.scalars(
            select(MenuRow).where(MenuRow.space_id == space_id).order_by(MenuRow.key)
        )
        return [_menu(r) for r in rows]

    def find(self, space_id: UUID, key: str) -> Menu | None:
        row = self._session.scalar(
            select(MenuRow).where(MenuRow.space_id == space_id, MenuRow.key == key)
        )
        return _menu(row) if row else None

    def count(self, space_id: UUID) -> int:
        return int(
            self._session.scalar(
                select(func.count()).select_from(MenuRow).where(MenuRow.space_id == space_id)
            )
            or 0
        )

    def put(self, menu: Menu) -> Menu:
        dialect = self._session.get_bind().dialect.name
        insert = sqlite_insert if dialect == "sqlite" else pg_insert
        items = [_item_data(i) for i in menu.items]
        statement = insert(MenuRow).values(
            id=menu.id,
            space_id=menu.space_id,
            key=menu.key,
            title=menu.title,
            items=items,
            created_at=menu.created_at,
            updated_at=menu.updated_at,
        )
        # One statement, so two writers of a new key never collide on the unique key.
        self._session.execute(
            statement.on_conflict_do_update(
                index_elements=[MenuRow.space_id, MenuRow.key],
                set_={"title": menu.title, "items": items, "updated_at": menu.updated_at},
            )
        )
        row = self._session.scalar(
            select(MenuRow)
            .where(MenuRow.space_id == menu.space_id, MenuRow.key == menu.key)
            .execution_options(populate_existing=True)
        )
        if row is None:  # pragma: no cover - written just above
            raise RuntimeError("menu vanished while being written")
        return _menu(row)

    def delete(self, space_id: UUID, key: str) -> bool:
        result = self._session.execute(
            delete(MenuRow).where(MenuRow.space_id == space_id, MenuRow.key == key)
        )
        return bool(getattr(result, "rowcount", 0))
