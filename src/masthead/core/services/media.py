"""The media library: direct and one-step uploads, the asset list, edits, deletes, serving and
renditions. Every dialect and the CLI call these.

Bytes are checked after they are stored under their hash and before any asset points at them:
the real type is sniffed from the bytes (the client's claim is never trusted), images are
probed for their real size and refused above the pixel limit, and refused bytes are removed
unless another asset already uses them. Blob removal and asset creation take the same
per-blob lock, so a blob is never deleted from under an asset being stored.
"""

from __future__ import annotations

import hmac
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import BinaryIO, Literal
from uuid import UUID

from masthead.core import access
from masthead.core.access import Permission
from masthead.core.blobs import (
    BlobMismatch,
    BlobNotFound,
    BlobStore,
    is_sha256,
    new_temp_key,
)
from masthead.core.content_types import FieldType
from masthead.core.errors import (
    BlobRemoved,
    FieldError,
    Invalid,
    MediaInUse,
    MediaNotFound,
    RateLimited,
    RenditionLimitReached,
    UploadMissing,
    UploadTokenInvalid,
)
from masthead.core.media import (
    MediaAsset,
    MediaPolicy,
    MediaQuery,
    MediaStatus,
    Rendition,
    UploadTicket,
    check_metadata,
    sanitize_filename,
)
from masthead.core.models import Actor
from masthead.core.ports import Clock, UnitOfWork, UnitOfWorkFactory
from masthead.core.security import UrlSigner, hash_secret, new_secret
from masthead.core.sniffing import HEAD_BYTES, sniff_mime_type
from masthead.core.transforms import (
    CENTRE,
    RASTER_MIME_TYPES,
    Fit,
    FocalPoint,
    ImageProcessor,
    TransformSpec,
)

OCTET_STREAM = "application/octet-stream"
RENDER_WAIT_SECONDS = 30.0
UPLOAD_ATTEMPTS = 3


SWEEP_BATCH = 100


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
class Metadata:
    alt: str | None = None
    title: str | None = None
    caption: str | None = None
    description: str | None = None

    def check(self) -> None:
        check_metadata(
            alt=self.alt, title=self.title, caption=self.caption, description=self.description
        )


UPLOAD_PURPOSE = "media-upload"


@dataclass(frozen=True)
class UploadStarted:
    """An initialised direct upload. ``upload_url`` is a presigned URL of the blob store, or
    None: then the client PUTs to Masthead's own upload route, whose URL carries ``expires``
    (Unix time) and ``signature``. The token is shown once."""

    asset: MediaAsset
    token: str
    upload_url: str | None
    content_type: str
    expires: int
    signature: str


@dataclass(frozen=True)
class Inspected:
    mime_type: str
    width: int | None
    height: int | None


# --- direct upload: init, PUT, finalize ----------------------------------------------------


def start_upload(
    uow: UnitOfWork,
    ctx: MediaContext,
    actor: Actor,
    *,
    filename: str | None,
    mime_type: str | None,
    size: int | None,
) -> UploadStarted:
    """A pending asset and its one-time upload token. Raises Forbidden, MediaRejected,
    PayloadTooLarge (for what the client declares; the bytes are checked at finalize)."""
    access.require(actor, Permission.WRITE)
    ctx.policy.check_declared(size, mime_type)
    now = ctx.clock()
    token = new_secret("mu_")
    content_type = mime_type or OCTET_STREAM
    ticket = UploadTicket(
        temp_key=new_temp_key(),
        token_hash=hash_secret(token),
        expires_at=now + timedelta(seconds=ctx.policy.upload_ttl_seconds),
        declared_size=size,
        declared_mime_type=mime_type,
    )
    name = sanitize_filename(filename)
    asset = MediaAsset(
        id=uuid.uuid4(),
        space_id=actor.space_id,
        status=MediaStatus.PENDING,
        filename=name,
        original_filename=name,
        mime_type=content_type,
        size=size or 0,
        sha256=None,
        width=None,
        height=None,
        alt="",
        title="",
        caption="",
        description="",
        focal_point=None,
        created_by=actor.user_id,
        created_at=now,
        updated_at=now,
        upload=ticket,
    )
    url = ctx.blobs.upload_url(
        ticket.temp_key, expires_in=ctx.policy.upload_ttl_seconds, content_type=content_type
    )
    with uow:
        uow.media.add(asset)
        uow.commit()
    expires = int(ticket.expires_at.timestamp())
    signature = ctx.signer.sign(UPLOAD_PURPOSE, str(asset.id), expires)
    return UploadStarted(asset, token, url, content_type, expires, signature)


