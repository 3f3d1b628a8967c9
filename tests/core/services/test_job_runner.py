"""The job queue and runner on both databases: a job runs once and records its result; a
job that raises is retried after a delay and fails for good after its third attempt; a job
whose worker stopped (its lease lapsed) is taken over, and the old worker can no longer
complete it; jobs of the future wait for their time."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from masthead.core.jobs import MAX_ATTEMPTS, JobKind, JobStatus, LeaseLost, PublishJobNotFound
from masthead.core.models import Actor
from masthead.core.services import publishing
from masthead.core.services.job_runner import JobContext, JobRunner
from masthead.storage.uow import Database
from tests.conftest import FakeClock

LEASE = timedelta(seconds=30)


def _runner(db: Database, clock: FakeClock, handler: Any, owner: str = "w1") -> JobRunner:
    return JobRunner(db.uow, clock, {JobKind.PUBLISH: handler}, owner=owner, lease=LEASE)


def _job(db: Database, admin: Actor, job_id: Any) -> Any:
    return publishing.get_job(db.read_uow(), admin, job_id)


def test_a_job_runs_once_and_keeps_its_result(db: Database, clock: FakeClock, admin: Actor) -> None:
    runs: list[str] = []

    def handler(ctx: JobContext) -> dict[str, Any]:
        runs.append(str(ctx.job.id))
        ctx.report(3, 3)
        return {"answer": 42}

    job = publishing.request_publish(db.uow(), clock, admin)
    assert job.status is JobStatus.QUEUED
    runner = _runner(db, clock, handler)
    assert runner.drain() == 1
    assert runner.drain() == 0  # nothing left: it never runs twice
    done = _job(db, admin, job.id)
    assert runs == [str(job.id)]
    assert done.status is JobStatus.COMPLETED
    assert done.result == {"answer": 42}
    assert (done.attempts, done.progress_done, done.progress_total) == (1, 3, 3)
    assert done.lease_owner is None
    assert done.finished_at == clock.now


def test_a_failing_job_is_retried_after_a_delay_then_fails_with_its_error(
    db: Database, clock: FakeClock, admin: Actor
) -> None:
    calls: list[int] = []

    def handler(ctx: JobContext) -> None:
        calls.append(ctx.job.attempts)
        raise RuntimeError(f"boom {ctx.job.attempts}: password=hunter2")

    job = publishing.request_publish(db.uow(), clock, admin)
    runner = _runner(db, clock, handler)
    runner.drain()
    waiting = _job(db, admin, job.id)
    assert waiting.status is JobStatus.QUEUED
    assert waiting.error == "unexpected RuntimeError (the worker's log has the details)"
    assert waiting.run_at > clock.now
    assert runner.drain() == 0  # not before its retry time
    for _ in range(MAX_ATTEMPTS):
        clock.advance(120)
        runner.drain()
    failed = _job(db, admin, job.id)
    assert calls == [1, 2, 3]
    assert failed.status is JobStatus.FAILED
    assert failed.attempts == MAX_ATTEMPTS
    assert failed.error == "unexpected RuntimeError (the worker's log has the details)"


def test_a_job_whose_worker_stopped_is_taken_over_after_its_lease(
    db: Database, clock: FakeClock, admin: Actor
) -> None:
    job = publishing.request_publish(db.uow(), clock, admin)
    first = _runner(db, clock, lambda ctx: {"by": "first"}, owner="first")
    claimed = first.claim()  # claimed, then the worker "dies" without running it
    assert claimed is not None
    assert claimed.id == job.id

    second = _runner(db, clock, lambda ctx: {"by": "second"}, owner="second")
    assert second.claim() is None  # the lease still holds
    clock.advance(LEASE.total_seconds() + 1)
    assert second.drain() == 1
    done = _job(db, admin, job.id)
    assert done.status is JobStatus.COMPLETED
    assert done.result == {"by": "second"}
    assert done.attempts == 2

    # The first worker comes back to life: its lease is gone, so its work cannot commit.
    context = JobContext(claimed, "first", clock)
    with db.uow() as uow, pytest.raises(LeaseLost):
        context.complete(uow, {"by": "first"})
    assert _job(db, admin, job.id).result == {"by": "second"}


def test_a_job_that_loses_its_worker_on_every_attempt_fails(
    db: Database, clock: FakeClock, admin: Actor
) -> None:
    job = publishing.request_publish(db.uow(), clock, admin)
    for number in range(MAX_ATTEMPTS):
        runner = _runner(db, clock, lambda ctx: {}, owner=f"dies-{number}")
        assert runner.claim() is not None
        clock.advance(LEASE.total_seconds() + 1)
    assert _runner(db, clock, lambda ctx: {}, owner="last").claim() is None
    failed = _job(db, admin, job.id)
    assert failed.status is JobStatus.FAILED
    assert failed.attempts == MAX_ATTEMPTS
    assert failed.error is not None
    assert "no attempts left" in failed.error


def test_a_scheduled_job_waits_for_its_time(db: Database, clock: FakeClock, admin: Actor) -> None:
    ran: list[bool] = []
    job = publishing.request_publish(db.uow(), clock, admin, at=clock.now + timedelta(hours=1))
    runner = _runner(db, clock, lambda ctx: ran.append(True) or {})
    assert runner.drain() == 0
    clock.advance(3600)
    assert runner.drain() == 1
    assert ran == [True]
    assert _job(db, admin, job.id).status is JobStatus.COMPLETED


def test_a_lease_lost_while_running_rolls_the_work_back(
    db: Database, clock: FakeClock, admin: Actor
) -> None:
    """The handler's last transaction completes the job; when another worker took the job
    meanwhile, that transaction (the job's work) rolls back and nothing is recorded."""
    job = publishing.request_publish(db.uow(), clock, admin)

    def slow_handler(ctx: JobContext) -> None:
        clock.advance(LEASE.total_seconds() + 1)
        _runner(db, clock, lambda c: {"by": "thief"}, owner="thief").drain()
        with db.uow() as uow:
            ctx.complete(uow, {"by": "slow"})
            uow.commit()

    _runner(db, clock, slow_handler, owner="slow").drain()
    done = _job(db, admin, job.id)
    assert done.status is JobStatus.COMPLETED
    assert done.result == {"by": "thief"}


def test_jobs_belong_to_their_space(
    db: Database, clock: FakeClock, admin: Actor, outsider: Actor
) -> None:
    job = publishing.request_publish(db.uow(), clock, admin)
    with pytest.raises(PublishJobNotFound):
        publishing.get_job(db.read_uow(), outsider, job.id)


def test_viewers_cannot_publish(db: Database, clock: FakeClock, viewer: Actor) -> None:
    from masthead.core.errors import Forbidden

    with pytest.raises(Forbidden):
        publishing.request_publish(db.uow(), clock, viewer)


def test_a_job_keeps_the_message_of_our_own_errors(
    db: Database, clock: FakeClock, admin: Actor
) -> None:
    from masthead.core.errors import Invalid

    def handler(ctx: JobContext) -> None:
        raise Invalid("The template 'post.html' is missing a block")

    job = publishing.request_publish(db.uow(), clock, admin)
    _runner(db, clock, handler).drain()
    assert _job(db, admin, job.id).error == "The template 'post.html' is missing a block"
