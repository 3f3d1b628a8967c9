"""The media library: list, get, edit and delete assets, forget abandoned uploads, and find
the file a public media URL names (rendering a rendition on its first request). Uploads live
in ``uploads.py``; the shared machinery in ``media_store.py``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal
from urllib.parse import quote
from uuid import UUID

from masthead.core import access
from masthead.core.access import Permission
from masthead.core.blobs import is_sha256
from masthead.core.content_types import FieldType
from masthead.core.errors import (
    FieldError,
    Invalid,
    MediaInUse,
    MediaNotFound,
    RenditionLimitReached,
)
from masthead.core.media import MediaAsset, MediaQuery
from masthead.core.models import Actor
from masthead.core.paging import check_paging
from masthead.core.ports import UnitOfWork, UnitOfWorkFactory
from masthead.core.services.media_store import (
    MediaContext,
    keep_blob,
    release_blob,
    render_bounded,
)
from masthead.core.services.uploads import Metadata
from masthead.core.transforms import CENTRE, RASTER_MIME_TYPES, Fit, FocalPoint, TransformSpec

SWEEP_BATCH = 100


def list_media(uow: UnitOfWork, actor: Actor, query: MediaQuery) -> tuple[list[MediaAsset], int]:
    """A page of the space's ready assets and the total. Raises Forbidden."""
    access.require(actor, Permission.READ)
    check_paging(query.limit, query.offset)
    with uow:
        return uow.media.query(actor.space_id, query)


def get_media(uow: UnitOfWork, actor: Actor, media_id: UUID) -> MediaAsset:
    """Raises Forbidden, MediaNotFound (also for other spaces' assets)."""
    access.require(actor, Permission.READ)
    with uow:
        return uow.media.get(actor.space_id, media_id)


def get_media_many(uow: UnitOfWork, actor: Actor, media_ids: Iterable[UUID]) -> list[MediaAsset]:
    """The space's ready assets among ``media_ids`` (one query; ids naming nothing here are
    left out), for showing the media a page of documents references. Raises Forbidden."""
    access.require(actor, Permission.READ)
    wanted = set(media_ids)
    if not wanted:
        return []
    with uow:
        return uow.media.get_many(actor.space_id, wanted)


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
        changes: dict[str, object] = {**metadata.changes(), "updated_at": ctx.clock()}
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
            fields, scanned = _referencing_fields(uow, actor.space_id)
            needles = [str(media_id)]
            if asset.sha256 is not None:  # its URL, as rich text embeds it
                needles.append(f"{asset.sha256}/{quote(asset.filename, safe='')}")
            count = uow.media.count_references(actor.space_id, media_id, fields, scanned, needles)
            if count:
                raise MediaInUse(
                    f"{count} document(s) reference this media; pass force=true to delete it",
                    details=[FieldError("id", f"referenced by {count} document(s)")],
                )
        uow.media.delete(actor.space_id, media_id)
        uow.commit()
    if asset.sha256 is not None:
        release_blob(uow_factory(), ctx, asset.sha256)
    return asset


FREE_FORM = frozenset({FieldType.BLOCKS, FieldType.RICHTEXT, FieldType.JSON, FieldType.LIST})
"""Field types whose content may embed a media id or URL anywhere (an image block, an <img>)."""


def _referencing_fields(uow: UnitOfWork, space_id: UUID) -> tuple[dict[str, list[str]], list[str]]:
    """Type name → its media fields (matched exactly), and the types with free-form fields
    (whose whole content is searched), for the in-use check before a delete."""
    fields: dict[str, list[str]] = {}
    scanned: list[str] = []
    for content_type in uow.content_types.list(space_id):
        names = [f.name for f in content_type.fields if f.type is FieldType.MEDIA]
        if names:
            fields[content_type.name] = names
        if any(f.type in FREE_FORM for f in content_type.fields):
            scanned.append(content_type.name)
    return fields, scanned


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
        rendition = render_bounded(ctx, asset.sha256, spec)
        with uow_factory() as uow:
            keep_blob(uow, ctx, asset.sha256)
            uow.media.add_rendition(rendition, ctx.clock())
            uow.commit()
    return ServedFile(
        rendition.sha256,
        rendition.mime_type,
        rendition.size,
        asset.filename,
        is_immutable=focal_given or spec.fit is not Fit.COVER,
    )
