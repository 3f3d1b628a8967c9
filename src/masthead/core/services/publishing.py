"""Publishing a site: queue publish jobs, list and activate releases, read routes.

Editors and admins publish (``Permission.PUBLISH``) and activate; every member reads jobs,
releases and the active release's routes. The build itself is ``release_builder``; the job
machinery ``job_runner``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from uuid import UUID, uuid4

import orjson

from masthead.core import access
from masthead.core.access import Permission
from masthead.core.blobs import BlobNotFound, BlobStore
from masthead.core.errors import ErrorKind, FieldError, Invalid
from masthead.core.jobs import MAX_ATTEMPTS, Job, JobKind, JobStatus
from masthead.core.models import Actor
from masthead.core.ports import Clock, UnitOfWork, UnitOfWorkFactory
from masthead.core.releases import (
    ActiveRelease,
    Release,
    ReleaseFileMissing,
    ReleaseNotActive,
    ReleaseRoute,
    ReleaseRouteNotFound,
)
from masthead.core.services.job_runner import JobContext
from masthead.core.services.site_pages import safe_route
from masthead.core.services.workflow import apply_action
from masthead.core.workflow import Action

MAX_SCHEDULE_AHEAD = timedelta(days=366 * 5)
MAX_RELEASES_PAGE = 100


def actor_key(actor: Actor) -> str | None:
    """Who asked, as jobs and releases record it: the user or API token id."""
    if actor.user_id is not None:
        return str(actor.user_id)
    if actor.api_token_id is not None:
        return f"token:{actor.api_token_id}"
    return actor.username


def request_publish(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    *,
    at: datetime | None = None,
    activate: bool = False,
    publish_drafts: bool = True,
) -> Job:
    """Queue a publish job of the actor's space, to run now or at ``at``.
    Raises AuthRequired, Forbidden, Invalid (``at`` too far ahead)."""
    access.require(actor, Permission.PUBLISH)
    now = clock()
    if at is not None:
        _check_schedule(now, at)
    job = Job(
        id=uuid4(),
        space_id=actor.space_id,
        kind=JobKind.PUBLISH,
        status=JobStatus.QUEUED,
        payload={
            "actor": actor.model_dump(mode="json"),
            "activate": activate,
            "publishDrafts": publish_drafts,
        },
        run_at=max(at, now) if at is not None else now,
        created_at=now,
        updated_at=now,
        max_attempts=MAX_ATTEMPTS,
        created_by=actor_key(actor),
    )
    with uow:
        uow.jobs.add(job)
        uow.commit()
    return job


def schedule_document_publish(
    uow: UnitOfWork, clock: Clock, actor: Actor, document_id: UUID, at: datetime
) -> Job:
    """Queue the publish of one document at ``at`` (a per-document ``publishAt``), on the
    same job machinery as site publishes. Raises AuthRequired, Forbidden, DocumentNotFound,
    Invalid (``at`` too far ahead)."""
    access.require(actor, Permission.PUBLISH)
    now = clock()
    _check_schedule(now, at)
    job = Job(
        id=uuid4(),
        space_id=actor.space_id,
        kind=JobKind.PUBLISH_DOCUMENT,
        status=JobStatus.QUEUED,
        payload={"actor": actor.model_dump(mode="json"), "documentId": str(document_id)},
        run_at=max(at, now),
        created_at=now,
        updated_at=now,
        max_attempts=MAX_ATTEMPTS,
        created_by=actor_key(actor),
    )
    with uow:
        uow.documents.get(actor.space_id, document_id)
        uow.jobs.add(job)
        uow.commit()
    return job


def run_document_publish(ctx: JobContext, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
    """The handler of a scheduled document publish: publish it as the actor who scheduled
    it (rights checked again now); a document already published as it is counts as done."""
    job = ctx.job
    actor = Actor.model_validate(job.payload["actor"])
    document_id = UUID(job.payload["documentId"])
    with uow_factory() as uow:
        document = uow.documents.get(actor.space_id, document_id, for_update=True)
        already = document.is_published and document.published_revision == document.revision
        if not already:
            document = apply_action(uow, clock, actor, document, None, Action.PUBLISH, None)
        ctx.complete(
            uow,
            {
                "documentId": str(document_id),
                "publishedRevision": document.published_revision,
                "alreadyPublished": already,
            },
        )
        uow.commit()


def _check_schedule(now: datetime, at: datetime) -> None:
    if at - now > MAX_SCHEDULE_AHEAD:
        raise Invalid(
            "A publish can be scheduled at most five years ahead",
            details=[FieldError("at", "at most five years ahead", ErrorKind.MAXIMUM)],
        )


def get_job(uow: UnitOfWork, actor: Actor, job_id: UUID) -> Job:
    """Raises AuthRequired, Forbidden, PublishJobNotFound."""
    access.require(actor, Permission.READ)
    with uow:
        return uow.jobs.get(actor.space_id, job_id)


def list_jobs(
    uow: UnitOfWork,
    actor: Actor,
    limit: int = 50,
    offset: int = 0,
    kind: JobKind | None = None,
) -> list[Job]:
    """The space's jobs (of ``kind``, or all), newest first. Raises AuthRequired, Forbidden."""
    access.require(actor, Permission.READ)
    with uow:
        return uow.jobs.list(actor.space_id, min(limit, MAX_RELEASES_PAGE), offset, kind)


