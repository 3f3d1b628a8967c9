"""Apps ``/content/:schema_slug``: entries of collection schemas by id (their slug), and the
one entry of a single schema at ``/single`` (``apps-content-api.txt``).

Schema = content type, entry = document, entry id = the document's slug. Lists are bare
arrays; an entry is its data with no wrapper. Collection routes on a single schema, and
``/single`` on a collection, are refused by the core (400).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Path, Query, Response

from masthead.api.apps.access import AppActor
from masthead.api.apps.schemas import CreatedOut, EntryOut, entry_data, media_ids
from masthead.api.context import AppServices, Services
from masthead.api.http import etag
from masthead.api.ids import id_segment
from masthead.core.documents import Document, Perspective
from masthead.core.errors import ErrorKind, FieldError, Invalid
from masthead.core.listing import DocumentQuery
from masthead.core.models import Actor
from masthead.core.paging import MAX_LIMIT
from masthead.core.services import documents, documents_by_slug, media, queries
from masthead.core.services.documents import DocumentInput
from masthead.core.workflow import Status

PREFIX = "/api/v1/apps"
router = APIRouter(prefix=PREFIX + "/{app_slug}/content", tags=["apps"])

SCHEMA = "/{schema_slug}"
ENTRY = SCHEMA + "/" + id_segment("entry_id", "single")
SINGLE = SCHEMA + "/single"
SchemaPath = Path(description="The schema's slug (a content type name)")
EntryPath = Path(description="The entry's id (its slug)")
EntryBody = Body(description="The entry's data: a JSON object of the schema's properties")

# ?status= → (perspective, statuses). The default is what readers see: published entries.
STATUSES: dict[str, tuple[Perspective, tuple[Status, ...] | None]] = {
    "published": (Perspective.PUBLISHED, None),
    "all": (Perspective.DRAFT, None),
    "draft": (Perspective.DRAFT, (Status.DRAFT, Status.IN_REVIEW, Status.APPROVED)),
}


def _shape(services: AppServices, actor: Actor, items: list[Document]) -> list[dict[str, Any]]:
    assets = {a.id: a for a in media.get_media_many(services.read_uow(), actor, media_ids(items))}
    return [entry_data(d, assets) for d in items]


def _input(body: dict[str, Any]) -> DocumentInput:
    return DocumentInput(data=dict(body))


def _status(value: str) -> tuple[Perspective, tuple[Status, ...] | None]:
    if value not in STATUSES:
        raise Invalid(
            "Invalid status",
            details=[
                FieldError(
                    "status", "unknown", ErrorKind.ENUM, {"allowed": list(STATUSES), "value": value}
                )
            ],
        )
    return STATUSES[value]


@router.get(SCHEMA, response_model=list[EntryOut], summary="List entries")
def list_entries(
    actor: AppActor,
    services: Services,
    response: Response,
    schema_slug: str = SchemaPath,
    status: str = Query(
        "published",
        description="published (default), all (with drafts) or draft",
        json_schema_extra={"enum": list(STATUSES)},
    ),
    q: str | None = Query(None, max_length=200, description="Full-text search"),
    limit: int = Query(MAX_LIMIT, ge=1, le=MAX_LIMIT, description="At most this many entries"),
    offset: int = Query(0, ge=0, le=10_000_000, description="Entries to skip"),
) -> list[dict[str, Any]]:
    perspective, statuses = _status(status)
    documents_by_slug.require_collection(services.read_uow(), actor, schema_slug)
    query = DocumentQuery(
        perspective=perspective,
        type=schema_slug,
        statuses=statuses,
        search=q or None,
        limit=limit,
        offset=offset,
    )
    found = queries.list_documents(services.read_uow(), actor, query)
    response.headers["X-Total-Count"] = str(found.total)
    items = _shape(services, actor, found.items)
    return [{"id": d.slug, "data": data} for d, data in zip(found.items, items, strict=True)]


@router.post(SCHEMA, response_model=CreatedOut, status_code=201, summary="Create an entry")
def create_entry(
    actor: AppActor,
    services: Services,
    schema_slug: str = SchemaPath,
    body: dict[str, Any] = EntryBody,
) -> dict[str, Any]:
    write = documents_by_slug.create_in_collection(
        services.uow(), services.clock, actor, schema_slug, _input(body)
    )
    return {"id": write.document.slug}


@router.get(ENTRY, response_model=dict[str, Any], summary="Get an entry (its data, with ETag)")
def get_entry(
    actor: AppActor,
    services: Services,
    response: Response,
    schema_slug: str = SchemaPath,
    entry_id: str = EntryPath,
) -> dict[str, Any]:
    document = documents_by_slug.get_by_slug(services.read_uow(), actor, schema_slug, entry_id)
    response.headers["ETag"] = etag(document.version)
    return _shape(services, actor, [document])[0]


@router.put(ENTRY, response_model=dict[str, Any], summary="Update an entry (snapshot first)")
def update_entry(
    actor: AppActor,
    services: Services,
    response: Response,
    schema_slug: str = SchemaPath,
    entry_id: str = EntryPath,
    body: dict[str, Any] = EntryBody,
) -> dict[str, Any]:
    write = documents_by_slug.replace_by_slug(
        services.uow(), services.clock, actor, schema_slug, entry_id, _input(body)
    )
    response.headers["ETag"] = etag(write.document.version)
    return _shape(services, actor, [write.document])[0]


@router.delete(ENTRY, status_code=204, response_class=Response, summary="Delete an entry")
def delete_entry(
    actor: AppActor, services: Services, schema_slug: str = SchemaPath, entry_id: str = EntryPath
) -> Response:
    documents_by_slug.delete_by_slug(services.uow(), actor, schema_slug, entry_id)
    return Response(status_code=204)


@router.post(ENTRY + "/publish", response_model=EntryOut, summary="Publish (idempotent)")
def publish_entry(
    actor: AppActor, services: Services, schema_slug: str = SchemaPath, entry_id: str = EntryPath
) -> dict[str, Any]:
    document = documents_by_slug.publish_by_slug(
        services.uow(), services.clock, actor, schema_slug, entry_id
    )
    return {"id": document.slug, "data": _shape(services, actor, [document])[0]}


@router.post(ENTRY + "/unpublish", response_model=EntryOut, summary="Unpublish (idempotent)")
def unpublish_entry(
    actor: AppActor, services: Services, schema_slug: str = SchemaPath, entry_id: str = EntryPath
) -> dict[str, Any]:
    document = documents_by_slug.unpublish_by_slug(
        services.uow(), services.clock, actor, schema_slug, entry_id
    )
    return {"id": document.slug, "data": _shape(services, actor, [document])[0]}


# --- single schemas ---------------------------------------------------------------------------


@router.get(SINGLE, response_model=dict[str, Any], summary="Get a single schema's entry")
def get_single(
    actor: AppActor, services: Services, response: Response, schema_slug: str = SchemaPath
) -> dict[str, Any]:
    document = documents.get_singleton(services.read_uow(), actor, schema_slug)
    response.headers["ETag"] = etag(document.version)
    return _shape(services, actor, [document])[0]


@router.put(SINGLE, response_model=dict[str, Any], summary="Create or update the single entry")
def put_single(
    actor: AppActor,
    services: Services,
    response: Response,
    schema_slug: str = SchemaPath,
    body: dict[str, Any] = EntryBody,
) -> dict[str, Any]:
    write = documents.put_singleton(
        services.uow(), services.clock, actor, schema_slug, _input(body)
    )
    response.headers["ETag"] = etag(write.document.version)
    return _shape(services, actor, [write.document])[0]


@router.delete(SINGLE, status_code=204, response_class=Response, summary="Delete the single entry")
def delete_single(actor: AppActor, services: Services, schema_slug: str = SchemaPath) -> Response:
    documents.delete_singleton(services.uow(), actor, schema_slug)
    return Response(status_code=204)
