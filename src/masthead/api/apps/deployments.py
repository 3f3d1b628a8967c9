"""Apps ``/deployments``: the Deployments API the document names ("Publish / Unpublish ...
See Deployments API") but does not describe, designed in its conventions (bare arrays, bodies
without wrappers) over Masthead's publish jobs and releases.

A deployment is a publish job of the app: it builds a release (an immutable snapshot of the
app's published entries and the HTML of their routes) and makes it live unless the body says
``"activate": false``. ``POST`` waits a bounded time for it (the embedded worker starts it at
once), as ``POST /v1/publish`` does: 201 when it has finished, 202 while it is queued or
building. Reads are open to every member; deploying needs editor or above (the core's
publish permission). Shapes: ``deployment_schemas.py``.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Body, Depends, Path, Query, Response
from starlette.concurrency import run_in_threadpool

from masthead.api.apps.access import AppActor
from masthead.api.apps.content import PREFIX
from masthead.api.apps.deployment_schemas import DeployBody, DeploymentOut
from masthead.api.context import AppServices, Services
from masthead.api.ids import parse_id
from masthead.api.jobs import publish_and_wait
from masthead.core.jobs import Job, JobKind, PublishJobNotFound
from masthead.core.models import Actor
from masthead.core.paging import MAX_LIMIT, MAX_OFFSET
from masthead.core.services import publishing

router = APIRouter(prefix=PREFIX + "/{app_slug}/deployments", tags=["apps"])

NOT_FOUND = "Deployment not found"


async def deployment_id_from_path(
    deployment_id: Annotated[
        str,
        Path(description="The deployment's id (a UUID)", json_schema_extra={"format": "uuid"}),
    ],
) -> UUID:
    """Text that is not a UUID names no deployment: 404 as an unknown id (``api/ids.py``)."""
    return parse_id(deployment_id)


DeploymentIdPath = Annotated[UUID, Depends(deployment_id_from_path)]


def _is_deployment(job: Job) -> bool:
    """Site publishes are deployments; other jobs (a document's scheduled publish) are not."""
    return job.kind is JobKind.PUBLISH


def _active_release_id(services: AppServices, actor: Actor) -> UUID | None:
    active = publishing.list_releases(services.read_uow(), actor, limit=1).active
    return active.release.id if active else None


def _shape(services: AppServices, actor: Actor, jobs: list[Job]) -> list[DeploymentOut]:
    built = any(j.result for j in jobs)
    active_id = _active_release_id(services, actor) if built else None
    return [DeploymentOut.of(j, active_id) for j in jobs]


def _get_deployment(services: AppServices, actor: Actor, deployment_id: UUID) -> Job:
    """Raises PublishJobNotFound worded as this API words it (also for another app's)."""
    try:
        job = publishing.get_job(services.read_uow(), actor, deployment_id)
    except PublishJobNotFound:
        raise PublishJobNotFound(NOT_FOUND) from None
    if not _is_deployment(job):
        raise PublishJobNotFound(NOT_FOUND)
    return job


@router.get("", response_model=list[DeploymentOut], summary="List deployments (newest first)")
def list_deployments(
    actor: AppActor,
    services: Services,
    limit: int = Query(MAX_LIMIT, ge=1, le=MAX_LIMIT, description="At most this many"),
    offset: int = Query(0, ge=0, le=MAX_OFFSET, description="Deployments to skip"),
) -> list[DeploymentOut]:
    jobs = publishing.list_jobs(services.read_uow(), actor, limit, offset, JobKind.PUBLISH)
    return _shape(services, actor, jobs)


@router.post(
    "",
    response_model=DeploymentOut,
    status_code=201,
    summary="Deploy: build a release of the app and make it live",
    responses={202: {"model": DeploymentOut, "description": "Queued or still building"}},
)
async def create_deployment(
    actor: AppActor,
    services: Services,
    response: Response,
    body: Annotated[DeployBody | None, Body()] = None,
) -> DeploymentOut:
    body = body or DeployBody()
    job = await publish_and_wait(
        services, actor, activate=body.activate, publish_drafts=body.publish_drafts
    )
    if not job.status.finished:
        response.status_code = 202
    shaped = await run_in_threadpool(_shape, services, actor, [job])
    return shaped[0]


@router.get("/{deployment_id}", response_model=DeploymentOut, summary="Get a deployment")
def get_deployment(
    actor: AppActor, services: Services, deployment_id: DeploymentIdPath
) -> DeploymentOut:
    return _shape(services, actor, [_get_deployment(services, actor, deployment_id)])[0]
