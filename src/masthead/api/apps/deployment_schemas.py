"""The apps API's deployment shapes (the Deployments API, designed in ``docs/apps-api.md``).

A deployment is a publish job of the app, shown in the document's style (snake_case keys,
no wrapper): its id is the job's, its status the job's state in deployment words, and
``release`` the release it built, once built. Nothing here decides anything: the job and
the release are the core's.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import AliasChoices, Field, StrictBool

from masthead.api.wire import WireModel
from masthead.core.jobs import Job, JobStatus

DeploymentStatus = Literal["queued", "building", "ready", "failed"]

STATUSES: dict[JobStatus, DeploymentStatus] = {
    JobStatus.QUEUED: "queued",
    JobStatus.RUNNING: "building",
    JobStatus.COMPLETED: "ready",
    JobStatus.FAILED: "failed",
}


class DeployBody(WireModel):
    """Every key is optional; no body at all is ``{}``."""

    activate: StrictBool = Field(
        True,
        description="Make the release live when it is built (default). false: build it "
        "only (the app's first release goes live all the same)",
    )
    publish_drafts: StrictBool = Field(
        False,
        validation_alias=AliasChoices("publish_drafts", "publishDrafts"),
        description="First publish every draft entry of schemas without a review workflow. "
        "Default false: a deployment ships the entries published with `/publish`, so a "
        "draft or an unpublished entry stays out",
    )


class ReleaseRef(WireModel):
    id: UUID = Field(description="The release's id (as /v1/releases shows it)")
    hash: str = Field(description="SHA-256 of the release's manifest: same content, same hash")
    active: bool = Field(description="Whether this release is the app's live one now")


class DeploymentProgress(WireModel):
    done: int
    total: int


class DeploymentOut(WireModel):
    id: UUID = Field(description="The deployment's id (its publish job's)")
    status: DeploymentStatus = Field(
        description="queued, building, ready (its release is built) or failed"
    )
    activate: bool = Field(description="Whether it was asked to go live once built")
    publish_drafts: bool = Field(description="Whether it publishes draft entries first")
    release: ReleaseRef | None = Field(description="The release it built; null until ready")
    unchanged: bool | None = Field(
        description="Whether the release has the same hash as the one before it; null until ready"
    )
    progress: DeploymentProgress
    error: str | None = Field(description="Why it failed (or why an attempt was retried)")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @classmethod
    def of(cls, job: Job, active_release_id: UUID | None) -> DeploymentOut:
        result = job.result or {}
        release_id = result.get("releaseId")
        release = None
        if job.status is JobStatus.COMPLETED and release_id:
            release = ReleaseRef(
                id=UUID(release_id),
                hash=result["hash"],
                active=UUID(release_id) == active_release_id,
            )
        return cls(
            id=job.id,
            status=STATUSES[job.status],
            activate=bool(job.payload.get("activate")),
            publish_drafts=bool(job.payload.get("publishDrafts", True)),
            release=release,
            unchanged=result.get("unchanged") if release else None,
            progress=DeploymentProgress(done=job.progress_done, total=job.progress_total),
            error=job.error,
            created_at=job.created_at,
            started_at=job.started_at,
            finished_at=job.finished_at,
        )