def authorize_upload(
    uow: UnitOfWork,
    ctx: MediaContext,
    media_id: UUID,
    token: str | None,
    *,
    expires: int | None,
    signature: str | None,
) -> UploadTicket:
    """The ticket of a pending direct upload, if the URL's signature holds and ``token`` is
    its live upload token (together, the credentials of Masthead's own upload URL). Raises
    UploadTokenInvalid."""
    if expires is None or not signature:
        raise UploadTokenInvalid("The upload URL is not signed")
    if not ctx.signer.is_valid(UPLOAD_PURPOSE, str(media_id), expires, signature):
        raise UploadTokenInvalid("The upload URL's signature is wrong")
    if expires <= ctx.clock().timestamp():
        raise UploadTokenInvalid("The upload URL has expired; start a new upload")
    with uow:
        asset = uow.media.find_any_space(media_id)
    return _valid_ticket(asset, token, ctx.clock())


def store_upload(ctx: MediaContext, ticket: UploadTicket, data: BinaryIO) -> int:
    """Keep the bytes of an authorized direct upload until finalize; returns their size."""
    return ctx.blobs.put_temp_key(ticket.temp_key, data)


def upload_limit(ctx: MediaContext, ticket: UploadTicket | None = None) -> int:
    """The most bytes worth reading for one upload: the policy's limit, or the size the
    client declared when it is smaller (one byte over it is enough to refuse)."""
    if ticket is not None and ticket.declared_size is not None:
        return min(ctx.policy.max_bytes, ticket.declared_size)
    return ctx.policy.max_bytes


def finalize_upload(
    uow_factory: UnitOfWorkFactory,
    ctx: MediaContext,
    actor: Actor,
    media_id: UUID,
    *,
    token: str | None,
    filename: str | None = None,
    size: int | None = None,
    sha256: str | None = None,
    metadata: Metadata | None = None,
) -> MediaAsset:
    """Check what arrived for a direct upload (against ``size`` and ``sha256`` when the
    client gives them) and make the asset ready.

    Raises MediaNotFound, UploadTokenInvalid (wrong, expired or used token), UploadMissing
    (nothing was PUT yet: the upload may be retried), BlobMismatch, MediaRejected,
    PayloadTooLarge, ImageRejected. Every refusal but UploadMissing discards the upload.
    """
    access.require(actor, Permission.WRITE)
    metadata = metadata or Metadata()
    metadata.check()
    if sha256 is not None and not is_sha256(sha256):
        raise Invalid("Invalid SHA-256", details=[FieldError("sha256", "64 lowercase hex digits")])
    with uow_factory() as uow:
        asset = uow.media.find(actor.space_id, media_id)
    if asset is None:
        raise MediaNotFound()
    try:
        ticket = _valid_ticket(asset, token, ctx.clock())
    except UploadTokenInvalid:
        if asset.upload is not None and asset.upload.expires_at <= ctx.clock():
            _discard_pending(uow_factory(), ctx, asset)
        raise
    expected = size if size is not None else ticket.declared_size
    try:
        stored = ctx.blobs.promote(
            ticket.temp_key,
            content_type=OCTET_STREAM,
            expected_size=expected,
            expected_sha256=sha256,
        )
    except BlobNotFound:
        raise UploadMissing() from None
    except BlobMismatch:
        _discard_pending(uow_factory(), ctx, asset)
        raise
    try:
        inspected, renditions = _check_and_render(
            ctx, stored.sha256, stored.size, asset.focal_point
        )
    except Exception:
        _discard_pending(uow_factory(), ctx, asset, stored.sha256)
        raise
    name = sanitize_filename(filename) if filename else asset.filename
    ready = asset.evolve(
        status=MediaStatus.READY,
        filename=name,
        original_filename=name if filename else asset.original_filename,
        mime_type=inspected.mime_type,
        size=stored.size,
        sha256=stored.sha256,
        width=inspected.width,
        height=inspected.height,
        updated_at=ctx.clock(),
        upload=None,
        **_metadata_changes(metadata),
    )
    with uow_factory() as uow:
        _keep_blob(uow, ctx, stored.sha256)
        if not uow.media.finish_upload(ready, ticket.token_hash):
            raise UploadTokenInvalid("This upload was already finalized")
        _record_renditions(uow, ctx, renditions)
        uow.commit()
    return ready


