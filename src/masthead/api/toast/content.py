"""Toast ``/api/content``: list (``page``, ``limit``, ``sort``, ``status``, ``type``), create,
get, update (PUT: the keys sent), delete (for good), publish, unpublish, and numbered versions
with snapshot and restore (``toast-content-api.txt``).

Every route works on the caller's site (space); an item of another site, an archived one, or
a document of a type other than ``post``/``page`` is not found here. Publishing runs the core
workflow with the caller's role and the type's workflow setting.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import Response

from masthead.api.context import AppServices, CurrentActor, Services
from masthead.api.ids import DocumentIdPath
from masthead.api.query_params import MAX_PAGE
from masthead.api.toast.schemas import (
    CONTENT_TYPES,
    MEDIA_FIELDS,
    TEXT_FIELDS,
    ContentItemOut,
    ContentListOut,
    CreateContentBody,
    MediaUrl,
    RestoreOut,
    UpdateContentBody,
    VersionListOut,
    VersionOut,
    media_ids,
    page_meta,
    shape_item,
    shape_version,
)
from masthead.core.access import Permission
from masthead.core.documents import Document, Perspective
from masthead.core.errors import ErrorKind, FieldError, Invalid
from masthead.core.listing import DocumentQuery, Filter, FilterOp, Sort
from masthead.core.models import Actor
from masthead.core.paging import DEFAULT_LIMIT, MAX_LIMIT
from masthead.core.services import documents, media, queries, revisions, workflow
from masthead.core.services.documents import DocumentInput
from masthead.core.workflow import Status

PREFIX = "/api/content"
router = APIRouter(prefix=PREFIX, tags=["toast"])

ITEM = "/{document_id}"

# sort value → (core field, descending). The document names the fields, not the direction:
# times newest first (updated_at is the default: most recently edited first), title A to Z.
SORTS: dict[str, Sort] = {
    "created_at": Sort("createdAt", descending=True),
    "updated_at": Sort("updatedAt", descending=True),
    "published_at": Sort("publishedAt", descending=True),
    "title": Sort("title", descending=False),
}
# Toast's two states over the core's: "draft" is every live state before publication.
STATUSES: dict[str, tuple[Status, ...]] = {
    "draft": (Status.DRAFT, Status.IN_REVIEW, Status.APPROVED),
    "published": (Status.PUBLISHED,),
}
CONTENT_FIELDS = ("body", *TEXT_FIELDS, *MEDIA_FIELDS)
MAX_VERSION = 2**31 - 1  # revision numbers are 32-bit integers in storage


def _choice(param: str, value: str | None, allowed: tuple[str, ...]) -> str | None:
    """A query value from a fixed set; anything else is a 400 naming the set."""
    if value is None or value in allowed:
        return value
    raise Invalid(
        f"Invalid {param}",
        details=[
            FieldError(
                param,
                f"use one of {', '.join(allowed)}",
                ErrorKind.ENUM,
                {"allowed": list(allowed), "value": value},
            )
        ],
    )


def _enum_query(description: str, allowed: tuple[str, ...], default: str | None = None) -> Any:
    """A text parameter documented as one of ``allowed`` and checked by ``_choice``, so that
    a refusal names the allowed values."""
    return Query(default, description=description, json_schema_extra={"enum": list(allowed)})


# --- shaping -------------------------------------------------------------------------------


def _media_url(
    request: Request, services: AppServices, actor: Actor, items: list[Document]
) -> MediaUrl:
    """Uploaded assets as absolute URLs (one query for the page); external URLs as stored."""
    assets = media.get_media_many(services.read_uow(), actor, media_ids(items))
    origin = str(request.base_url).rstrip("/")
    urls: dict[str, str | None] = {}
    for asset in assets:
        url = services.media_urls.original(asset)
        urls[str(asset.id)] = origin + url if url and url.startswith("/") else url

    def resolve(value: str) -> str | None:
        if value.startswith(("http://", "https://")):
            return value
        return urls.get(value) or urls.get(value.lower())

    return resolve


def _item(
    request: Request, services: AppServices, actor: Actor, document: Document
) -> dict[str, Any]:
    return shape_item(document, _media_url(request, services, actor, [document]))


def _live(
    services: AppServices, actor: Actor, document_id: Any, permission: Permission
) -> Document:
    return documents.require_live_document(
        services.read_uow(), actor, document_id, permission=permission, types=CONTENT_TYPES
    )


def _input(sent: dict[str, Any]) -> DocumentInput:
    status = sent.get("status")
    return DocumentInput(
        type=sent.get("contentType"),
        title=sent.get("title"),
        slug=sent.get("slug"),
        data={name: sent[name] for name in CONTENT_FIELDS if name in sent},
        status=Status(status) if status else None,
    )


# --- content -------------------------------------------------------------------------------


@router.get("", response_model=ContentListOut, summary="List content for site")
def list_content(
    request: Request,
    actor: CurrentActor,
    services: Services,
    page: int = Query(1, ge=1, le=MAX_PAGE, description="Page number"),
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Items per page"),
    sort: str | None = _enum_query(
        "Sort field (default updated_at): times newest first, title A to Z",
        tuple(SORTS),
        "updated_at",
    ),
    status: str | None = _enum_query("Filter by status", tuple(STATUSES)),
    type: str | None = _enum_query("Filter by content type", CONTENT_TYPES),
) -> dict[str, Any]:
    sort_name = _choice("sort", sort, tuple(SORTS)) or "updated_at"
    status_name = _choice("status", status, tuple(STATUSES))
    type_name = _choice("type", type, CONTENT_TYPES)
    query = DocumentQuery(
        perspective=Perspective.DRAFT,
        type=type_name,
        statuses=STATUSES[status_name] if status_name else None,
        filters=() if type_name else (Filter("type", FilterOp.IN, list(CONTENT_TYPES)),),
        sort=(SORTS[sort_name],),
        limit=limit,
        offset=(page - 1) * limit,
    )
    found = queries.list_documents(services.read_uow(), actor, query)
    media_url = _media_url(request, services, actor, found.items)
    return {
        "data": [shape_item(d, media_url) for d in found.items],
        "meta": page_meta(found.total, page, limit),
    }


@router.post("", response_model=ContentItemOut, status_code=201, summary="Create content")
def create_content(
    body: CreateContentBody, request: Request, actor: CurrentActor, services: Services
) -> dict[str, Any]:
    sent = body.model_dump(exclude_unset=True)
    sent["contentType"] = body.contentType
    write = documents.create_document(services.uow(), services.clock, actor, _input(sent))
    return _item(request, services, actor, write.document)


@router.get(ITEM, response_model=ContentItemOut, summary="Get content by ID")
def get_content(
    document_id: DocumentIdPath, request: Request, actor: CurrentActor, services: Services
) -> dict[str, Any]:
    return _item(request, services, actor, _live(services, actor, document_id, Permission.READ))


@router.put(ITEM, response_model=ContentItemOut, summary="Update content (the keys sent)")
def update_content(
    document_id: DocumentIdPath,
    body: UpdateContentBody,
    request: Request,
    actor: CurrentActor,
    services: Services,
) -> dict[str, Any]:
    current = _live(services, actor, document_id, Permission.WRITE)
    sent = body.model_dump(exclude_unset=True)
    if not sent:  # nothing to change: no new version
        return _item(request, services, actor, current)
    write = documents.update_document(
        services.uow(), services.clock, actor, document_id, _input(sent)
    )
    return _item(request, services, actor, write.document)


@router.delete(ITEM, status_code=204, response_class=Response, summary="Delete content")
def delete_content(
    document_id: DocumentIdPath, actor: CurrentActor, services: Services
) -> Response:
    _live(services, actor, document_id, Permission.DELETE)
    documents.delete_document(services.uow(), services.clock, actor, document_id, permanent=True)
    return Response(status_code=204)


@router.post(ITEM + "/publish", response_model=ContentItemOut, summary="Publish content")
def publish_content(
    document_id: DocumentIdPath, request: Request, actor: CurrentActor, services: Services
) -> dict[str, Any]:
    _live(services, actor, document_id, Permission.PUBLISH)
    document = workflow.publish(services.uow(), services.clock, actor, document_id)
    return _item(request, services, actor, document)


@router.post(
    ITEM + "/unpublish",
    response_model=ContentItemOut,
    summary="Unpublish content (back to draft; publishedAt is kept)",
)
def unpublish_content(
    document_id: DocumentIdPath, request: Request, actor: CurrentActor, services: Services
) -> dict[str, Any]:
    _live(services, actor, document_id, Permission.PUBLISH)
    document = workflow.unpublish(services.uow(), services.clock, actor, document_id)
    return _item(request, services, actor, document)


# --- versions ------------------------------------------------------------------------------

VersionPath = Path(ge=1, le=MAX_VERSION, description="Version number, from 1")


@router.get(ITEM + "/versions", response_model=VersionListOut, summary="List content versions")
def list_versions(
    document_id: DocumentIdPath,
    actor: CurrentActor,
    services: Services,
    page: int = Query(1, ge=1, le=MAX_PAGE, description="Page number"),
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Items per page"),
) -> dict[str, Any]:
    _live(services, actor, document_id, Permission.READ)
    found = revisions.list_revisions(
        services.read_uow(), actor, document_id, limit=limit, offset=(page - 1) * limit
    )
    return {
        "versions": [shape_version(r) for r in found.items],
        "pagination": page_meta(found.total, page, limit),
    }


@router.post(
    ITEM + "/versions",
    response_model=VersionOut,
    status_code=201,
    summary="Create version snapshot",
)
def create_version(
    document_id: DocumentIdPath, actor: CurrentActor, services: Services
) -> dict[str, Any]:
    _live(services, actor, document_id, Permission.WRITE)
    revision = revisions.create_snapshot(services.uow(), services.clock, actor, document_id)
    return shape_version(revision)


@router.get(ITEM + "/versions/{version}", response_model=VersionOut, summary="Get specific version")
def get_version(
    document_id: DocumentIdPath,
    actor: CurrentActor,
    services: Services,
    version: int = VersionPath,
) -> dict[str, Any]:
    _live(services, actor, document_id, Permission.READ)
    return shape_version(revisions.get_revision(services.read_uow(), actor, document_id, version))


@router.post(
    ITEM + "/versions/{version}/restore",
    response_model=RestoreOut,
    summary="Restore version (snapshots the current state first)",
)
def restore_version(
    document_id: DocumentIdPath,
    actor: CurrentActor,
    services: Services,
    version: int = VersionPath,
) -> dict[str, Any]:
    _live(services, actor, document_id, Permission.WRITE)
    write = revisions.snapshot_and_restore(
        services.uow(), services.clock, actor, document_id, version
    )
    return {"restored": True, "newVersion": write.revision.number}
