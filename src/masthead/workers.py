"""Where jobs run: the server's embedded worker, and ``masthead worker`` processes.

Both build the same ``JobRunner`` over the same tables; only the loop around it differs.
"""

from __future__ import annotations

import logging
import signal
import threading
from datetime import timedelta

from masthead.core.blobs import BlobStore
from masthead.core.jobs import JobKind
from masthead.core.media import MediaUrls
from masthead.core.ports import Clock
from masthead.core.services.job_runner import JobContext, JobRunner
from masthead.core.services.publishing import run_document_publish
from masthead.core.services.release_builder import PublishDeps, build_release
from masthead.settings import Settings
from masthead.storage.uow import Database

log = logging.getLogger("masthead.worker")


def publish_deps(
    settings: Settings, database: Database, clock: Clock, blobs: BlobStore, urls: MediaUrls
) -> PublishDeps:
    return PublishDeps(
        uow=database.uow,
        read_uow=database.read_uow,
        clock=clock,
        blobs=blobs,
        media_urls=urls,
        site_url=settings.effective_site_url,
        templates_dir=settings.templates_dir,
    )


def build_runner(settings: Settings, deps: PublishDeps) -> JobRunner:
    def publish(ctx: JobContext) -> None:
        build_release(ctx, deps)

    def publish_document(ctx: JobContext) -> None:
        run_document_publish(ctx, deps.uow, deps.clock)

    return JobRunner(
        deps.uow,
        deps.clock,
        {JobKind.PUBLISH: publish, JobKind.PUBLISH_DOCUMENT: publish_document},
        lease=timedelta(seconds=settings.job_lease_seconds),
    )


class EmbeddedWorker:
    """Runs jobs on a thread of the server process. ``kick`` after queueing a job: a thread
    drains the due jobs and ends; ``start`` (at server start-up) also polls, for scheduled
    jobs and retries."""

    def __init__(self, runner: JobRunner, poll_seconds: float):
        self.runner = runner
        self._poll = poll_seconds
        self._lock = threading.Lock()
        self._pending = False
        self._draining: threading.Thread | None = None
        self._stop = threading.Event()
        self._poller: threading.Thread | None = None

    def kick(self) -> None:
        with self._lock:
            self._pending = True
            if self._draining is None:
                self._draining = threading.Thread(
                    target=self._drain, name="masthead-jobs", daemon=True
                )
                self._draining.start()

    def _drain(self) -> None:
        while True:
            with self._lock:
                if not self._pending or self._stop.is_set():
                    self._draining = None
                    return
                self._pending = False
            try:
                self.runner.drain()
            except Exception:  # the database is away: the next kick or poll tries again
                log.exception("running jobs failed")

    def start(self) -> None:
        def poll() -> None:
            while not self._stop.wait(self._poll):
                self.kick()

        self._poller = threading.Thread(target=poll, name="masthead-jobs-poll", daemon=True)
        self._poller.start()
        self.kick()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        for thread in (self._poller, self._draining):
            if thread is not None:
                thread.join(timeout)


def run_worker_process(runner: JobRunner, poll_seconds: float) -> None:
    """``masthead worker``: run jobs until SIGTERM or SIGINT, finishing the job in hand."""
    stop = threading.Event()
    wake = threading.Event()

    def request_stop(signum: int, _frame: object) -> None:
        log.info("signal %s: stopping after the current job", signum)
        stop.set()
        wake.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    log.info("worker %s started", runner.owner)
    runner.run_forever(stop, poll_seconds, wake)
    log.info("worker %s stopped", runner.owner)