def _valid_ticket(asset: MediaAsset | None, token: str | None, now: datetime) -> UploadTicket:
    ticket = asset.upload if asset is not None and not asset.is_ready else None
    if ticket is None or not token:
        raise UploadTokenInvalid()
    if not hmac.compare_digest(ticket.token_hash, hash_secret(token)):
        raise UploadTokenInvalid()
    if ticket.expires_at <= now:
        raise UploadTokenInvalid("The upload token has expired; start a new upload")
    return ticket


# --- one-step upload -------------------------------------------------------------------------


def upload_media(
    uow_factory: UnitOfWorkFactory,
    ctx: MediaContext,
    actor: Actor,
    data: BinaryIO | bytes,
    *,
    filename: str | None,
    metadata: Metadata | None = None,
    focal_point: FocalPoint | None = None,
) -> MediaAsset:
    """Store a file sent in one request (multipart) and return the ready asset. The caller
    bounds the size it reads. Raises Forbidden, MediaRejected, PayloadTooLarge,
    ImageRejected, BlobRemoved (the same bytes were removed meanwhile, three times)."""
    access.require(actor, Permission.WRITE)
    metadata = metadata or Metadata()
    metadata.check()
    now = ctx.clock()
    name = sanitize_filename(filename)
    for attempt in range(UPLOAD_ATTEMPTS):
        try:
            return _store_upload(uow_factory, ctx, actor, data, name, metadata, focal_point, now)
        except BlobRemoved:
            # Another request deleted the last asset with these bytes while we stored them:
            # store them again (a stream is rewound), rather than refuse a good upload.
            if attempt + 1 == UPLOAD_ATTEMPTS or not _rewind(data):
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _store_upload(
    uow_factory: UnitOfWorkFactory,
    ctx: MediaContext,
    actor: Actor,
    data: BinaryIO | bytes,
    name: str,
    metadata: Metadata,
    focal_point: FocalPoint | None,
    now: datetime,
) -> MediaAsset:
    stored = ctx.blobs.put(data, content_type=OCTET_STREAM)
    try:
        inspected, renditions = _check_and_render(ctx, stored.sha256, stored.size, focal_point)
    except Exception:
        _release_blob(uow_factory(), ctx, stored.sha256)
        raise
    asset = MediaAsset(
        id=uuid.uuid4(),
        space_id=actor.space_id,
        status=MediaStatus.READY,
        filename=name,
        original_filename=name,
        mime_type=inspected.mime_type,
        size=stored.size,
        sha256=stored.sha256,
        width=inspected.width,
        height=inspected.height,
        alt=metadata.alt or "",
        title=metadata.title or "",
        caption=metadata.caption or "",
        description=metadata.description or "",
        focal_point=focal_point,
        created_by=actor.user_id,
        created_at=now,
        updated_at=now,
    )
    with uow_factory() as uow:
        _keep_blob(uow, ctx, stored.sha256)
        uow.media.add(asset)
        _record_renditions(uow, ctx, renditions)
        uow.commit()
    return asset


def _rewind(data: BinaryIO | bytes) -> bool:
    if isinstance(data, bytes):
        return True
    if data.seekable():
        data.seek(0)
        return True
    return False


# --- checks shared by both flows -----------------------------------------------------------


def _check_and_render(
    ctx: MediaContext, sha256: str, size: int, focal: FocalPoint | None
) -> tuple[Inspected, list[Rendition]]:
    """Inspect stored bytes and render their variants. Bytes that another request removed
    meanwhile (it deleted the last asset with the same bytes) raise BlobRemoved."""
    try:
        inspected = _inspect(ctx, sha256, size)
        return inspected, _make_variants(ctx, sha256, inspected, focal)
    except BlobNotFound:
        raise BlobRemoved() from None


def _inspect(ctx: MediaContext, sha256: str, size: int) -> Inspected:
    """The real type and size of stored bytes; raises unless the policy accepts them."""
    ctx.policy.check_size(size)
    with ctx.blobs.open(sha256) as stream:
        head = stream.read(HEAD_BYTES)
    mime_type = ctx.policy.check_sniffed(sniff_mime_type(head))
    if mime_type not in RASTER_MIME_TYPES:
        return Inspected(mime_type, None, None)
    with ctx.blobs.open(sha256) as stream:
        info = ctx.images.probe(stream)
    return Inspected(info.mime_type, info.width, info.height)


