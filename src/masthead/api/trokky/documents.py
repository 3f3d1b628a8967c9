"""Trokky ``/documents/:type[/:id]``: list (with ``count`` and the real client's ``filter=<JSON>``
and ``sort=field.asc``), get (and ``exists``), create, replace (PUT), merge (PATCH), delete.

``trokky-http-api.txt`` (Documents, Filtering, Expanding References). A ``status`` in a
body runs the core workflow towards it with the caller's rights; DELETE deletes for good.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import orjson
from fastapi import APIRouter, Body, Path, Query, Request

from masthead.api.context import AppServices, CurrentActor, Services
from masthead.api.ids import DocumentIdPath, id_segment, parse_id
from masthead.api.query_params import (
    PerspectiveParam,
    page_window,
    parse_direction,
    parse_filters,
    parse_list,
    parse_statuses,
)
from masthead.api.trokky.media import media_shaper
from masthead.api.trokky.schemas import (
    CountOut,
    DocumentListOut,
    DocumentOut,
    DocumentShaper,
    ExistsOut,
    SuccessOut,
    core_name,
    document_input,
)
from masthead.core.access import Permission
from masthead.core.content_types import ContentType
from masthead.core.errors import ContentTypeNotFound, ErrorKind, FieldError, Invalid
from masthead.core.listing import DocumentQuery, Filter, FilterOp, Sort
from masthead.core.models import Actor
from masthead.core.services import content_types, documents, queries, typed_documents

router = APIRouter(prefix="/documents", tags=["trokky"])

DEFAULT_ORDER_BY = "_createdAt"  # trokky-http-api.txt, List Documents: orderBy default
ObjectBody = Body(..., description="The document's fields, flat; slug as {current} or text")


# So that PUT /{type}/count answers 405 instead of reaching the document routes.
DOCUMENT = "/{type_name}/" + id_segment("document_id", "count")


def _types(services: AppServices, actor: Actor) -> dict[str, ContentType]:
    return {t.name: t for t in content_types.list_types(services.read_uow(), actor)}


def _shaper(services: AppServices, types: dict[str, ContentType]) -> DocumentShaper:
    return DocumentShaper(types, media_shaper(services))


def _type_of(services: AppServices, actor: Actor, type_name: str) -> ContentType | None:
    try:
        return content_types.get_type(services.read_uow(), actor, type_name)
    except ContentTypeNotFound:
        return None


# --- list parameters -----------------------------------------------------------------------------


def _json_filters(text: str, content_type: ContentType | None) -> list[Filter]:
    """The real client's ``filter={"status": "published", "views": {"gte": 10}}``."""
    try:
        parsed = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise Invalid(
            "Malformed filter", details=[FieldError("filter", "not a JSON object")]
        ) from exc
    if not isinstance(parsed, dict):
        raise Invalid("Malformed filter", details=[FieldError("filter", "not a JSON object")])
    filters = []
    for name, value in parsed.items():
        field = core_name(name, content_type)
        if isinstance(value, dict):
            for op_name, operand in value.items():
                filters.append(Filter(field, _op(field, str(op_name).lstrip("$")), operand))
        elif isinstance(value, list):
            filters.append(Filter(field, FilterOp.IN, value))
        else:
            filters.append(Filter(field, FilterOp.EQ, value))
    return filters


def _op(field: str, name: str) -> FilterOp:
    try:
        return FilterOp(name)
    except ValueError as exc:
        ops = ", ".join(o.value for o in FilterOp)
        raise Invalid(
            f"Unknown filter operator '{name}'",
            details=[FieldError(field, f"operator must be one of {ops}", ErrorKind.ENUM)],
        ) from exc


def _filters(
    params: Iterable[tuple[str, str]], content_type: ContentType | None
) -> tuple[Filter, ...]:
    items = list(params)
    bracketed = parse_filters((k, v) for k, v in items if k != "filter")
    filters = [Filter(core_name(f.field, content_type), f.op, f.value) for f in bracketed]
    for key, value in items:
        if key == "filter":
            filters.extend(_json_filters(value, content_type))
    return tuple(filters)


