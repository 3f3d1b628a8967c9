"""The jobs table as a queue: claim with a lease, renew it, finish under it.

On PostgreSQL a claim locks the chosen row ``FOR UPDATE SKIP LOCKED``, so workers racing for
jobs each take a different one without waiting; on SQLite every write transaction is
``BEGIN IMMEDIATE`` (one writer at a time), which serialises claims the same way. Every
write after the claim names the lease owner, so a worker that lost its lease changes nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from masthead.core.jobs import Job, JobKind, JobStatus, PublishJobNotFound
from masthead.storage.tables import JobRow


def _job(row: JobRow) -> Job:
    return Job(
        id=row.id,
        space_id=row.space_id,
        kind=JobKind(row.kind),
        status=JobStatus(row.status),
        payload=row.payload,
        run_at=row.run_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
        attempts=row.attempts,
        max_attempts=row.max_attempts,
        lease_owner=row.lease_owner,
        lease_expires_at=row.lease_expires_at,
        progress_done=row.progress_done,
        progress_total=row.progress_total,
        result=row.result,
        error=row.error,
        created_by=row.created_by,
        started_at=row.started_at,
        finished_at=row.finished_at,
    )


class SqlJobRepository:
    def __init__(self, session: Session):
        self._session = session

    def add(self, job: Job) -> None:
        self._session.add(
            JobRow(
                id=job.id,
                space_id=job.space_id,
                kind=job.kind.value,
                status=job.status.value,
                payload=job.payload,
                run_at=job.run_at,
                attempts=job.attempts,
                max_attempts=job.max_attempts,
                lease_owner=None,
                lease_expires_at=None,
                progress_done=0,
                progress_total=0,
                result=None,
                error=None,
                created_by=job.created_by,
                created_at=job.created_at,
                started_at=None,
                finished_at=None,
                updated_at=job.updated_at,
            )
        )
        self._session.flush()

    def get(self, space_id: UUID, job_id: UUID) -> Job:
        row = self._session.get(JobRow, job_id, populate_existing=True)
        if row is None or row.space_id != space_id:
            raise PublishJobNotFound()
        return _job(row)

    def list(
        self, space_id: UUID, limit: int, offset: int = 0, kind: JobKind | None = None
    ) -> list[Job]:
        statement = select(JobRow).where(JobRow.space_id == space_id)
        if kind is not None:
            statement = statement.where(JobRow.kind == kind.value)
        rows = self._session.scalars(
            statement.order_by(JobRow.created_at.desc(), JobRow.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return [_job(r) for r in rows]

    def claim(self, owner: str, now: datetime, lease_until: datetime) -> Job | None:
        """Take the next due job (queued and due, or running with a lapsed lease): running,
        leased to ``owner``, one more attempt. A lapsed job out of attempts fails instead."""
        while True:
            row = self._session.scalars(
                select(JobRow)
                .where(
                    or_(
                        and_(JobRow.status == JobStatus.QUEUED.value, JobRow.run_at <= now),
                        and_(
                            JobRow.status == JobStatus.RUNNING.value,
                            JobRow.lease_expires_at < now,
                        ),
                    )
                )
                .order_by(JobRow.run_at, JobRow.id)
                .limit(1)
                .with_for_update(skip_locked=True)
                .execution_options(populate_existing=True)
            ).first()
            if row is None:
                return None
            if row.status == JobStatus.RUNNING.value and row.attempts >= row.max_attempts:
                # Its worker died holding it on the last attempt: nothing retries it again.
                self._finish_row(
                    row,
                    JobStatus.FAILED,
                    now,
                    error=f"{row.error or 'the worker stopped'}"
                    f" (attempt {row.attempts} of {row.max_attempts}; no attempts left)",
                )
                continue
            if row.status == JobStatus.RUNNING.value:
                row.error = f"the worker holding attempt {row.attempts} stopped; retried"
            row.status = JobStatus.RUNNING.value
            row.lease_owner = owner
            row.lease_expires_at = lease_until
            row.attempts += 1
            row.started_at = row.started_at or now
            row.updated_at = now
            self._session.flush()
            return _job(row)

    def _finish_row(
        self,
        row: JobRow,
        status: JobStatus,
        now: datetime,
        *,
        result: dict[str, Any] | None = None,
        error: str | None = None,
    ) -> None:
        row.status = status.value
        row.lease_owner = None
        row.lease_expires_at = None
        row.result = result
        row.error = error
        row.finished_at = now
        row.updated_at = now
        self._session.flush()

    def renew(
        self, job_id: UUID, owner: str, now: datetime, lease_until: datetime, done: int, total: int
    ) -> bool:
        """Extend the lease (and record progress) if ``owner`` still holds it."""
        result = self._session.execute(
            update(JobRow)
            .where(
                JobRow.id == job_id,
                JobRow.lease_owner == owner,
                JobRow.status == JobStatus.RUNNING.value,
            )
            .values(
                lease_expires_at=lease_until,
                progress_done=done,
                progress_total=total,
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def _owned(self, job_id: UUID, owner: str) -> JobRow | None:
        row = self._session.scalars(
            select(JobRow)
            .where(
                JobRow.id == job_id,
                JobRow.lease_owner == owner,
                JobRow.status == JobStatus.RUNNING.value,
            )
            .with_for_update()
            .execution_options(populate_existing=True)
        ).first()
        return row

    def complete(
        self, job_id: UUID, owner: str, now: datetime, result: dict[str, Any], done: int
    ) -> bool:
        """Mark the job completed if ``owner`` still holds its lease; False otherwise."""
        row = self._owned(job_id, owner)
        if row is None:
            return False
        row.progress_done = done
        row.progress_total = max(row.progress_total, done)
        self._finish_row(row, JobStatus.COMPLETED, now, result=result)
        return True

    def fail_attempt(
        self, job_id: UUID, owner: str, now: datetime, error: str, retry_at: datetime
    ) -> JobStatus | None:
        """An attempt raised: queue the job again at ``retry_at``, or fail it when it has no
        attempts left. None if ``owner`` no longer holds the lease."""
        row = self._owned(job_id, owner)
        if row is None:
            return None
        if row.attempts >= row.max_attempts:
            self._finish_row(row, JobStatus.FAILED, now, error=error)
            return JobStatus.FAILED
        row.status = JobStatus.QUEUED.value
        row.lease_owner = None
        row.lease_expires_at = None
        row.run_at = retry_at
        row.error = error
        row.updated_at = now
        self._session.flush()
        return JobStatus.QUEUED
