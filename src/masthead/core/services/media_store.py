"""The machinery under the media services: the media context, and how stored bytes become
(and stop being) the bytes of assets.

Bytes are checked after they are stored under their hash and before any asset points at them:
the real type is sniffed from the bytes (the client's claim is never trusted), images are
probed for their real size and refused above the pixel limit. Blob removal and asset creation
take the same per-blob lock, and the adder re-checks the blob under it, so a blob is never
deleted from under an asset being stored. Renditions are rendered a bounded number at a time.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from masthead.core.blobs import BlobNotFound, BlobStore
from masthead.core.errors import BlobRemoved, RateLimited
from masthead.core.media import MediaPolicy, Rendition
from masthead.core.ports import Clock, UnitOfWork
from masthead.core.security import UrlSigner
from masthead.core.sniffing import HEAD_BYTES, sniff_mime_type
from masthead.core.transforms import (
    CENTRE,
    RASTER_MIME_TYPES,
    FocalPoint,
    ImageProcessor,
    TransformSpec,
)

RENDER_WAIT_SECONDS = 30.0


@dataclass(frozen=True)
class MediaContext:
    """What media services touch besides the unit of work: built once per process."""

    blobs: BlobStore
    images: ImageProcessor
    policy: MediaPolicy
    clock: Clock
    signer: UrlSigner
    render_slots: threading.BoundedSemaphore = field(
        default_factory=lambda: threading.BoundedSemaphore(2)
    )


@dataclass(frozen=True)
class Inspected:
    mime_type: str
    width: int | None
    height: int | None


def check_and_render(
    ctx: MediaContext, sha256: str, size: int, focal: FocalPoint | None
) -> tuple[Inspected, list[Rendition]]:
    """Inspect stored bytes and render their variants. Bytes that another request removed
    meanwhile (it deleted the last asset with the same bytes) raise BlobRemoved."""
    try:
        inspected = inspect_blob(ctx, sha256, size)
        return inspected, make_variants(ctx, sha256, inspected, focal)
    except BlobNotFound:
        raise BlobRemoved() from None


def inspect_blob(ctx: MediaContext, sha256: str, size: int) -> Inspected:
    """The real type and size of stored bytes; raises unless the policy accepts them."""
    ctx.policy.check_size(size)
    # Only the head: on S3 a ranged GET, not the start of a download of the whole file.
    with ctx.blobs.open(sha256, (0, min(size, HEAD_BYTES) - 1)) as stream:
        head = stream.read(HEAD_BYTES)
    mime_type = ctx.policy.check_sniffed(sniff_mime_type(head))
    if mime_type not in RASTER_MIME_TYPES:
        return Inspected(mime_type, None, None)
    with ctx.blobs.open(sha256) as stream:
        info = ctx.images.probe(stream)
    return Inspected(info.mime_type, info.width, info.height)


def make_variants(
    ctx: MediaContext, sha256: str, inspected: Inspected, focal: FocalPoint | None
) -> list[Rendition]:
    """The configured variants of an image, rendered and stored (not yet recorded)."""
    if inspected.mime_type not in RASTER_MIME_TYPES:
        return []
    return [
        render(ctx, sha256, spec.with_focal(focal or CENTRE))
        for spec in ctx.policy.variants.values()
    ]


def render_bounded(ctx: MediaContext, sha256: str, spec: TransformSpec) -> Rendition:
    """Render on request, at most ``policy.concurrent_renders`` at a time in this process:
    decoding a large image takes a core, so a burst of new sizes queues instead of starving
    every other request. Raises RateLimited when the queue does not move."""
    if not ctx.render_slots.acquire(timeout=RENDER_WAIT_SECONDS):
        raise RateLimited(5, "Busy rendering images; retry shortly")
    try:
        return render(ctx, sha256, spec)
    finally:
        ctx.render_slots.release()


def render(ctx: MediaContext, sha256: str, spec: TransformSpec) -> Rendition:
    with ctx.blobs.open(sha256) as stream:
        image = ctx.images.render(stream, spec)
    stored = ctx.blobs.put(image.data, content_type=image.mime_type)
    return Rendition(
        source_sha256=sha256,
        key=spec.key,
        sha256=stored.sha256,
        size=stored.size,
        width=image.width,
        height=image.height,
        mime_type=image.mime_type,
    )


def record_renditions(uow: UnitOfWork, ctx: MediaContext, renditions: list[Rendition]) -> None:
    now = ctx.clock()
    for rendition in renditions:
        uow.media.add_rendition(rendition, now)


def keep_blob(uow: UnitOfWork, ctx: MediaContext, sha256: str) -> None:
    """Inside the transaction that adds a user of the blob: make sure it is still there."""
    uow.media.lock_blob(sha256)
    if not ctx.blobs.exists(sha256):
        raise BlobRemoved()


def release_blob(uow: UnitOfWork, ctx: MediaContext, sha256: str) -> None:
    """Remove a blob and its renditions once no asset uses it (under the blob's lock)."""
    with uow:
        uow.media.lock_blob(sha256)
        if uow.media.blob_in_use(sha256):
            return
        renditions = uow.media.renditions_of(sha256)
        uow.media.delete_renditions_of(sha256)
        for rendition in renditions:
            if not uow.media.blob_in_use(rendition.sha256):
                ctx.blobs.delete(rendition.sha256)
        ctx.blobs.delete(sha256)
        uow.commit()