def _sort(
    sort: str | None, order_by: str | None, order: str | None, content_type: ContentType | None
) -> tuple[Sort, ...]:
    """``sort=publishedAt.desc,title.asc`` (the real client, also ``-publishedAt``), else
    ``orderBy``/``order`` (the document: ``_createdAt``, ``desc``)."""
    if sort:
        sorts = []
        for part in parse_list(sort):
            name, _, direction = part.partition(".") if "." in part else (part, "", "")
            descending = name.startswith("-")
            if direction:
                descending = parse_direction(direction, False, "sort")
            sorts.append(Sort(core_name(name.lstrip("-+"), content_type), descending))
        return tuple(sorts)
    field = core_name(order_by or DEFAULT_ORDER_BY, content_type)
    return (Sort(field, parse_direction(order, True, "order")),)


def _query(
    request: Request,
    type_name: str,
    content_type: ContentType | None,
    *,
    perspective: Any,
    limit: int | None,
    offset: int | None,
    sort: str | None,
    order_by: str | None,
    order: str | None,
    status: str | None,
    expand: str | None,
) -> DocumentQuery:
    size, start = page_window(limit=limit, offset=offset)
    return DocumentQuery(
        perspective=perspective,
        type=type_name,
        statuses=parse_statuses(status),
        filters=_filters(request.query_params.multi_items(), content_type),
        sort=_sort(sort, order_by, order, content_type),
        limit=size,
        offset=start,
        expand=tuple(_expand_paths(expand, content_type)),
    )


def _expand_paths(expand: str | None, content_type: ContentType | None) -> list[str]:
    out = []
    for path in parse_list(expand):
        head, dot, rest = path.partition(".")
        out.append(core_name(head, content_type) + dot + rest)
    return out


# --- routes ------------------------------------------------------------------------------------


@router.get("/{type_name}", response_model=DocumentListOut, summary="List documents of a type")
def list_documents(
    type_name: str,
    request: Request,
    actor: CurrentActor,
    services: Services,
    perspective: PerspectiveParam = None,
    limit: int | None = Query(None, description="Items per page, 1..100 (default 20)"),
    offset: int | None = Query(None, ge=0, le=10_000_000, description="Items to skip"),
    orderBy: str | None = Query(None, description="Sort field (default _createdAt)"),
    order: str | None = Query(None, description="asc or desc (default desc)"),
    sort: str | None = Query(None, description="e.g. publishedAt.desc,title.asc"),
    status: str | None = Query(None, description="Status list or 'all' (default: not archived)"),
    expand: str | None = Query(None, description="e.g. author,categories,author.company"),
) -> dict[str, Any]:
    types = _types(services, actor)  # the shaper needs every type; the query, this one
    content_type = types.get(type_name)
    query = _query(
        request,
        type_name,
        content_type,
        perspective=perspective,
        limit=limit,
        offset=offset,
        sort=sort,
        order_by=orderBy,
        order=order,
        status=status,
        expand=expand,
    )
    page = queries.list_documents(services.read_uow(), actor, query)
    shaper = _shaper(services, types)
    paths = tuple(parse_list(expand))
    return {
        "data": [shaper.shape(d, page.expanded, paths) for d in page.items],
        "meta": {"total": page.total, "limit": page.limit, "offset": page.offset},
    }


@router.get("/{type_name}/count", response_model=CountOut, summary="Count documents of a type")
def count_documents(
    type_name: str,
    request: Request,
    actor: CurrentActor,
    services: Services,
    perspective: PerspectiveParam = None,
    status: str | None = Query(None, description="Status list or 'all'"),
) -> dict[str, Any]:
    content_type = _type_of(services, actor, type_name)
    query = _query(
        request,
        type_name,
        content_type,
        perspective=perspective,
        limit=1,
        offset=0,
        sort=None,
        order_by=None,
        order=None,
        status=status,
        expand=None,
    )
    return {"count": queries.list_documents(services.read_uow(), actor, query).total}


