"""Uploads into the media library: the direct flow (start → PUT → finalize) and the one-step
flow (multipart). Every refusal leaves nothing behind but bytes another asset already uses.
"""

from __future__ import annotations

import hmac
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import BinaryIO
from uuid import UUID

from masthead.core import access
from masthead.core.access import Permission
from masthead.core.blobs import BlobMismatch, BlobNotFound, is_sha256, new_temp_key
from masthead.core.errors import (
    BlobRemoved,
    FieldError,
    Invalid,
    MediaNotFound,
    RateLimited,
    UploadMissing,
    UploadTokenInvalid,
)
from masthead.core.media import (
    MediaAsset,
    MediaStatus,
    UploadTicket,
    check_metadata,
    sanitize_filename,
)
from masthead.core.models import Actor
from masthead.core.ports import UnitOfWork, UnitOfWorkFactory
from masthead.core.security import hash_secret, new_secret
from masthead.core.services.media_store import (
    MediaContext,
    check_and_render,
    keep_blob,
    record_renditions,
    release_blob,
)
from masthead.core.transforms import FocalPoint

OCTET_STREAM = "application/octet-stream"
UPLOAD_ATTEMPTS = 3
UPLOAD_PURPOSE = "media-upload"


@dataclass(frozen=True)
class Metadata:
    alt: str | None = None
    title: str | None = None
    caption: str | None = None
    description: str | None = None

    def changes(self) -> dict[str, str]:
        """The fields given (None means "leave as it is")."""
        given = {
            "alt": self.alt,
            "title": self.title,
            "caption": self.caption,
            "description": self.description,
        }
        return {name: value for name, value in given.items() if value is not None}

    def check(self) -> None:
        check_metadata(**self.changes())


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


def check_may_upload(actor: Actor) -> None:
    """Raise Forbidden (AuthRequired) unless ``actor`` may upload: lets an edge refuse a
    caller before reading a file it would only throw away. Every flow checks again."""
    access.require(actor, Permission.WRITE)


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
    check_may_upload(actor)
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
    PayloadTooLarge, ImageRejected, RateLimited (too busy decoding images: retry the finalize).
    Every refusal but UploadMissing and RateLimited discards the upload.
    """
    check_may_upload(actor)
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
        inspected, renditions = check_and_render(ctx, stored.sha256, stored.size, asset.focal_point)
    except RateLimited:
        _unpromote(uow_factory(), ctx, ticket, stored.sha256)
        raise
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
        **metadata.changes(),
    )
    with uow_factory() as uow:
        keep_blob(uow, ctx, stored.sha256)
        if not uow.media.finish_upload(ready, ticket.token_hash):
            raise UploadTokenInvalid("This upload was already finalized")
        record_renditions(uow, ctx, renditions)
        uow.commit()
    return ready


def _unpromote(uow: UnitOfWork, ctx: MediaContext, ticket: UploadTicket, sha256: str) -> None:
    """Too busy to decode the image now: put the bytes back where the PUT left them, so the
    client's retry of the finalize (after Retry-After) finds them, and nothing else is lost."""
    with ctx.blobs.open(sha256) as stream:
        ctx.blobs.put_temp_key(ticket.temp_key, stream)
    release_blob(uow, ctx, sha256)


def _valid_ticket(asset: MediaAsset | None, token: str | None, now: datetime) -> UploadTicket:
    ticket = asset.upload if asset is not None and not asset.is_ready else None
    if ticket is None or not token:
        raise UploadTokenInvalid()
    if not hmac.compare_digest(ticket.token_hash, hash_secret(token)):
        raise UploadTokenInvalid()
    if ticket.expires_at <= now:
        raise UploadTokenInvalid("The upload token has expired; start a new upload")
    return ticket


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
    ImageRejected, RateLimited (too busy decoding images), BlobRemoved (the same bytes were
    removed meanwhile, three times)."""
    check_may_upload(actor)
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
        inspected, renditions = check_and_render(ctx, stored.sha256, stored.size, focal_point)
    except Exception:
        release_blob(uow_factory(), ctx, stored.sha256)
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
        keep_blob(uow, ctx, stored.sha256)
        uow.media.add(asset)
        record_renditions(uow, ctx, renditions)
        uow.commit()
    return asset


def _rewind(data: BinaryIO | bytes) -> bool:
    if isinstance(data, bytes):
        return True
    if data.seekable():
        data.seek(0)
        return True
    return False


def _discard_pending(
    uow: UnitOfWork, ctx: MediaContext, asset: MediaAsset, sha256: str | None = None
) -> None:
    """Forget a refused direct upload: its row, and its bytes unless another asset has them."""
    with uow:
        uow.media.delete(asset.space_id, asset.id)
        uow.commit()
    if sha256 is not None:
        release_blob(uow, ctx, sha256)
