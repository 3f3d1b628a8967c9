"""Trokky ``/media``: list (``limit``, ``offset``, ``type`` MIME prefix, ``search``), get,
multipart upload (``file``, ``alt``, ``title``), metadata edit, delete.

``trokky-http-api.txt`` (Media). The same services, blob store, dedupe and upload checks as
``/v1/media``; only the shapes differ.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool

from masthead.api.body_rules import body_rules
from masthead.api.context import AppServices, CurrentActor, Services
from masthead.api.ids import MediaIdPath
from masthead.api.query_params import page_window, parse_flag
from masthead.api.trokky.schemas import (
    MediaListOut,
    MediaOut,
    MediaPatchBody,
    SuccessOut,
    shape_media,
)
from masthead.api.uploads import read_form_upload
from masthead.core.media import MediaAsset, MediaQuery, MediaSort
from masthead.core.services import media, uploads
from masthead.core.services.uploads import Metadata

router = APIRouter(prefix="/media", tags=["trokky"])


def media_shaper(services: AppServices) -> Callable[[MediaAsset], dict[str, Any]]:
    """Media as Trokky shows it, also where a document expands a media field."""

    def shape(asset: MediaAsset) -> dict[str, Any]:
        return shape_media(asset, services.media_urls, services.media.policy.variants)

    return shape


@router.get("", response_model=MediaListOut, summary="List media")
def list_media(
    actor: CurrentActor,
    services: Services,
    limit: int | None = Query(None, description="Items per page, 1..100 (default 20)"),
    offset: int | None = Query(None, ge=0, le=10_000_000, description="Items to skip"),
    type: str | None = Query(None, max_length=127, description="MIME type prefix, e.g. image"),
    search: str | None = Query(None, max_length=200, description="Search filenames"),
) -> dict[str, Any]:
    size, start = page_window(limit=limit, offset=offset)
    query = MediaQuery(
        search=search,
        mime_type=type,
        sort=MediaSort.CREATED_AT,
        descending=True,
        limit=size,
        offset=start,
    )
    items, total = media.list_media(services.read_uow(), actor, query)
    shape = media_shaper(services)
    return {
        "data": [shape(a) for a in items],
        "meta": {"total": total, "limit": size, "offset": start},
    }


@router.get("/{media_id}", response_model=MediaOut, summary="Get a media item")
def get_media(media_id: MediaIdPath, actor: CurrentActor, services: Services) -> dict[str, Any]:
    asset = media.get_media(services.read_uow(), actor, media_id)
    return {"data": media_shaper(services)(asset)}


@router.post(
    "",
    response_model=MediaOut,
    status_code=201,
    summary="Upload a file (multipart: file, alt, title)",
)
@body_rules(carries_file=True)
async def upload_media(request: Request, actor: CurrentActor, services: Services) -> dict[str, Any]:
    uploads.check_may_upload(actor)  # before reading a file a viewer could not keep
    async with read_form_upload(request, services.media.policy.max_bytes) as form:
        fields = form.fields
        asset = await run_in_threadpool(
            uploads.upload_media,
            services.uow,
            services.media,
            actor,
            form.file.file,
            filename=form.file.filename,
            metadata=Metadata(
                fields.get("alt"),
                fields.get("title"),
                fields.get("caption"),
                fields.get("description"),
            ),
        )
    return {"data": media_shaper(services)(asset)}


@router.patch("/{media_id}", response_model=MediaOut, summary="Update alt and title")
def patch_media(
    media_id: MediaIdPath, body: MediaPatchBody, actor: CurrentActor, services: Services
) -> dict[str, Any]:
    metadata = Metadata(body.alt, body.title, body.caption, body.description)
    asset = media.update_media(services.uow(), services.media, actor, media_id, metadata)
    return {"data": media_shaper(services)(asset)}


@router.delete("/{media_id}", response_model=SuccessOut, summary="Delete a media item")
def delete_media(
    media_id: MediaIdPath,
    actor: CurrentActor,
    services: Services,
    force: str | None = Query(None, description="true: delete even if documents use it"),
) -> dict[str, Any]:
    media.delete_media(
        services.uow, services.media, actor, media_id, force=parse_flag(force, "force")
    )
    return {"success": True}
