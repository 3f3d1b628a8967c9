"""Waiting for a job within a request: what every dialect that queues publish jobs shares."""

from __future__ import annotations

import asyncio
from datetime import datetime

from starlette.concurrency import run_in_threadpool

from masthead.api.context import AppServices
from masthead.core.jobs import Job
from masthead.core.models import Actor
from masthead.core.services import publishing

FIRST_POLL = 0.02
MAX_POLL = 0.25


async def publish_and_wait(
    services: AppServices,
    actor: Actor,
    *,
    at: datetime | None = None,
    activate: bool = False,
    publish_drafts: bool = True,
) -> Job:
    """Queue a publish of the actor's space (``publishing.request_publish``) and wait for
    it as ``start_and_wait`` does: what every dialect's publish route does before shaping."""
    job = await run_in_threadpool(
        publishing.request_publish,
        services.uow(),
        services.clock,
        actor,
        at=at,
        activate=activate,
        publish_drafts=publish_drafts,
    )
    return await start_and_wait(services, actor, job)


async def start_and_wait(services: AppServices, actor: Actor, job: Job) -> Job:
    """Wake the embedded worker (if this process runs one) and poll ``job`` until it has
    finished or ``publish_wait_seconds`` have passed. Any worker, in any process, may be
    running it; a scheduled job (due later) is not waited for."""
    if services.worker is not None:
        services.worker.kick()
    if job.run_at > job.created_at:
        return job
    loop = asyncio.get_running_loop()
    deadline = loop.time() + services.settings.publish_wait_seconds
    delay = FIRST_POLL
    while not job.status.finished and loop.time() < deadline:
        await asyncio.sleep(min(delay, max(deadline - loop.time(), 0)))
        delay = min(delay * 2, MAX_POLL)
        job = await run_in_threadpool(publishing.get_job, services.read_uow(), actor, job.id)
    if job.status.finished:
        # A worker in another process may have run it: read the generations again, so the
        # caller's next read sees what the job published.
        services.freshness.changed()
    return job
