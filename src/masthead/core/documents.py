"""Document values: documents, revisions, transitions, and the perspectives they are read in.
The query shape every dialect parses its syntax into lives in ``core/listing.py``."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

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
    # ``published_at`` while published, kept when unpublished (Toast's ``publishedAt``).
    last_published_at: datetime | None = None
    # Which API or import created it ("v1", "trokky", "workflow", "import", ...); None for
    # documents created before this was recorded, and in the published perspective.
    created_via: str | None = None

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

    @classmethod
    def of(
        cls, document: Document, author_id: UUID | None, message: str | None, at: datetime
    ) -> Revision:
        """A new revision recording ``document``'s current content (not yet stored)."""
        return cls(
            id=uuid4(),
            document_id=document.id,
            number=document.revision,
            title=document.title,
            slug=document.slug,
            data=document.data,
            status=document.status,
            message=message,
            author_id=author_id,
            created_at=at,
        )


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


Expanded = Document | MediaAsset
"""What an ``expand`` path resolves to: a referenced document, or a media asset."""
