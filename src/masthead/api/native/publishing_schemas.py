"""Wire models of /v1/publish, /v1/releases, /v1/private and /v1/preview."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import AwareDatetime, BeforeValidator, Field, StrictBool

from masthead.api.wire import WireModel
from masthead.core.jobs import Job
from masthead.core.releases import ActiveRelease, Release


def _iso_text(value: Any) -> Any:
    """Times arrive as ISO 8601 text, as documented: a number is not read as a timestamp."""
    if value is not None and not isinstance(value, str):
        raise ValueError("expected an ISO 8601 date-time string with an offset")
    return value


IsoTime = Annotated[AwareDatetime, BeforeValidator(_iso_text)]


class PublishBody(WireModel):
    """Every key is optional: clients of the contract send ``{}``."""

    at: IsoTime | None = Field(
        None, description="Run the publish at this time (ISO 8601 with an offset): 202, queued"
    )
    activate: StrictBool = Field(
        False, description="Activate the new release when it is built (the first always is)"
    )
    publishDrafts: StrictBool = Field(
        True,
        description="First publish the drafts of types whose workflow is `none`, as the "
        "contract's upstream does; false: release only what is already published",
    )


class ScheduleBody(WireModel):
    publishAt: IsoTime = Field(description="When to publish the document (ISO 8601 with an offset)")


class Progress(WireModel):
    done: int
    total: int


class JobOut(WireModel):
    id: UUID
    kind: str
    status: str = Field(description="queued, running, completed or failed")
    releaseId: UUID | None = Field(description="The release the job built (when completed)")
    hash: str | None = Field(
        None, description="That release's hash (the same content, the same hash)"
    )
    unchanged: bool | None = Field(
        None, description="True when the release has the same hash as the one before it"
    )
    activated: bool | None = None
    progress: Progress
    attempts: int
    maxAttempts: int
    error: str | None
    result: dict[str, Any] | None
    runAt: datetime
    createdAt: datetime
    startedAt: datetime | None
    finishedAt: datetime | None

    @classmethod
    def of(cls, job: Job) -> JobOut:
        result = job.result or {}
        release_id = result.get("releaseId")
        return cls(
            id=job.id,
            kind=job.kind.value,
            status=job.status.value,
            releaseId=UUID(release_id) if release_id else None,
            hash=result.get("hash"),
            unchanged=result.get("unchanged"),
            activated=result.get("activated"),
            progress=Progress(done=job.progress_done, total=job.progress_total),
            attempts=job.attempts,
            maxAttempts=job.max_attempts,
            error=job.error,
            result=job.result,
            runAt=job.run_at,
            createdAt=job.created_at,
            startedAt=job.started_at,
            finishedAt=job.finished_at,
        )


class JobResponse(WireModel):
    job: JobOut


class ReleaseOut(WireModel):
    id: UUID
    number: int = Field(description="1, 2, 3... within the space")
    hash: str = Field(description="SHA-256 of the release's manifest")
    jobId: UUID | None
    documentCount: int
    routeCount: int
    fileCount: int
    totalBytes: int
    createdAt: datetime
    active: bool

    @classmethod
    def of(cls, release: Release, active_id: UUID | None) -> ReleaseOut:
        return cls(
            id=release.id,
            number=release.number,
            hash=release.hash,
            jobId=release.job_id,
            documentCount=release.document_count,
            routeCount=release.route_count,
            fileCount=release.file_count,
            totalBytes=release.total_bytes,
            createdAt=release.created_at,
            active=release.id == active_id,
        )


class ActiveOut(WireModel):
    release: ReleaseOut
    activatedAt: datetime
    activatedBy: str | None

    @classmethod
    def of(cls, active: ActiveRelease) -> ActiveOut:
        return cls(
            release=ReleaseOut.of(active.release, active.release.id),
            activatedAt=active.activated_at,
            activatedBy=active.activated_by,
        )


class ReleaseList(WireModel):
    items: list[ReleaseOut]
    activeRelease: UUID | None = Field(description="The id of the space's active release")
    active: ActiveOut | None = Field(description="The active release and when it was activated")


class ActivateResponse(WireModel):
    activeRelease: UUID
    active: ActiveOut


class PrivateRoute(WireModel):
    route: str = Field(description="The route's path in the release")
    html: str
    releaseId: UUID
    documentId: UUID | None


class PreviewResponse(WireModel):
    previewUrl: str = Field(description="A path on this server, readable without a login")
    expiresAt: datetime
    releaseLikeRef: str = Field(description="Opaque")
