"""Apps ``/uploads``: the Uploads API the document names but does not describe, designed in
its conventions (bare arrays, bodies without wrappers) over the media library.

An upload is a media asset addressed by the SHA-256 of its bytes: ``POST`` (multipart, field
``file``) → 201 ``{hash, filename, mime, size}``; the same bytes uploaded again answer with
the same hash (the library stores them once). ``GET /uploads`` lists them newest first,
``GET /uploads/:hash`` is one, ``GET /uploads/:hash/file`` redirects to the file's stable
public URL. Content references one as ``{hash, filename, mime}`` (core/content.py).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from masthead.api.apps.access import AppActor
from masthead.api.apps.content import PREFIX
from masthead.api.apps.schemas import UploadOut, shape_upload
from masthead.api.body_rules import body_rules
from masthead.api.context import Services
from masthead.api.uploads import read_form_upload
from masthead.core.errors import MediaNotFound
from masthead.core.media import MediaQuery, MediaSort
from masthead.core.paging import MAX_LIMIT
from masthead.core.services import media, uploads

router = APIRouter(prefix=PREFIX + "/{app_slug}/uploads", tags=["apps"])
HashPath = Path(description="SHA-256 of the upload's bytes (lowercase hex)")


@router.get("", response_model=list[UploadOut], summary="List uploads (newest first)")
def list_uploads(
    actor: AppActor,
    services: Services,
    limit: int = Query(MAX_LIMIT, ge=1, le=MAX_LIMIT, description="At most this many uploads"),
    offset: int = Query(0, ge=0, le=10_000_000, description="Uploads to skip"),
) -> list[dict[str, Any]]:
    query = MediaQuery(sort=MediaSort.CREATED_AT, descending=True, limit=limit, offset=offset)
    items, _ = media.list_media(services.read_uow(), actor, query)
    return [shape_upload(a) for a in items]


@router.post("", response_model=UploadOut, status_code=201, summary="Upload a file (multipart)")
@body_rules(carries_file=True)
async def create_upload(request: Request, actor: AppActor, services: Services) -> dict[str, Any]:
    uploads.check_may_upload(actor)  # before reading a file a viewer could not keep
    async with read_form_upload(request, services.media.policy.max_bytes) as form:
        asset = await run_in_threadpool(
            uploads.upload_media,
            services.uow,
            services.media,
            actor,
            form.file.file,
            filename=form.file.filename,
        )
    return shape_upload(asset)


@router.get("/{hash}", response_model=UploadOut, summary="Get an upload's metadata")
def get_upload(actor: AppActor, services: Services, hash: str = HashPath) -> dict[str, Any]:
    return shape_upload(media.get_media_by_hash(services.read_uow(), actor, hash.lower()))


@router.get(
    "/{hash}/file",
    status_code=307,
    response_class=RedirectResponse,
    summary="The file itself (a redirect to its stable URL)",
)
def get_upload_file(
    request: Request, actor: AppActor, services: Services, hash: str = HashPath
) -> RedirectResponse:
    asset = media.get_media_by_hash(services.read_uow(), actor, hash.lower())
    url = services.media_urls.original(asset)
    if url is None:  # pragma: no cover - a ready asset has its hash
        raise MediaNotFound()
    return RedirectResponse(url, status_code=307)
