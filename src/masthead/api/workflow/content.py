"""``/api/v1/content``: content items (documents) read, edited, archived, moved through review
and reverted, per ``workflow-content-api.txt``; plus the routes its users need that the
document omits (create, list, history: ``docs/workflow-api.md``).

Every transition runs the core's state machine under the ``REVIEW_REQUIRED`` policy: publish
only from approved, whatever the type's workflow mode or the caller's role. The role table
is the core's permissions (viewer: read only).
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Body, Path, Query, Response

from masthead.api.context import AppServices, Services
from masthead.api.ids import DocumentIdPath
from masthead.api.query_params import PageParam, PageSizeParam, page_window, parse_statuses
from masthead.api.workflow import schemas
from masthead.api.workflow.callers import WorkflowActor
from masthead.api.workflow.schemas import (
    ContentItem,
    ContentList,
    CreateItemBody,
    HistoryList,
    RejectBody,
    UpdateItemBody,
    VersionList,
)
from masthead.core.content_types import ContentType
from masthead.core.documents import Document, Perspective
from masthead.core.errors import ContentTypeNotFound
from masthead.core.listing import DocumentQuery, Sort
from masthead.core.models import Actor
from masthead.core.services import content_types, documents, queries, revisions
from masthead.core.services import workflow as workflow_service
from masthead.core.workflow import REVIEW_REQUIRED, Action

router = APIRouter(prefix="/api/v1/content", tags=["workflow"])
ITEM = "/{document_id}"
VersionPath = Annotated[int, Path(ge=1, le=2**31 - 1, description="The version to revert to")]


def _types(services: AppServices, actor: Actor) -> dict[str, ContentType]:
    return {t.name: t for t in content_types.list_types(services.read_uow(), actor)}


def _item(services: AppServices, actor: Actor, document: Document) -> dict[str, Any]:
    """The item with its template and its 20 newest versions."""
    try:
        content_type = content_types.get_type(services.read_uow(), actor, document.type)
    except ContentTypeNotFound:  # pragma: no cover - a document's type outlives it
        content_type = None
    recent = revisions.list_revisions(
        services.read_uow(), actor, document.id, limit=schemas.RECENT_VERSIONS
    )
    return schemas.item(document, content_type, recent.items)


def _template_name(services: AppServices, actor: Actor, template: str) -> str:
    """A template named by id or by name, as the core's type name."""
    for content_type in _types(services, actor).values():
        if str(content_type.id) == template.lower():
            return content_type.name
    return template


def _act(
    services: AppServices, actor: Actor, document_id: UUID, action: Action, reason: str | None
) -> dict[str, Any]:
    document = workflow_service.act(
        services.uow(),
        services.clock,
        actor,
        document_id,
        action,
        reason=reason,
        policy=REVIEW_REQUIRED,
    )
    return _item(services, actor, document)


# --- the document's routes -----------------------------------------------------------------------


@router.get(ITEM, response_model=ContentItem, summary="Get a content item")
def get_item(document_id: DocumentIdPath, actor: WorkflowActor, services: Services) -> Any:
    document = documents.get_document(services.read_uow(), actor, document_id, Perspective.DRAFT)
    return _item(services, actor, document)


@router.put(ITEM, response_model=ContentItem, summary="Update a content item (a new version)")
def update_item(
    document_id: DocumentIdPath,
    actor: WorkflowActor,
    services: Services,
    body: UpdateItemBody = Body(default_factory=UpdateItemBody),
) -> Any:
    write = documents.update_document(
        services.uow(), services.clock, actor, document_id, schemas.item_input(body)
    )
    return _item(services, actor, write.document)


@router.delete(
    ITEM, status_code=204, response_class=Response, summary="Archive a content item (soft delete)"
)
def archive_item(document_id: DocumentIdPath, actor: WorkflowActor, services: Services) -> Response:
    workflow_service.act(
        services.uow(), services.clock, actor, document_id, Action.ARCHIVE, policy=REVIEW_REQUIRED
    )
    return Response(status_code=204)


