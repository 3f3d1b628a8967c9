"""Native /v1 publishing: publish jobs, releases, the active release's routes, previews.

``POST /v1/publish`` queues a job and waits a bounded time for it (the embedded worker
starts it at once): 201 with the finished job, else 202 with the job still under way.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Body, Path, Query, Request, Response

from masthead.api.context import CurrentActor, Services
from masthead.api.delivery import published_answer
from masthead.api.ids import DocumentIdPath, JobIdPath, ReleaseIdPath
from masthead.api.jobs import publish_and_wait
from masthead.api.native.publishing_schemas import (
    ActivateResponse,
    ActiveOut,
    JobOut,
    JobResponse,
    PreviewResponse,
    PrivateRoute,
    PublishBody,
    ReleaseList,
    ReleaseOut,
    ScheduleBody,
)
from masthead.api.query_params import OffsetParam, PageParam, PageSizeParam, page_window
from masthead.core.access import Permission
from masthead.core.services import delivery, previews, publishing

router = APIRouter(tags=["publishing"])


@router.post(
    "/publish",
    response_model=JobResponse,
    status_code=201,
    summary="Publish the space: build a release",
    responses={202: {"model": JobResponse, "description": "Queued or still running"}},
)
async def publish(
    actor: CurrentActor,
    services: Services,
    response: Response,
    body: Annotated[PublishBody | None, Body()] = None,
) -> JobResponse:
    body = body or PublishBody()
    job = await publish_and_wait(
        services, actor, at=body.at, activate=body.activate, publish_drafts=body.publishDrafts
    )
    if not job.status.finished:
        response.status_code = 202
    return JobResponse(job=JobOut.of(job))


@router.post(
    "/documents/{document_id}/schedule",
    response_model=JobResponse,
    status_code=202,
    summary="Publish a document at a given time (a queued job)",
)
def schedule_document(
    document_id: DocumentIdPath, body: ScheduleBody, actor: CurrentActor, services: Services
) -> JobResponse:
    job = publishing.schedule_document_publish(
        services.uow(), services.clock, actor, document_id, body.publishAt
    )
    if services.worker is not None and job.run_at <= job.created_at:
        services.worker.kick()
    return JobResponse(job=JobOut.of(job))


@router.get("/publish/{job_id}", response_model=JobResponse, summary="A publish job")
def get_job(job_id: JobIdPath, actor: CurrentActor, services: Services) -> JobResponse:
    return JobResponse(job=JobOut.of(publishing.get_job(services.read_uow(), actor, job_id)))


@router.get("/releases", response_model=ReleaseList, summary="The space's releases, newest first")
def list_releases(
    actor: CurrentActor,
    services: Services,
    limit: PageSizeParam = None,
    pageSize: PageSizeParam = None,
    offset: OffsetParam = None,
    page: PageParam = None,
) -> ReleaseList:
    size, start = page_window(
        limit=limit if limit is not None else pageSize, offset=offset, page=page
    )
    found = publishing.list_releases(services.read_uow(), actor, size, start)
    active_id = found.active.release.id if found.active else None
    return ReleaseList(
        items=[ReleaseOut.of(r, active_id) for r in found.items],
        activeRelease=active_id,
        active=ActiveOut.of(found.active) if found.active else None,
    )


@router.post(
    "/releases/{release_id}/activate",
    response_model=ActivateResponse,
    summary="Activate a release (an older one: an instant rollback)",
)
def activate_release(
    release_id: ReleaseIdPath, actor: CurrentActor, services: Services
) -> ActivateResponse:
    active = publishing.activate_release(services.uow(), services.clock, actor, release_id)
    return ActivateResponse(activeRelease=active.release.id, active=ActiveOut.of(active))


@router.get(
    "/private/{route:path}",
    response_model=PrivateRoute,
    summary="A route of the active release, by its path or by a document id",
    responses={304: {"description": "Not modified (If-None-Match)"}},
)
async def private_route(
    route: Annotated[
        str, Path(description="A path (`blog/hello`, URL-encoded or not) or a document id")
    ],
    request: Request,
    actor: CurrentActor,
    services: Services,
) -> Response:
    # Looked up, never rendered per request, and kept by the space's publish generation
    # (an activation raises it): readers' own copies only (the route is for members),
    # revalidated each time, answered 304 until the active release or the route's HTML
    # changes.
    generation = delivery.routes_generation(services.freshness, actor)

    def build() -> tuple[bytes, str]:
        found = publishing.find_route(services.read_uow(), actor, route)
        html = services.release_files.read(found.route.sha256)
        body = PrivateRoute(
            route=found.route.path,
            html=html.decode("utf-8", "replace"),
            releaseId=found.release.id,
            documentId=found.route.document_id,
        )
        return body.model_dump_json().encode(), found.etag

    return await published_answer(
        request, services.delivery, actor, generation, build, permission=Permission.READ
    )


@router.get(
    "/preview/{document_id}",
    response_model=PreviewResponse,
    summary="A signed, expiring preview link of a document's working copy",
)
def preview_link(
    document_id: DocumentIdPath,
    actor: CurrentActor,
    services: Services,
    ttl: Annotated[
        int | None, Query(ge=60, le=7 * 24 * 3600, description="Seconds the link stays valid")
    ] = None,
) -> PreviewResponse:
    issued = previews.issue_preview(
        services.uow(),
        services.clock,
        actor,
        services.preview_signer,
        document_id,
        timedelta(seconds=ttl or services.settings.preview_ttl_seconds),
    )
    return PreviewResponse(
        previewUrl=issued.url, expiresAt=issued.expires_at, releaseLikeRef=issued.release_like_ref
    )
