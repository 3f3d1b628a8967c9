"""Document values: documents, revisions, transitions, and the one query shape every dialect
parses its own syntax into (``DocumentQuery``)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from masthead.core.media import MediaAsset
from masthead.core.workflow import Action, Status


class Perspective(enum.StrEnum):
    DRAFT = "draft"  # working copies
    PUBLISHED = "published"  # each document's published revision


class Document(BaseModel):
    """A document as one perspective sees it: the working copy, or its published revision."""

    model_config = ConfigDict(frozen=True)

    id: UUID
    space_id: UUID
    type: str
    title: str
    slug: str
    data: dict[str, Any]
    status: Status
    version: int
    revision: int  # number of the revision this content is
    author_id: UUID | None
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None
    published_revision: int | None
    submitted_by: UUID | None = None

    @property
    def is_published(self) -> bool:
        return self.published_revision is not None


class Revision(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: UUID
    document_id: UUID
    number: int
    title: str
    slug: str
    data: dict[str, Any]
    status: Status
    message: str | None
    author_id: UUID | None
    created_at: datetime


class TransitionRecord(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: UUID
    document_id: UUID
    action: Action
    from_status: Status
    to_status: Status
    actor_id: UUID | None
    reason: str | None
    at: datetime
    version: int  # the document's version after the transition: orders the history


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


@dataclass(frozen=True)
class DocumentQuery:
    """Filters, sort, paging and expansion, already parsed from a dialect's syntax."""

    perspective: Perspective = Perspective.DRAFT
    type: str | None = None
    statuses: tuple[Status, ...] | None = None  # None: every status but archived
    filters: tuple[Filter, ...] = ()
    sort: tuple[Sort, ...] = (Sort("updatedAt", descending=True),)
    limit: int = 20
    offset: int = 0
    search: str | None = None
    expand: tuple[str, ...] = ()  # dotted paths: "author", "author.company"
    fields: tuple[str, ...] | None = None


Expanded = Document | MediaAsset
"""What an ``expand`` path resolves to: a referenced document, or a media asset."""


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
