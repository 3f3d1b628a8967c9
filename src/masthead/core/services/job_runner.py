"""Runs jobs: claim one under a lease, keep the lease alive while it runs, record its end.

The same runner serves ``masthead worker`` processes and the server's embedded worker. A
handler does its work and, in the transaction that makes the work visible, calls
``JobContext.complete``: the job's end and its work then commit together, and only while
this worker still holds the lease (``LeaseLost`` rolls both back otherwise). A handler that
raises is retried after a delay until the job has used its attempts; a worker that dies
leaves its lease to lapse, and the next claim after that takes the job over.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

from jinja2 import TemplateError

from masthead.core.errors import MastheadError
from masthead.core.jobs import DEFAULT_LEASE, Job, JobKind, LeaseLost, Progress, retry_delay
from masthead.core.ports import Clock, UnitOfWork, UnitOfWorkFactory

log = logging.getLogger("masthead.jobs")

MAX_ERROR = 2000


def worker_name() -> str:
    """Unique per runner: host, process and a random part (a restarted process differs)."""
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class JobContext:
    """What a handler sees of its job: report progress, check the lease, complete."""

    def __init__(self, job: Job, owner: str, clock: Clock):
        self.job = job
        self.owner = owner
        self.progress = Progress()
        self.lost = threading.Event()
        self._clock = clock

    def report(self, done: int, total: int | None = None) -> None:
        self.progress.done = done
        if total is not None:
            self.progress.total = total

    def check(self) -> None:
        """Raise LeaseLost once the heartbeat found that another worker took the job."""
        if self.lost.is_set():
            raise LeaseLost()

    def complete(self, uow: UnitOfWork, result: dict[str, Any]) -> None:
        """Inside the handler's last transaction, before its commit: mark the job completed
        with ``result``. Raises LeaseLost (roll back) if this worker lost the lease."""
        if not uow.jobs.complete(
            self.job.id, self.owner, self._clock(), result, self.progress.done
        ):
            raise LeaseLost()


Handler = Callable[[JobContext], dict[str, Any] | None]


class JobRunner:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        handlers: Mapping[JobKind, Handler],
        *,
        owner: str | None = None,
        lease: timedelta = DEFAULT_LEASE,
    ):
        self._uow = uow_factory
        self._clock = clock
        self._handlers = handlers
        self.owner = owner or worker_name()
        self._lease = lease

    def claim(self) -> Job | None:
        with self._uow() as uow:
            now = self._clock()
            job = uow.jobs.claim(self.owner, now, now + self._lease)
            uow.commit()
        return job

    def run_next(self) -> Job | None:
        """Claim the next due job and run it; the job as claimed, or None if none was due."""
        job = self.claim()
        if job is not None:
            self.run(job)
        return job

    def drain(self, limit: int | None = None) -> int:
        """Run due jobs until none is left (or ``limit`` ran); how many ran."""
        count = 0
        while (limit is None or count < limit) and self.run_next() is not None:
            count += 1
        return count

    def run(self, job: Job) -> None:
        context = JobContext(job, self.owner, self._clock)
        stop_heartbeat = threading.Event()
        heartbeat = threading.Thread(
            target=self._heartbeat, args=(context, stop_heartbeat), daemon=True
        )
        heartbeat.start()
        try:
            handler = self._handlers[job.kind]
            result = handler(context)
            if result is not None:  # the handler left completion to the runner
                with self._uow() as uow:
                    context.complete(uow, result)
                    uow.commit()
        except LeaseLost:
            log.warning("job %s: lease lost to another worker; its work was rolled back", job.id)
        except Exception as exc:  # a job's failure is data, never a dead worker
            if not isinstance(exc, MastheadError):
                log.exception("job %s (%s) failed on attempt %s", job.id, job.kind, job.attempts)
            self._record_failure(job, _describe(exc))
        finally:
            stop_heartbeat.set()
            heartbeat.join()

    def _record_failure(self, job: Job, error: str) -> None:
        with self._uow() as uow:
            now = self._clock()
            status = uow.jobs.fail_attempt(
                job.id, self.owner, now, error, now + retry_delay(job.attempts)
            )
            uow.commit()
        log.info("job %s attempt %s failed (%s): %s", job.id, job.attempts, status, error)

    def _heartbeat(self, context: JobContext, stop: threading.Event) -> None:
        interval = max(self._lease.total_seconds() / 3, 0.05)
        while not stop.wait(interval):
            try:
                with self._uow() as uow:
                    now = self._clock()
                    held = uow.jobs.renew(
                        context.job.id,
                        self.owner,
                        now,
                        now + self._lease,
                        context.progress.done,
                        context.progress.total,
                    )
                    uow.commit()
            except Exception:  # a busy database: try again at the next beat
                log.exception("job %s: renewing the lease failed", context.job.id)
                continue
            if not held:
                context.lost.set()
                return

    def run_forever(self, stop: threading.Event, poll: float, wake: threading.Event) -> None:
        """Run jobs until ``stop`` is set; between jobs, sleep ``poll`` seconds or until
        ``wake`` is set (a job was just queued in this process)."""
        while not stop.is_set():
            try:
                ran = self.run_next()
            except Exception:  # the database is away: keep the worker alive and retry
                log.exception("claiming a job failed")
                ran = None
            if ran is None:
                wake.wait(poll)
                wake.clear()


def _describe(exc: BaseException) -> str:
    """What a job's readers may see of its error: our own errors' messages and template
    errors (the space's own templates); anything else only by its kind, because its text
    may carry SQL, paths or data (the worker's log has it all)."""
    if isinstance(exc, MastheadError):
        text = exc.message
    elif isinstance(exc, TemplateError):
        text = f"template error: {exc}"
    else:
        text = f"unexpected {type(exc).__name__} (the worker's log has the details)"
    return text[:MAX_ERROR]
