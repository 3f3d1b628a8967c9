"""Native /v1/documents: CRUD, queries, revisions, workflow actions and history."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Header, Path, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from masthead.api.context import CurrentActor, Services
from masthead.api.delivery import published_answer
from masthead.api.http import etag, expected_version
from masthead.api.idempotency import IdempotencyKey, replay_or_run
from masthead.api.ids import DocumentIdPath
from masthead.api.native.content_schemas import (
    ArchivedResponse,
    DeletedResponse,
    DiffResponse,
    DocumentBody,
    DocumentList,
    DocumentOut,
    DocumentResponse,
    DocumentWriteResponse,
    FieldChangeOut,
    HistoryResponse,
    Pagination,
    RejectBody,
    RevisionBody,
    RevisionList,
    RevisionOut,
    RevisionResponse,
    TransitionOut,
)
from masthead.api.native.errors import BLOCKS_INVALID_RESPONSE
from masthead.api.native.media_schemas import media_renderer
from masthead.api.query_params import (
    FILTER_PARAMETER,
    OffsetParam,
    PageParam,
    PageSizeParam,
    PerspectiveParam,
    SortDirParam,
    SortParams,
    flag_query,
    page_window,
    parse_filters,
    parse_flag,
    parse_list,
    parse_statuses,
)
from masthead.core import limits
from masthead.core.documents import Perspective
from masthead.core.listing import DEFAULT_SORT, DocumentQuery, default_perspective
from masthead.core.services import delivery, documents, queries, revisions, workflow
from masthead.core.workflow import Action

router = APIRouter(prefix="/documents", tags=["documents"])

# Revision numbers in paths: bounded so no input overflows the database's integers (numbers
# that fit but name no revision, 0 included, are simply not found).
RevisionNumber = Annotated[
    int, Path(ge=-(2**31), le=2**31 - 1, description="Revision number (from 1)")
]
# What api/http.py's expected_version reads: a version, quoted or not (weak or not), or "*"
# or nothing (any version), between optional spaces.
IF_MATCH_PATTERN = r'^[ \t]*(?:\*|(?:W/)?"?[0-9]{1,18}"?)?[ \t]*$'
IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        pattern=IF_MATCH_PATTERN,
        description='The version the write expects, as the ETag gives it ("3"); * for any',
    ),
]


@router.get(
    "",
    response_model=DocumentList,
    summary="List and query documents",
    openapi_extra={"parameters": [FILTER_PARAMETER]},
)
async def list_documents(
    request: Request,
    actor: CurrentActor,
    services: Services,
    perspective: PerspectiveParam = None,
    type: str | None = Query(None, description="Content type name"),
    status: str | None = Query(None, description="Status, comma list, or 'all'"),
    q: str | None = Query(
        None, max_length=limits.MAX_SEARCH, description="Full-text search: title and text"
    ),
    sort: str | None = Query(None, description="e.g. -publishedAt,title"),
    orderBy: str | None = Query(None, description="Sort field (with order)"),
    order: SortDirParam = None,
    sortBy: str | None = Query(None, description="Sort field (with sortDir)"),
    sortDir: SortDirParam = None,
    limit: PageSizeParam = None,
    pageSize: PageSizeParam = None,
    offset: OffsetParam = None,
    page: PageParam = None,
    expand: str | None = Query(None, description="e.g. author,categories,author.company"),
    fields: str | None = Query(None, description="Fields to return"),
) -> DocumentList | Response:
    size, start = page_window(
        limit=limit if limit is not None else pageSize, offset=offset, page=page
    )
    sorting = SortParams(sort, orderBy, order, sortBy, sortDir)
    query = DocumentQuery(
        perspective=perspective,
        type=type,
        statuses=parse_statuses(status),
        filters=parse_filters(request.query_params.multi_items()),
        sort=sorting.resolve(DEFAULT_SORT[0].field, DEFAULT_SORT[0].descending),
        limit=size,
        offset=start,
        search=q,
        expand=parse_list(expand),
        fields=parse_list(fields) or None,
    )

    def build() -> DocumentList:
        result = queries.list_documents(services.read_uow(), actor, query)
        return DocumentList.of(result, query.expand, query.fields, media_renderer(services))

    if (perspective or default_perspective(actor)) is not Perspective.PUBLISHED:
        return await run_in_threadpool(build)
    generation = delivery.published_generation(services.freshness, actor)
    return await published_answer(
        request,
        services.delivery,
        actor,
        generation,
        lambda: (build().model_dump_json(by_alias=True).encode(), None),
    )


@router.post(
    "",
    response_model=DocumentWriteResponse,
    status_code=201,
    summary="Create a document",
    responses=BLOCKS_INVALID_RESPONSE,
)
def create_document(
    body: DocumentBody,
    response: Response,
    actor: CurrentActor,
    services: Services,
    idempotency_key: IdempotencyKey = None,
) -> object:
    def run() -> DocumentWriteResponse:
        with body.names_as_sent():
            write = documents.create_document(
                services.uow(), services.clock, actor, body.to_input()
            )
        return DocumentWriteResponse.of(write)

    result = replay_or_run(services, actor, idempotency_key, body, 201, run)
    if isinstance(result, DocumentWriteResponse):
        response.headers["ETag"] = etag(result.document.version)
    return result


@router.get("/{document_id}", response_model=DocumentResponse, summary="Get a document")
async def get_document(
    document_id: DocumentIdPath,
    request: Request,
    response: Response,
    actor: CurrentActor,
    services: Services,
    perspective: PerspectiveParam = None,
    expand: str | None = Query(None, description="References to inline"),
) -> DocumentResponse | Response:
    paths = parse_list(expand)

    def build() -> tuple[DocumentResponse, str]:
        document, expanded = queries.get_expanded(
            services.read_uow(), actor, document_id, perspective, paths
        )
        out = DocumentOut.of(document, expanded, paths, media_renderer(services))
        return DocumentResponse(document=out), etag(document.version)

    if (perspective or default_perspective(actor)) is not Perspective.PUBLISHED:
        answer, tag = await run_in_threadpool(build)
        response.headers["ETag"] = tag
        return answer
    generation = delivery.published_generation(services.freshness, actor)

    def serialised() -> tuple[bytes, str]:
        answer, tag = build()
        return answer.model_dump_json(by_alias=True).encode(), tag

    return await published_answer(request, services.delivery, actor, generation, serialised)


@router.patch(
    "/{document_id}",
    response_model=DocumentWriteResponse,
    summary="Edit a document",
    responses=BLOCKS_INVALID_RESPONSE,
)
def update_document(
    document_id: DocumentIdPath,
    body: DocumentBody,
    response: Response,
    actor: CurrentActor,
    services: Services,
    if_match: IfMatch = None,
) -> DocumentWriteResponse:
    with body.names_as_sent():
        write = documents.update_document(
            services.uow(),
            services.clock,
            actor,
            document_id,
            body.to_input(),
            expected_version=expected_version(if_match, body.version),
        )
    response.headers["ETag"] = etag(write.document.version)
    return DocumentWriteResponse.of(write)


@router.delete(
    "/{document_id}",
    response_model=ArchivedResponse | DeletedResponse,
    summary="Archive a document (soft delete), or delete it for good with ?permanent=1",
)
def delete_document(
    document_id: DocumentIdPath,
    actor: CurrentActor,
    services: Services,
    permanent: str | None = flag_query("Delete for good instead of archiving"),
) -> ArchivedResponse | DeletedResponse:
    is_permanent = parse_flag(permanent, "permanent")
    archived = documents.delete_document(
        services.uow(), services.clock, actor, document_id, permanent=is_permanent
    )
    if archived is None:
        return DeletedResponse(ok=True, deleted=True)
    return ArchivedResponse(ok=True, document=DocumentOut.of(archived))


# --- revisions --------------------------------------------------------------------------------


@router.get("/{document_id}/revisions", response_model=RevisionList, summary="List revisions")
def list_revisions(
    document_id: DocumentIdPath,
    actor: CurrentActor,
    services: Services,
    limit: PageSizeParam = None,
    offset: OffsetParam = None,
    page: PageParam = None,
) -> RevisionList:
    size, start = page_window(limit=limit, offset=offset, page=page)
    result = revisions.list_revisions(
        services.read_uow(), actor, document_id, limit=size, offset=start
    )
    return RevisionList(
        items=[RevisionOut.of(r) for r in result.items],
        pagination=Pagination.of(result.total, result.limit, result.offset),
    )


@router.post(
    "/{document_id}/revisions",
    response_model=RevisionResponse,
    status_code=201,
    summary="Record an explicit snapshot",
)
def create_revision(
    document_id: DocumentIdPath,
    actor: CurrentActor,
    services: Services,
    body: RevisionBody | None = None,
) -> RevisionResponse:
    revision = revisions.create_snapshot(
        services.uow(), services.clock, actor, document_id, body.message if body else None
    )
    return RevisionResponse(revision=RevisionOut.of(revision))


@router.get(
    "/{document_id}/revisions/{number}", response_model=RevisionResponse, summary="Get a revision"
)
def get_revision(
    document_id: DocumentIdPath, number: RevisionNumber, actor: CurrentActor, services: Services
) -> RevisionResponse:
    revision = revisions.get_revision(services.read_uow(), actor, document_id, number)
    return RevisionResponse(revision=RevisionOut.of(revision))


@router.post(
    "/{document_id}/revisions/{number}/restore",
    response_model=DocumentWriteResponse,
    summary="Restore a revision (appends a new revision with its content)",
)
def restore_revision(
    document_id: DocumentIdPath,
    number: RevisionNumber,
    response: Response,
    actor: CurrentActor,
    services: Services,
    if_match: IfMatch = None,
) -> DocumentWriteResponse:
    write = revisions.restore_revision(
        services.uow(),
        services.clock,
        actor,
        document_id,
        number,
        expected_version=expected_version(if_match, None),
    )
    response.headers["ETag"] = etag(write.document.version)
    return DocumentWriteResponse.of(write)


@router.get(
    "/{document_id}/revisions/{a}/diff/{b}",
    response_model=DiffResponse,
    summary="Field-by-field changes between two revisions",
)
def diff_revisions(
    document_id: DocumentIdPath,
    a: RevisionNumber,
    b: RevisionNumber,
    actor: CurrentActor,
    services: Services,
) -> DiffResponse:
    changes = revisions.diff_revisions(services.read_uow(), actor, document_id, a, b)
    return DiffResponse(from_=a, to=b, changes=[FieldChangeOut.of(c) for c in changes])


# --- workflow ---------------------------------------------------------------------------------


def _act(
    services: Services,
    actor: CurrentActor,
    document_id: UUID,
    action: Action,
    response: Response,
    if_match: str | None,
    reason: str | None = None,
) -> DocumentResponse:
    document = workflow.act(
        services.uow(),
        services.clock,
        actor,
        document_id,
        action,
        reason=reason,
        expected_version=expected_version(if_match, None),
    )
    response.headers["ETag"] = etag(document.version)
    return DocumentResponse(document=DocumentOut.of(document))


def _register_action(action: Action, summary: str) -> None:
    def handler(
        document_id: DocumentIdPath,
        response: Response,
        actor: CurrentActor,
        services: Services,
        if_match: IfMatch = None,
    ) -> DocumentResponse:
        return _act(services, actor, document_id, action, response, if_match)

    handler.__name__ = f"{action.value}_document"
    router.post(
        f"/{{document_id}}/{action.value}", response_model=DocumentResponse, summary=summary
    )(handler)


_register_action(Action.SUBMIT, "Submit a draft for review (draft → in_review)")
_register_action(Action.APPROVE, "Approve a document in review; never by its submitter")
_register_action(Action.PUBLISH, "Publish (approved, or draft where review is not required)")
_register_action(Action.UNPUBLISH, "Withdraw from the published set (→ draft)")
_register_action(Action.ARCHIVE, "Archive (soft delete; hidden from lists, restorable)")
_register_action(Action.RESTORE, "Restore an archived document (→ draft)")


@router.post(
    "/{document_id}/reject",
    response_model=DocumentResponse,
    summary="Reject a document in review (→ draft), with a reason",
)
def reject_document(
    document_id: DocumentIdPath,
    response: Response,
    actor: CurrentActor,
    services: Services,
    body: RejectBody | None = None,
    if_match: IfMatch = None,
) -> DocumentResponse:
    reason = body.reason if body else None
    return _act(services, actor, document_id, Action.REJECT, response, if_match, reason)


@router.get(
    "/{document_id}/history", response_model=HistoryResponse, summary="Workflow transitions"
)
def document_history(
    document_id: DocumentIdPath, actor: CurrentActor, services: Services
) -> HistoryResponse:
    records = workflow.history(services.read_uow(), actor, document_id)
    return HistoryResponse(items=[TransitionOut.of(r) for r in records])