def _make_variants(
    ctx: MediaContext, sha256: str, inspected: Inspected, focal: FocalPoint | None
) -> list[Rendition]:
    """The configured variants of an image, rendered and stored (not yet recorded)."""
    if inspected.mime_type not in RASTER_MIME_TYPES:
        return []
    return [
        _render(ctx, sha256, spec.with_focal(focal or CENTRE))
        for spec in ctx.policy.variants.values()
    ]


def _render_bounded(ctx: MediaContext, sha256: str, spec: TransformSpec) -> Rendition:
    """Render on request, at most ``policy.concurrent_renders`` at a time in this process:
    decoding a large image takes a core, so a burst of new sizes queues instead of starving
    every other request. Raises RateLimited when the queue does not move."""
    if not ctx.render_slots.acquire(timeout=RENDER_WAIT_SECONDS):
        raise RateLimited(5, "Busy rendering images; retry shortly")
    try:
        return _render(ctx, sha256, spec)
    finally:
        ctx.render_slots.release()


def _render(ctx: MediaContext, sha256: str, spec: TransformSpec) -> Rendition:
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


def _record_renditions(uow: UnitOfWork, ctx: MediaContext, renditions: list[Rendition]) -> None:
    now = ctx.clock()
    for rendition in renditions:
        uow.media.add_rendition(rendition, now)


def _keep_blob(uow: UnitOfWork, ctx: MediaContext, sha256: str) -> None:
    """Inside the transaction that adds a user of the blob: make sure it is still there."""
    uow.media.lock_blob(sha256)
    if not ctx.blobs.exists(sha256):
        raise BlobRemoved()


def _release_blob(uow: UnitOfWork, ctx: MediaContext, sha256: str) -> None:
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


def _discard_pending(
    uow: UnitOfWork, ctx: MediaContext, asset: MediaAsset, sha256: str | None = None
) -> None:
    """Forget a refused direct upload: its row, and its bytes unless another asset has them."""
    with uow:
        uow.media.delete(asset.space_id, asset.id)
        uow.commit()
    if sha256 is not None:
        _release_blob(uow, ctx, sha256)


def _metadata_changes(metadata: Metadata) -> dict[str, str]:
    return {
        name: value
        for name, value in (
            ("alt", metadata.alt),
            ("title", metadata.title),
            ("caption", metadata.caption),
            ("description", metadata.description),
        )
        if value is not None
    }


# --- the library: list, get, edit, delete ---------------------------------------------------


def list_media(uow: UnitOfWork, actor: Actor, query: MediaQuery) -> tuple[list[MediaAsset], int]:
    """A page of the space's ready assets and the total. Raises Forbidden."""
    access.require(actor, Permission.READ)
    with uow:
        return uow.media.query(actor.space_id, query)


def get_media(uow: UnitOfWork, actor: Actor, media_id: UUID) -> MediaAsset:
    """Raises Forbidden, MediaNotFound (also for other spaces' assets)."""
    access.require(actor, Permission.READ)
    with uow:
        return uow.media.get(actor.space_id, media_id)


def get_media_by_hash(uow: UnitOfWork, actor: Actor, sha256: str) -> MediaAsset:
    """The space's asset with these bytes: how the apps API's upload references
    (``{hash, filename, mime}``) name media. Raises Forbidden, MediaNotFound."""
    access.require(actor, Permission.READ)
    if not is_sha256(sha256):
        raise MediaNotFound()
    with uow:
        asset = uow.media.find_by_hash(actor.space_id, sha256)
    if asset is None:
        raise MediaNotFound()
    return asset


def update_media(
    uow: UnitOfWork,
    ctx: MediaContext,
    actor: Actor,
    media_id: UUID,
    metadata: Metadata,
    focal_point: FocalPoint | Literal["clear"] | None = None,
) -> MediaAsset:
    """Change alt, title, caption, description and the focal point (None leaves it,
    ``"clear"`` removes it).
    Raises Forbidden, MediaNotFound, Invalid."""
    access.require(actor, Permission.WRITE)
    metadata.check()
    with uow:
        asset = uow.media.get(actor.space_id, media_id, for_update=True)
        changes: dict[str, object] = {**_metadata_changes(metadata), "updated_at": ctx.clock()}
        if focal_point is not None:
            changes["focal_point"] = None if focal_point == "clear" else focal_point
        updated = asset.evolve(**changes)
        uow.media.update(updated)
        uow.commit()
    return updated