@dataclass(frozen=True)
class ReleaseList:
    items: list[Release]
    active: ActiveRelease | None


def list_releases(uow: UnitOfWork, actor: Actor, limit: int = 50, offset: int = 0) -> ReleaseList:
    """Newest first. Raises AuthRequired, Forbidden."""
    access.require(actor, Permission.READ)
    with uow:
        items = uow.releases.list(actor.space_id, min(limit, MAX_RELEASES_PAGE), offset)
        return ReleaseList(items=items, active=uow.releases.active(actor.space_id))


def activate_release(
    uow: UnitOfWork, clock: Clock, actor: Actor, release_id: UUID
) -> ActiveRelease:
    """Make ``release_id`` the space's active release (an older one: a rollback).
    Raises AuthRequired, Forbidden, ReleaseNotFound."""
    access.require(actor, Permission.PUBLISH)
    with uow:
        uow.releases.get(actor.space_id, release_id)
        uow.releases.activate(actor.space_id, release_id, clock(), actor_key(actor))
        active = uow.releases.active(actor.space_id)
        uow.commit()
    assert active is not None  # noqa: S101 - written just above, in this transaction
    return active


@dataclass(frozen=True)
class FoundRoute:
    route: ReleaseRoute
    release: Release

    @property
    def etag(self) -> str:
        """Changes exactly when what the route serves changes: its HTML, or the release."""
        return f'"{self.release.id.hex[:12]}-{self.route.sha256[:20]}"'


def find_route(uow: UnitOfWork, actor: Actor, route: str) -> FoundRoute:
    """The active release's ``route``: a path (``/blog/hello``, with or without its leading
    slash) or a document's id. Raises AuthRequired, Forbidden, ReleaseNotActive,
    ReleaseRouteNotFound."""
    access.require(actor, Permission.READ)
    with uow:
        active = uow.releases.active(actor.space_id)
        if active is None:
            raise ReleaseNotActive()
        found = _find_route(uow, active.release.id, route)
    if found is None:
        raise ReleaseRouteNotFound(f"No route '{route[:200]}' in release {active.release.id}")
    return FoundRoute(route=found, release=active.release)


class ReleaseFileCache:
    """Release files by SHA-256. A hash names its bytes for good, so nothing here is ever
    stale: no invalidation, only a bound on the bytes kept (least recently used go)."""

    def __init__(self, blobs: BlobStore, max_bytes: int = 16 * 1024 * 1024):
        self._blobs = blobs
        self._max = max_bytes
        self._files: OrderedDict[str, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def read(self, sha256: str) -> bytes:
        """Raises ReleaseFileMissing."""
        with self._lock:
            data = self._files.get(sha256)
            if data is not None:
                self._files.move_to_end(sha256)
                return data
        try:
            with self._blobs.open(sha256) as stream:
                data = stream.read()
        except BlobNotFound:
            raise ReleaseFileMissing() from None
        if len(data) <= self._max // 8:
            with self._lock:
                if sha256 not in self._files:
                    self._files[sha256] = data
                    self._size += len(data)
                while self._size > self._max:
                    _, dropped = self._files.popitem(last=False)
                    self._size -= len(dropped)
        return data


def _find_route(uow: UnitOfWork, release_id: UUID, route: str) -> ReleaseRoute | None:
    try:
        document_id = UUID(route)
    except ValueError:
        document_id = None
    if document_id is not None:
        found = uow.releases.find_document_route(release_id, document_id)
        if found is not None:
            return found
    path = safe_route(route if route.startswith("/") else f"/{route}")
    return uow.releases.find_route(release_id, path) if path else None


@dataclass(frozen=True)
class ReleaseFiles:
    release: Release
    files: dict[str, str]  # path in the release → SHA-256 of its blob


def release_files(
    uow: UnitOfWork, blobs: BlobStore, actor: Actor, release_id: UUID
) -> ReleaseFiles:
    """Every file of a release (from its manifest), for an export.
    Raises AuthRequired, Forbidden, ReleaseNotFound, ReleaseFileMissing."""
    access.require(actor, Permission.READ)
    with uow:
        release = uow.releases.get(actor.space_id, release_id)
    try:
        with blobs.open(release.manifest_sha256) as stream:
            manifest = orjson.loads(stream.read())
    except BlobNotFound:
        raise ReleaseFileMissing("The manifest of this release is missing") from None
    files = {str(path): str(sha) for path, sha in manifest.get("files", {}).items()}
    files["manifest.json"] = release.manifest_sha256
    return ReleaseFiles(release=release, files=files)


def export_path(root: Path, path: str) -> Path:
    """Where an export writes ``path`` under ``root``; refuses anything that would land
    outside it (manifests are ours, but an export must not trust a file name blindly)."""
    target = (root / path).resolve()
    if not path or path.startswith("/") or not target.is_relative_to(root.resolve()):
        raise Invalid(f"Refusing to export a file outside the target directory: {path[:200]}")
    return target