@router.post(
    "/{type_name}", response_model=DocumentOut, status_code=201, summary="Create a document"
)
def create_document(
    type_name: str,
    actor: CurrentActor,
    services: Services,
    body: dict[str, Any] = ObjectBody,
) -> dict[str, Any]:
    types = _types(services, actor)
    write = documents.create_document(
        services.uow(),
        services.clock,
        actor,
        document_input(body, type_name, types.get(type_name)),
    )
    return {"data": _shaper(services, types).shape(write.document)}


@router.get(DOCUMENT, response_model=DocumentOut, summary="Get a document")
def get_document(
    type_name: str,
    document_id: DocumentIdPath,
    actor: CurrentActor,
    services: Services,
    perspective: PerspectiveParam = None,
    expand: str | None = Query(None, description="References to expand"),
) -> dict[str, Any]:
    types = _types(services, actor)
    paths = tuple(_expand_paths(expand, types.get(type_name)))
    document, expanded = typed_documents.get_of_type(
        services.read_uow(), actor, type_name, document_id, perspective, paths
    )
    return {"data": _shaper(services, types).shape(document, expanded, parse_list(expand))}


@router.get(
    "/{type_name}/{document_id}/exists",
    response_model=ExistsOut,
    summary="Whether a document exists (for the caller)",
)
def document_exists(
    type_name: str,
    actor: CurrentActor,
    services: Services,
    document_id: str = Path(
        description="Document id. Any text: what is not a UUID names no document (false)"
    ),
    perspective: PerspectiveParam = None,
) -> dict[str, Any]:
    # Any text is a fair question here, answered 200 (unlike the routes that return the
    # document, where an id that names nothing is 404), so the parameter is documented as text.
    found = typed_documents.exists_of_type(
        services.read_uow(), actor, type_name, parse_id(document_id), perspective
    )
    return {"exists": found}


def _write(
    type_name: str,
    document_id: Any,
    body: dict[str, Any],
    actor: Actor,
    services: AppServices,
    *,
    replace: bool,
) -> dict[str, Any]:
    typed_documents.require_of_type(
        services.read_uow(), actor, Permission.WRITE, type_name, document_id
    )
    types = _types(services, actor)
    write = documents.update_document(
        services.uow(),
        services.clock,
        actor,
        document_id,
        document_input(body, type_name, types.get(type_name)),
        replace=replace,
    )
    return {"data": _shaper(services, types).shape(write.document)}


@router.put(
    DOCUMENT,
    response_model=DocumentOut,
    summary="Replace a document (fields not sent are cleared)",
)
def replace_document(
    type_name: str,
    document_id: DocumentIdPath,
    actor: CurrentActor,
    services: Services,
    body: dict[str, Any] = ObjectBody,
) -> dict[str, Any]:
    return _write(type_name, document_id, body, actor, services, replace=True)


@router.patch(
    DOCUMENT,
    response_model=DocumentOut,
    summary="Update the fields sent; a status runs the workflow towards it",
)
def patch_document(
    type_name: str,
    document_id: DocumentIdPath,
    actor: CurrentActor,
    services: Services,
    body: dict[str, Any] = ObjectBody,
) -> dict[str, Any]:
    return _write(type_name, document_id, body, actor, services, replace=False)


@router.delete(DOCUMENT, response_model=SuccessOut, summary="Delete a document")
def delete_document(
    type_name: str, document_id: DocumentIdPath, actor: CurrentActor, services: Services
) -> dict[str, Any]:
    typed_documents.require_of_type(
        services.read_uow(), actor, Permission.DELETE, type_name, document_id
    )
    documents.delete_document(services.uow(), services.clock, actor, document_id, permanent=True)
    return {"success": True}
