"""Background jobs: what a job is, its states and the rules of its lease.

A job is a row of our own ``jobs`` table (what ``GET /v1/publish/:jobId`` shows). A worker
claims one with a lease, renews the lease while it works and writes the job's end under the
same lease: a worker that lost its lease (it stalled, or died and was taken over) can no
longer complete the job, so a job's work commits once. A job whose lease lapses is claimed
again; after ``max_attempts`` claims it fails for good.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from masthead.core.errors import NotFound

MAX_ATTEMPTS = 3
DEFAULT_LEASE = timedelta(seconds=30)


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"

    @property
    def finished(self) -> bool:
        return self in {JobStatus.COMPLETED, JobStatus.FAILED}


class JobKind(enum.StrEnum):
    PUBLISH = "publish"  # build a release of a space (and activate it when asked)
    PUBLISH_DOCUMENT = "publish_document"  # a document's scheduled publish (publishAt)


class PublishJobNotFound(NotFound):
    default_message = "Publish job not found"


class LeaseLost(Exception):
    """This worker no longer holds the job's lease: its work must not be committed."""


@dataclass(frozen=True)
class Job:
    id: UUID
    space_id: UUID
    kind: JobKind
    status: JobStatus
    payload: dict[str, Any]
    run_at: datetime
    created_at: datetime
    updated_at: datetime
    attempts: int = 0
    max_attempts: int = MAX_ATTEMPTS
    lease_owner: str | None = None
    lease_expires_at: datetime | None = None
    progress_done: int = 0
    progress_total: int = 0
    result: dict[str, Any] | None = None
    error: str | None = None
    created_by: str | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None


@dataclass
class Progress:
    """What a running job has done so far; the heartbeat writes it with the lease."""

    done: int = 0
    total: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def retry_delay(attempts: int) -> timedelta:
    """How long a job that raised waits before its next attempt: 2 s, 8 s, 32 s, ..."""
    return timedelta(seconds=2 * 4 ** max(0, attempts - 1))