@router.post(ITEM + "/submit", response_model=ContentItem, summary="Submit for review")
def submit_item(document_id: DocumentIdPath, actor: WorkflowActor, services: Services) -> Any:
    return _act(services, actor, document_id, Action.SUBMIT, None)


@router.post(
    ITEM + "/approve",
    response_model=ContentItem,
    summary="Approve an item in review (never by its submitter)",
)
def approve_item(document_id: DocumentIdPath, actor: WorkflowActor, services: Services) -> Any:
    return _act(services, actor, document_id, Action.APPROVE, None)


@router.post(ITEM + "/publish", response_model=ContentItem, summary="Publish an approved item")
def publish_item(document_id: DocumentIdPath, actor: WorkflowActor, services: Services) -> Any:
    return _act(services, actor, document_id, Action.PUBLISH, None)


@router.post(ITEM + "/reject", response_model=ContentItem, summary="Reject an item in review")
def reject_item(
    document_id: DocumentIdPath,
    actor: WorkflowActor,
    services: Services,
    body: RejectBody = Body(default_factory=RejectBody),
) -> Any:
    return _act(services, actor, document_id, Action.REJECT, body.reason)


@router.get(
    ITEM + "/versions", response_model=VersionList, summary="Version snapshots, newest first"
)
def list_versions(document_id: DocumentIdPath, actor: WorkflowActor, services: Services) -> Any:
    page = revisions.list_revisions(
        services.read_uow(), actor, document_id, limit=schemas.MAX_VERSIONS
    )
    return {"versions": [schemas.version_item(r) for r in page.items]}


@router.post(
    ITEM + "/revert/{version}",
    response_model=ContentItem,
    summary="Revert to an earlier version (a new version, status draft)",
)
def revert_item(
    document_id: DocumentIdPath, version: VersionPath, actor: WorkflowActor, services: Services
) -> Any:
    write = revisions.revert_revision(services.uow(), services.clock, actor, document_id, version)
    return _item(services, actor, write.document)


# --- added: what the document's users need (docs/workflow-api.md) --------------------------------


@router.post("", response_model=ContentItem, status_code=201, summary="Create a content item")
def create_item(actor: WorkflowActor, services: Services, body: CreateItemBody) -> Any:
    template = _template_name(services, actor, body.templateId)
    write = documents.create_document(
        services.uow(), services.clock, actor, schemas.item_input(body, template)
    )
    return _item(services, actor, write.document)


@router.get("", response_model=ContentList, summary="List content items")
def list_items(
    actor: WorkflowActor,
    services: Services,
    status: str | None = Query(None, description="Status list (comma separated) or 'all'"),
    templateId: str | None = Query(None, description="Only items of this template (id or name)"),
    page: PageParam = None,
    limit: PageSizeParam = None,
) -> Any:
    size, offset = page_window(limit=limit, page=page)
    template = _template_name(services, actor, templateId) if templateId else None
    query = DocumentQuery(
        perspective=Perspective.DRAFT,
        type=template,
        statuses=parse_statuses(status),
        sort=(Sort("updatedAt", descending=True),),
        limit=size,
        offset=offset,
    )
    result = queries.list_documents(services.read_uow(), actor, query)
    types = _types(services, actor)
    return {
        "items": [schemas.summary(d, types.get(d.type)) for d in result.items],
        "total": result.total,
        "page": result.page,
        "limit": result.limit,
    }


@router.get(
    ITEM + "/history", response_model=HistoryList, summary="Transitions, with actor and reason"
)
def item_history(document_id: DocumentIdPath, actor: WorkflowActor, services: Services) -> Any:
    records = workflow_service.history(services.read_uow(), actor, document_id)
    return {"history": [schemas.history_entry(r) for r in reversed(records)]}
