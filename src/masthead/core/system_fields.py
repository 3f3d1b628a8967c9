"""The fields every document has outside its type's data: their public names, the kind of
value they hold, where storage keeps them, and what each perspective can say about them.

This is the one vocabulary of system fields: list queries (``core/listing.py``) check
filters and sorts against it, storage maps it to columns, and content types may not declare
fields under the reserved names. It imports nothing from the rest of the core.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class ValueKind(enum.StrEnum):
    UUID = "uuid"
    STRING = "string"
    DATETIME = "datetime"


@dataclass(frozen=True)
class SystemField:
    name: str  # public (camelCase) name, as query strings use it
    attribute: str  # the Document attribute holding it (storage maps this to a column)
    kind: ValueKind
    sortable: bool = True
    reserved: bool = False  # a content type may not declare a field of this name
    # The value every document has in the published perspective, where the field is not
    # stored: a published revision's status is, to a reader, "published".
    published_value: str | None = None


SYSTEM_FIELDS: dict[str, SystemField] = {
    f.name: f
    for f in (
        SystemField("id", "id", ValueKind.UUID, sortable=False, reserved=True),
        SystemField("title", "title", ValueKind.STRING),
        SystemField("slug", "slug", ValueKind.STRING),
        SystemField("type", "type", ValueKind.STRING, reserved=True),
        SystemField(
            "status", "status", ValueKind.STRING, reserved=True, published_value="published"
        ),
        # Who created it; a type may have its own "author" field.
        SystemField("authorId", "author_id", ValueKind.UUID, sortable=False),
        SystemField("createdAt", "created_at", ValueKind.DATETIME, reserved=True),
        SystemField("updatedAt", "updated_at", ValueKind.DATETIME, reserved=True),
        SystemField("publishedAt", "published_at", ValueKind.DATETIME),
    )
}

RESERVED_FIELD_NAMES = frozenset(
    {f.name for f in SYSTEM_FIELDS.values() if f.reserved} | {"version"}
)
"""Names a content type cannot give its own fields: documents carry these as columns."""