def delete_media(
    uow_factory: UnitOfWorkFactory,
    ctx: MediaContext,
    actor: Actor,
    media_id: UUID,
    *,
    force: bool = False,
) -> MediaAsset:
    """Delete an asset; its bytes go once no other asset uses them. Raises Forbidden,
    MediaNotFound, MediaInUse (documents reference it and ``force`` is False)."""
    access.require(actor, Permission.DELETE)
    with uow_factory() as uow:
        asset = uow.media.get(actor.space_id, media_id)
        if not force:
            fields = _media_fields(uow, actor.space_id)
            count = uow.media.count_references(actor.space_id, media_id, fields) if fields else 0
            if count:
                raise MediaInUse(
                    f"{count} document(s) reference this media; pass force=true to delete it",
                    details=[FieldError("id", f"referenced by {count} document(s)")],
                )
        uow.media.delete(actor.space_id, media_id)
        uow.commit()
    if asset.sha256 is not None:
        _release_blob(uow_factory(), ctx, asset.sha256)
    return asset


def _media_fields(uow: UnitOfWork, space_id: UUID) -> dict[str, list[str]]:
    """Type name → its media fields, for reference checks."""
    out: dict[str, list[str]] = {}
    for content_type in uow.content_types.list(space_id):
        names = [f.name for f in content_type.fields if f.type is FieldType.MEDIA]
        if names:
            out[content_type.name] = names
    return out


def sweep_abandoned_uploads(uow_factory: UnitOfWorkFactory, ctx: MediaContext) -> int:
    """Forget pending uploads past their expiry, and temp bytes older than an upload's
    lifetime. Returns how many pending assets were removed."""
    now = ctx.clock()
    removed = 0
    while True:
        with uow_factory() as uow:
            expired = uow.media.expired_uploads(now, SWEEP_BATCH)
            for asset in expired:
                uow.media.delete(asset.space_id, asset.id)
            uow.commit()
        removed += len(expired)
        if len(expired) < SWEEP_BATCH:
            break
    ctx.blobs.sweep_temp(now - timedelta(seconds=ctx.policy.upload_ttl_seconds))
    return removed


# --- serving ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServedFile:
    """What a public media URL answers with: which blob, its type and size, and whether the
    URL pins it forever (every parameter explicit) or may change (a crop that followed the
    asset's current focal point)."""

    sha256: str
    mime_type: str
    size: int
    filename: str
    is_immutable: bool


def find_served_file(
    read_uow: UnitOfWork,
    uow_factory: UnitOfWorkFactory,
    ctx: MediaContext,
    sha256: str,
    filename: str,
    spec: TransformSpec | None,
    *,
    focal_given: bool,
) -> ServedFile:
    """The file a public URL names: the original, or a rendition rendered on first request
    and cached. Raises MediaNotFound, Invalid (a transform of a non-image)."""
    with read_uow as uow:
        asset = uow.media.find_served(sha256, filename)
        if asset is None or asset.sha256 is None:
            raise MediaNotFound()
        if spec is None:
            return ServedFile(asset.sha256, asset.mime_type, asset.size, asset.filename, True)
        if asset.mime_type not in RASTER_MIME_TYPES:
            raise Invalid(
                "Only images can be transformed",
                details=[FieldError("w", f"{asset.mime_type} is not a raster image")],
            )
        if not focal_given:
            spec = spec.with_focal(asset.focal_point or CENTRE)
        rendition = uow.media.find_rendition(asset.sha256, spec.key)
        count = uow.media.count_renditions(asset.sha256) if rendition is None else 0
    if rendition is None and count >= ctx.policy.max_renditions:
        raise RenditionLimitReached(
            f"This image already has {count} renditions, the most allowed; ask for one of "
            "the sizes it already has",
            details=[FieldError("w", "too many distinct renditions of this image")],
        )
    if rendition is None or not ctx.blobs.exists(rendition.sha256):
        rendition = _render_bounded(ctx, asset.sha256, spec)
        with uow_factory() as uow:
            _keep_blob(uow, ctx, asset.sha256)
            uow.media.add_rendition(rendition, ctx.clock())
            uow.commit()
    return ServedFile(
        rendition.sha256,
        rendition.mime_type,
        rendition.size,
        asset.filename,
        is_immutable=focal_given or spec.fit is not Fit.COVER,
    )
