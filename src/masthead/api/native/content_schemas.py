"""Native /v1 wire models for content types, documents, revisions and workflow."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from masthead.api.expansion import MediaRenderer, inline_expanded, pick_fields
from masthead.core import limits
from masthead.core.blocks import BLOCKS_SCHEMA_VERSION
from masthead.core.content_types import (
    TYPE_NAME,
    ContentType,
    ContentTypeChanges,
    ContentTypeSpec,
    FieldDef,
    TypeKind,
    WorkflowMode,
)
from masthead.core.documents import Document, Expanded, Revision, TransitionRecord
from masthead.core.errors import FieldError, MastheadError
from masthead.core.listing import Page
from masthead.core.services.documents import DocumentInput, DocumentWrite
from masthead.core.services.revisions import FieldChange
from masthead.core.workflow import Status

# Native keys that map onto fields of the built-in types (native-v1-routes.md → Toast fields).
NATIVE_ALIASES = {"content": "body", "featuredImageId": "featureImage", "blocks": "blocks"}


# The core's TYPE_NAME as a JSON-Schema pattern (ECMA regexes have no \Z; $ ends the text).
TYPE_NAME_PATTERN = TYPE_NAME.pattern.removesuffix("\\Z") + "$"


class ContentTypeBody(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    name: str = Field(
        pattern=TYPE_NAME_PATTERN, description="Lowercase letters, digits, - and _; from a letter"
    )
    title: str | None = None
    kind: TypeKind = TypeKind.COLLECTION
    fields: list[FieldDef] = Field(default_factory=list, max_length=limits.MAX_FIELDS_PER_TYPE)
    routePattern: str | None = None
    template: str | None = None
    workflow: WorkflowMode = WorkflowMode.NONE

    def spec(self) -> ContentTypeSpec:
        return ContentTypeSpec(
            name=self.name,
            title=self.title,
            kind=self.kind,
            fields=tuple(self.fields),
            route_pattern=self.routePattern,
            template=self.template,
            workflow=self.workflow,
        )


class ContentTypePatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str | None = None
    kind: TypeKind | None = None
    fields: list[FieldDef] | None = Field(None, max_length=limits.MAX_FIELDS_PER_TYPE)
    routePattern: str | None = None
    template: str | None = None
    workflow: WorkflowMode | None = None

    def changes(self) -> ContentTypeChanges:
        """Only the keys sent: the core merges them into the stored type."""
        return ContentTypeChanges.model_validate(self.model_dump(exclude_unset=True))


class ContentTypeOut(BaseModel):
    name: str
    title: str
    kind: TypeKind
    fields: list[dict[str, Any]]
    routePattern: str | None
    template: str | None
    workflow: WorkflowMode
    isBuiltin: bool
    schema_: dict[str, Any] = Field(serialization_alias="schema")
    createdAt: datetime
    updatedAt: datetime

    @classmethod
    def of(cls, content_type: ContentType) -> ContentTypeOut:
        return cls(
            name=content_type.name,
            title=content_type.title,
            kind=content_type.kind,
            fields=[
                f.model_dump(mode="json", by_alias=True, exclude_none=True)
                for f in content_type.fields
            ],
            routePattern=content_type.route_pattern,
            template=content_type.template,
            workflow=content_type.workflow,
            isBuiltin=content_type.is_builtin,
            schema_=content_type.json_schema(),
            createdAt=content_type.created_at,
            updatedAt=content_type.updated_at,
        )


class ContentTypeResponse(BaseModel):
    type: ContentTypeOut


class ContentTypeList(BaseModel):
    items: list[ContentTypeOut]


class DocumentBody(BaseModel):
    """POST/PATCH /v1/documents. The contract's keys, plus ``data`` (any field of the type);
    other unknown keys are taken as fields of the type too."""

    model_config = ConfigDict(extra="allow")

    title: str | None = Field(None, max_length=limits.MAX_TITLE)
    content: str | dict[str, Any] | None = None
    type: str | None = Field(None, max_length=limits.MAX_TYPE_NAME)
    slug: str | None = Field(None, max_length=limits.MAX_SLUG)
    featuredImageId: str | None = None
    status: Status | None = None
    # Any list: the core answers a block of neither shape with BLOCKS_INVALID (400).
    blocks: list[Any] | None = None
    data: dict[str, Any] | None = None
    version: int | None = Field(
        None, ge=1, strict=True, description="Expected version (like If-Match)"
    )

    def to_input(self) -> DocumentInput:
        data = dict(self.data or {})
        data.update(self.model_extra or {})
        for key, field in NATIVE_ALIASES.items():
            if key in self.model_fields_set:
                data[field] = getattr(self, key)
        return DocumentInput(
            type=self.type, title=self.title, slug=self.slug, data=data, status=self.status
        )

    @contextmanager
    def names_as_sent(self) -> Iterator[None]:
        """Errors about fields the client sent under the contract's names (``content``,
        ``featuredImageId``) name them so, not as the type's fields (``body``, ...)."""
        sent = {field: key for key, field in NATIVE_ALIASES.items() if key in self.model_fields_set}
        try:
            yield
        except MastheadError as error:
            error.details = [_renamed(d, sent) for d in error.details]
            raise


def _renamed(detail: FieldError, names: dict[str, str]) -> FieldError:
    head, dot, rest = detail.field.partition(".")
    if head not in names:
        return detail
    return replace(detail, field=names[head] + dot + rest)


