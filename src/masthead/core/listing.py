"""List queries, owned by the core: the one query shape every dialect parses its syntax into
(``DocumentQuery``), the default sort and status filter, and the default perspective by role.
Paging bounds are ``core/paging.py``, shared with the revision and media lists.

Which fields a list may filter and sort on is ``core/system_fields.py`` plus the type's own
fields; checking a query against them is ``core/services/queries.py``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from masthead.core.documents import Document, Expanded, Perspective
from masthead.core.models import Actor, Role, TokenKind
from masthead.core.paging import DEFAULT_LIMIT
from masthead.core.workflow import Status


class FilterOp(enum.StrEnum):
    EQ = "eq"
    NE = "ne"
    LT = "lt"
    LTE = "lte"
    GT = "gt"
    GTE = "gte"
    IN = "in"
    CONTAINS = "contains"
    EXISTS = "exists"


@dataclass(frozen=True)
class Filter:
    field: str
    op: FilterOp
    value: Any


@dataclass(frozen=True)
class Sort:
    field: str
    descending: bool = False


DEFAULT_SORT = (Sort("updatedAt", descending=True),)
"""Most recently edited first, in every perspective."""


@dataclass(frozen=True)
class DocumentQuery:
    """Filters, sort, paging and expansion, already parsed from a dialect's syntax.

    ``perspective`` None means the caller's default (``default_perspective``); ``statuses``
    None means every status but archived (in the published perspective: every document).
    """

    perspective: Perspective | None = None
    type: str | None = None
    statuses: tuple[Status, ...] | None = None
    filters: tuple[Filter, ...] = ()
    sort: tuple[Sort, ...] = DEFAULT_SORT
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    search: str | None = None
    expand: tuple[str, ...] = ()  # dotted paths: "author", "author.company"
    fields: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Page:
    items: list[Document]
    total: int
    limit: int
    offset: int
    expanded: dict[UUID, Expanded] = field(default_factory=dict)

    @property
    def page(self) -> int:
        return self.offset // self.limit + 1 if self.limit else 1

    @property
    def pages(self) -> int:
        return (self.total + self.limit - 1) // self.limit if self.limit else 0


def default_perspective(actor: Actor) -> Perspective:
    """Readers with tokens meant for frontends (viewer API tokens, anonymous) get what is
    published; people editing content get working copies."""
    if actor.kind is TokenKind.ANONYMOUS:
        return Perspective.PUBLISHED
    if actor.kind is TokenKind.API and actor.role is Role.VIEWER:
        return Perspective.PUBLISHED
    return Perspective.DRAFT


TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})


def parse_bool(raw: object) -> bool:
    """A boolean as every dialect spells one in a query (any case): 1/true/yes/on or
    0/false/no/off. Raises ValueError."""
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ValueError("expected true or false")
