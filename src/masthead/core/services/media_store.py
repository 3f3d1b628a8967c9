"""The machinery under the media services: the media context, and how stored bytes become
(and stop being) the bytes of assets.

Bytes are checked after they are stored under their hash and before any asset points at them:
the real type is sniffed from the bytes (the client's claim is never trusted), images are
probed for their real size and refused above the pixel limit. Blob removal and asset creation
take the same per-blob lock, and the adder re-checks the blob under it, so a blob is never
deleted from under an asset being stored. Images are decoded a bounded number at a time per
process (``render_slot``), whether for an upload or a transform on request.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
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
    RenderedImage,
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
    """Inspect stored bytes and, for an image, render and store its variants (not yet
    recorded): one decode, in a render slot. Raises what the policy and the image processor
    raise, RateLimited (no render slot in time), and BlobRemoved (bytes another request
    removed meanwhile: it deleted the last asset with the same bytes)."""
    try:
        mime_type = sniff_blob(ctx, sha256, size)
        if mime_type not in RASTER_MIME_TYPES:
            return Inspected(mime_type, None, None), []
        specs = [spec.with_focal(focal or CENTRE) for spec in ctx.policy.variants.values()]
        with render_slot(ctx), ctx.blobs.open(sha256) as stream:
            info, images = ctx.images.probe_and_render(stream, specs)
        renditions = [
            _store(ctx, sha256, spec, image) for spec, image in zip(specs, images, strict=True)
        ]
        return Inspected(info.mime_type, info.width, info.height), renditions
    except BlobNotFound:
        raise BlobRemoved() from None


def sniff_blob(ctx: MediaContext, sha256: str, size: int) -> str:
    """The real type of stored bytes; raises unless the policy accepts them and their size."""
    ctx.policy.check_size(size)
    # Only the head: on S3 a ranged GET, not the start of a download of the whole file.
    with ctx.blobs.open(sha256, (0, min(size, HEAD_BYTES) - 1)) as stream:
        head = stream.read(HEAD_BYTES)
    return ctx.policy.check_sniffed(sniff_mime_type(head))


@contextmanager
def render_slot(ctx: MediaContext) -> Iterator[None]:
    """Hold one of the process's ``concurrent_renders`` slots. Every decode of an image takes
    one (upload probes and variants, and transforms on request): a large image takes a core
    and about 5 bytes a pixel (up to 8) while it renders, so a burst of them queues instead
    of starving every other request or exhausting memory (README, "Upload memory"). Raises
    RateLimited when the queue does not move within RENDER_WAIT_SECONDS."""
    if not ctx.render_slots.acquire(timeout=RENDER_WAIT_SECONDS):
        raise RateLimited(5, "Busy rendering images; retry shortly")
    try:
        yield
    finally:
        ctx.render_slots.release()


def render_bounded(ctx: MediaContext, sha256: str, spec: TransformSpec) -> Rendition:
    """Render on request, in a render slot (see ``render_slot``). Raises RateLimited."""
    with render_slot(ctx):
        return render(ctx, sha256, spec)


def render(ctx: MediaContext, sha256: str, spec: TransformSpec) -> Rendition:
    """Render and store one rendition; the caller holds a render slot."""
    with ctx.blobs.open(sha256) as stream:
        image = ctx.images.render(stream, spec)
    return _store(ctx, sha256, spec, image)


def _store(ctx: MediaContext, sha256: str, spec: TransformSpec, image: RenderedImage) -> Rendition:
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
