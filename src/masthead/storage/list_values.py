"""The index of list-field elements (``document_values``): kept in step with documents by
the repository, read by ``queries`` for "list contains" filters.

Elements are stored as canonical text; values too long for the column are not indexed, and a
filter for such a value falls back to scanning the JSON.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import delete, insert
from sqlalchemy.orm import Session

from masthead.core.documents import Document
from masthead.storage.tables import DocumentValueRow

WORKING, PUBLISHED = "d", "p"
MAX_VALUE = 200


def canonical(value: Any) -> str | None:
    """The text a list element is indexed and looked up as (None: not indexable)."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, int | float):
        text = str(int(value)) if float(value).is_integer() else repr(float(value))
    elif isinstance(value, str):
        text = value
    else:
        return None
    return text if len(text) <= MAX_VALUE else None


def _rows(document: Document, source: str) -> list[dict[str, Any]]:
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for field, items in document.data.items():
        if not isinstance(items, list):
            continue
        for item in items:
            text = canonical(item)
            if text is not None:
                rows[(field, text)] = {
                    "source": source,
                    "document_id": document.id,
                    "field": field,
                    "value": text,
                    "space_id": document.space_id,
                    "type": document.type,
                }
    return list(rows.values())


def replace(session: Session, documents: list[Document], source: str, *, fresh: bool) -> None:
    """Index the list elements of ``documents`` (``fresh``: nothing indexed for them yet)."""
    if not fresh:
        clear(session, [d.id for d in documents], source)
    rows = [row for document in documents for row in _rows(document, source)]
    if rows:
        session.execute(insert(DocumentValueRow), rows)


def clear(session: Session, document_ids: list[UUID], source: str) -> None:
    if document_ids:
        session.execute(
            delete(DocumentValueRow).where(
                DocumentValueRow.source == source, DocumentValueRow.document_id.in_(document_ids)
            )
        )