class DocumentOut(BaseModel):
    id: UUID
    type: str
    title: str
    slug: str
    status: Status
    content: Any
    blocks: list[Any]
    blocksSchemaVersion: int = BLOCKS_SCHEMA_VERSION
    featuredImageId: str | None
    data: dict[str, Any]
    version: int
    revision: int
    publishedRevision: int | None
    isPublished: bool
    authorId: UUID | None
    createdAt: datetime
    updatedAt: datetime
    publishedAt: datetime | None

    @classmethod
    def of(
        cls,
        document: Document,
        expanded: dict[UUID, Expanded] | None = None,
        expand: tuple[str, ...] = (),
        render_media: MediaRenderer | None = None,
    ) -> DocumentOut:
        def render(target: Document, below: tuple[str, ...]) -> dict[str, Any]:
            return cls.of(target, expanded, below, render_media).model_dump(mode="json")

        data = inline_expanded(document.data, expanded or {}, expand, render, render_media)
        return cls(
            id=document.id,
            type=document.type,
            title=document.title,
            slug=document.slug,
            status=document.status,
            content=data.get("body", ""),
            blocks=data.get("blocks") or [],
            featuredImageId=document.data.get("featureImage"),
            data=data,
            version=document.version,
            revision=document.revision,
            publishedRevision=document.published_revision,
            isPublished=document.is_published,
            authorId=document.author_id,
            createdAt=document.created_at,
            updatedAt=document.updated_at,
            publishedAt=document.published_at,
        )


class RevisionOut(BaseModel):
    id: UUID
    documentId: UUID
    number: int
    title: str
    slug: str
    status: Status
    data: dict[str, Any]
    blocksSchemaVersion: int = BLOCKS_SCHEMA_VERSION
    message: str | None
    authorId: UUID | None
    createdAt: datetime

    @classmethod
    def of(cls, revision: Revision) -> RevisionOut:
        return cls(
            id=revision.id,
            documentId=revision.document_id,
            number=revision.number,
            title=revision.title,
            slug=revision.slug,
            status=revision.status,
            data=revision.data,
            message=revision.message,
            authorId=revision.author_id,
            createdAt=revision.created_at,
        )


class DocumentWriteResponse(BaseModel):
    document: DocumentOut
    revision: RevisionOut

    @classmethod
    def of(cls, write: DocumentWrite) -> DocumentWriteResponse:
        return cls(document=DocumentOut.of(write.document), revision=RevisionOut.of(write.revision))


class DocumentResponse(BaseModel):
    document: DocumentOut


class Pagination(BaseModel):
    page: int
    pageSize: int
    totalItems: int
    totalPages: int
    total: int
    limit: int
    offset: int
    pages: int

    @classmethod
    def of(cls, total: int, limit: int, offset: int) -> Pagination:
        pages = (total + limit - 1) // limit if limit else 0
        page = offset // limit + 1 if limit else 1
        return cls(
            page=page,
            pageSize=limit,
            totalItems=total,
            totalPages=pages,
            total=total,
            limit=limit,
            offset=offset,
            pages=pages,
        )


class DocumentList(BaseModel):
    items: list[dict[str, Any]]
    pagination: Pagination

    @classmethod
    def of(
        cls,
        page: Page,
        expand: tuple[str, ...],
        fields: tuple[str, ...] | None,
        render_media: MediaRenderer | None = None,
    ) -> DocumentList:
        items = [
            pick_fields(
                DocumentOut.of(d, page.expanded, expand, render_media).model_dump(mode="json"),
                fields,
                always=("id", "type"),
                nested="data",
            )
            for d in page.items
        ]
        return cls(items=items, pagination=Pagination.of(page.total, page.limit, page.offset))


class RevisionBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    message: str | None = Field(None, max_length=limits.MAX_MESSAGE)


class RevisionResponse(BaseModel):
    revision: RevisionOut


class RevisionList(BaseModel):
    items: list[RevisionOut]
    pagination: Pagination


class FieldChangeOut(BaseModel):
    field: str
    change: str
    before: Any
    after: Any

    @classmethod
    def of(cls, change: FieldChange) -> FieldChangeOut:
        return cls(
            field=change.field, change=change.change, before=change.before, after=change.after
        )


class DiffResponse(BaseModel):
    from_: int = Field(serialization_alias="from")
    to: int
    changes: list[FieldChangeOut]


class RejectBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    reason: str | None = Field(None, max_length=limits.MAX_REASON)


class TransitionOut(BaseModel):
    id: UUID
    action: str
    from_: Status = Field(serialization_alias="from")
    to: Status
    actorId: UUID | None
    reason: str | None
    at: datetime

    @classmethod
    def of(cls, record: TransitionRecord) -> TransitionOut:
        return cls(
            id=record.id,
            action=record.action.value,
            from_=record.from_status,
            to=record.to_status,
            actorId=record.actor_id,
            reason=record.reason,
            at=record.at,
        )


class HistoryResponse(BaseModel):
    items: list[TransitionOut]


class ArchivedResponse(BaseModel):
    """DELETE /v1/documents/:id: archived (soft delete), restorable."""

    ok: Literal[True]
    document: DocumentOut


class DeletedResponse(BaseModel):
    """DELETE /v1/documents/:id?permanent=1: deleted for good."""

    ok: Literal[True]
    deleted: Literal[True]
