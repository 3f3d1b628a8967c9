"""Wire models of the workflow API, and the translation between its content item and the
core's document.

The mapping (``docs/workflow-api.md``): an item is a document; ``name`` its title; its
template (``parentTemplate``) the content type; ``version`` the document's revision number;
``blocks`` and ``personalization`` the template's fields of those names; ``content`` every
other field of the document's data.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import Field

from masthead.api.wire import WireModel
from masthead.core.content_types import ContentType
from masthead.core.documents import Document, Revision, TransitionRecord
from masthead.core.services.documents import DocumentInput

BLOCKS = "blocks"
PERSONALIZATION = "personalization"
RECENT_VERSIONS = 20  # workflow-content-api.txt, GET: "up to 20 versions"
MAX_VERSIONS = 100  # workflow-content-api.txt, GET .../versions: "up to 100"


# --- requests ------------------------------------------------------------------------------------


class UpdateItemBody(WireModel):
    name: str | None = Field(None, description="Updated name")
    content: dict[str, Any] | None = Field(
        None, description="Updated content fields (merged; a field sent as null is removed)"
    )
    blocks: list[dict[str, Any]] | None = Field(None, description="Updated content blocks")
    personalization: dict[str, Any] | None = Field(
        None, description="Updated personalization config"
    )


class CreateItemBody(UpdateItemBody):
    templateId: str = Field(description="The parent template: its id or its name")


class RejectBody(WireModel):
    reason: str | None = Field(None, description="Rejection reason")


def item_input(body: UpdateItemBody, template: str | None = None) -> DocumentInput:
    data: dict[str, Any] = dict(body.content or {})
    if body.blocks is not None:
        data[BLOCKS] = body.blocks
    if body.personalization is not None:
        data[PERSONALIZATION] = body.personalization
    return DocumentInput(type=template, title=body.name, data=data)


# --- responses -----------------------------------------------------------------------------------


class TemplateRef(WireModel):
    id: UUID | None
    name: str


class Source(WireModel):
    origin: str | None = Field(
        description="The API or import that created it (v1, trokky, apps, toast, workflow, "
        "import); null when created before Masthead recorded it"
    )
    createdBy: UUID | None = Field(description="The user (or API token) that created it")
    createdAt: datetime


class VersionRef(WireModel):
    id: UUID
    version: int
    createdAt: datetime


class ContentItem(WireModel):
    id: UUID
    name: str
    status: str
    version: int
    content: dict[str, Any]
    blocks: list[Any]
    personalization: dict[str, Any] | None
    parentTemplate: TemplateRef
    source: Source
    publishedAt: datetime | None
    createdAt: datetime
    updatedAt: datetime
    versions: list[VersionRef] = Field(description="Up to 20, newest first")


class ContentSummary(WireModel):
    id: UUID
    name: str
    status: str
    version: int
    parentTemplate: TemplateRef
    publishedAt: datetime | None
    createdAt: datetime
    updatedAt: datetime


class ContentList(WireModel):
    items: list[ContentSummary]
    total: int
    page: int
    limit: int


class VersionItem(WireModel):
    id: UUID
    version: int
    name: str
    status: str
    content: dict[str, Any]
    blocks: list[Any]
    personalization: dict[str, Any] | None
    message: str | None
    createdBy: UUID | None
    createdAt: datetime


class VersionList(WireModel):
    versions: list[VersionItem]


class HistoryEntry(WireModel):
    id: UUID
    action: str
    fromStatus: str
    toStatus: str
    actorId: UUID | None
    reason: str | None
    at: datetime


class HistoryList(WireModel):
    history: list[HistoryEntry] = Field(description="Newest first")


class WorkflowErrorBody(WireModel):
    code: str
    message: str
    currentStatus: str | None = None
    requiredStatus: str | None = None
    allowedStatuses: list[str] | None = None
    details: list[dict[str, str]] | None = None
    retryAfter: int | None = None


class WorkflowErrorResponse(WireModel):
    error: WorkflowErrorBody


# --- shaping -------------------------------------------------------------------------------------


def _split(data: dict[str, Any]) -> tuple[dict[str, Any], list[Any], dict[str, Any] | None]:
    content = {k: v for k, v in data.items() if k not in (BLOCKS, PERSONALIZATION)}
    blocks = data.get(BLOCKS)
    personalization = data.get(PERSONALIZATION)
    return (
        content,
        blocks if isinstance(blocks, list) else [],
        personalization if isinstance(personalization, dict) else None,
    )


def template_ref(type_name: str, content_type: ContentType | None) -> dict[str, Any]:
    return {"id": content_type.id if content_type else None, "name": type_name}


def summary(document: Document, content_type: ContentType | None) -> dict[str, Any]:
    return {
        "id": document.id,
        "name": document.title,
        "status": document.status.value,
        "version": document.revision,
        "parentTemplate": template_ref(document.type, content_type),
        "publishedAt": document.published_at,
        "createdAt": document.created_at,
        "updatedAt": document.updated_at,
    }


def item(
    document: Document, content_type: ContentType | None, versions: list[Revision]
) -> dict[str, Any]:
    content, blocks, personalization = _split(document.data)
    return {
        **summary(document, content_type),
        "content": content,
        "blocks": blocks,
        "personalization": personalization,
        "source": {
            "origin": document.created_via,
            "createdBy": document.author_id,
            "createdAt": document.created_at,
        },
        "versions": [
            {"id": r.id, "version": r.number, "createdAt": r.created_at} for r in versions
        ],
    }


def version_item(revision: Revision) -> dict[str, Any]:
    content, blocks, personalization = _split(revision.data)
    return {
        "id": revision.id,
        "version": revision.number,
        "name": revision.title,
        "status": revision.status.value,
        "content": content,
        "blocks": blocks,
        "personalization": personalization,
        "message": revision.message,
        "createdBy": revision.author_id,
        "createdAt": revision.created_at,
    }


def history_entry(record: TransitionRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "action": record.action.value,
        "fromStatus": record.from_status.value,
        "toStatus": record.to_status.value,
        "actorId": record.actor_id,
        "reason": record.reason,
        "at": record.at,
    }
