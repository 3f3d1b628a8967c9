"""Releases: immutable, content-addressed snapshots of a space's published site.

A release is a manifest (every file's path and SHA-256: one JSON per document, one HTML per
route, list pages, feeds, the sitemap) whose own SHA-256 is the release's ``hash``. The
files are blobs in the blob store, so a file that did not change between two releases is
stored once, and a CDN or static host can serve a release as it is (``masthead releases
export``). Exactly one release per space is active: activation swaps one pointer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from masthead.core.errors import Conflict, NotFound

MANIFEST_FORMAT = 1


class ReleaseNotFound(NotFound):
    default_message = "Release not found"


class ReleaseNotActive(NotFound):
    default_message = "No release is active in this space: publish one first"


class ReleaseRouteNotFound(NotFound):
    default_message = "No such route in the active release"


class ReleaseFileMissing(Conflict):
    default_message = "A file of this release is missing from the blob store"


@dataclass(frozen=True)
class ReleaseFile:
    path: str  # "index.html", "blog/hello/index.html", "documents/<id>.json", "sitemap.xml"
    sha256: str
    size: int
    content_type: str


@dataclass(frozen=True)
class ReleaseRoute:
    path: str  # the URL path: "/blog/hello"
    document_id: UUID | None  # None for list pages
    sha256: str  # the HTML blob


@dataclass(frozen=True)
class Release:
    id: UUID
    space_id: UUID
    number: int  # 1, 2, 3... within the space
    job_id: UUID | None
    hash: str
    manifest_sha256: str
    document_count: int
    route_count: int
    file_count: int
    total_bytes: int
    created_by: str | None
    created_at: datetime


@dataclass(frozen=True)
class ActiveRelease:
    release: Release
    activated_at: datetime
    activated_by: str | None


def file_for_route(route: str) -> str:
    """The static-host file of a route: ``/blog/x`` → ``blog/x/index.html``, ``/`` →
    ``index.html``; routes that already end in a file name keep it."""
    trimmed = route.strip("/")
    if not trimmed:
        return "index.html"
    last = trimmed.rsplit("/", 1)[-1]
    if "." in last:
        return trimmed
    return f"{trimmed}/index.html"
