"""Native /v1/media: direct uploads (init → PUT → finalize), one-step multipart uploads, and
the library (list, get, edit, delete).

The contract (``native-v1-behaviour.md``, Media): ``POST /v1/media`` and ``/v1/media/init`` are
the same call, answering 201 with an absolute ``uploadUrl`` the client PUTs to with the
``requiredHeaders`` (the token travels in ``X-Upload-Token``). ``POST /v1/media`` with a
multipart body is the one-step upload instead.
"""

from __future__ import annotations

from functools import partial
from typing import Annotated

import orjson
from fastapi import APIRouter, Header, Query, Request
from starlette.concurrency import run_in_threadpool

from masthead.api.body_rules import body_rules
from masthead.api.context import AppServices, CurrentActor, Services
from masthead.api.ids import MediaIdPath, id_segment
from masthead.api.native.content_schemas import Pagination
from masthead.api.native.media_schemas import (
    FinalizeBody,
    FocalPointForm,
    InitUploadBody,
    MediaDeleteResponse,
    MediaList,
    MediaOut,
    MediaPatch,
    MediaResponse,
    MetadataIn,
    UploadedResponse,
    UploadReceivedResponse,
    UploadStartedResponse,
    init_body_schema,
    upload_form_schema,
)
from masthead.api.query_params import (
    OffsetParam,
    PageParam,
    PageSizeParam,
    SortDirParam,
    flag_query,
    page_window,
    parse_direction,
    parse_flag,
)
from masthead.api.uploads import read_form_upload, spool_body
from masthead.core import limits
from masthead.core.errors import FieldError, Invalid
from masthead.core.media import MediaAsset, MediaQuery, MediaSort
from masthead.core.models import Actor
from masthead.core.services import media, uploads
from masthead.core.transforms import FocalPoint

router = APIRouter(prefix="/media", tags=["media"])

INIT, UPLOAD = "init", "upload"  # the literal segments beside /media/{media_id}


# So that PATCH /media/init answers 405 (and OPTIONS lists only its methods).
ASSET = "/" + id_segment("media_id", INIT, UPLOAD)

_SORTS = {
    "createdAt": MediaSort.CREATED_AT,
    "updatedAt": MediaSort.UPDATED_AT,
    "filename": MediaSort.FILENAME,
    "size": MediaSort.SIZE,
    "mimeType": MediaSort.MIME_TYPE,
}


def _out(services: AppServices, asset: MediaAsset) -> MediaOut:
    return MediaOut.of(asset, services.media_urls, services.media.policy.variants)


# --- uploads ---------------------------------------------------------------------------------


@router.post(
    "",
    status_code=201,
    response_model=UploadStartedResponse | UploadedResponse,
    summary="Start a direct upload (JSON), or upload a file in one step (multipart)",
    openapi_extra={
        "requestBody": {
            "required": False,
            "content": {
                "application/json": {"schema": init_body_schema()},
                "multipart/form-data": {"schema": upload_form_schema()},
            },
        }
    },
)
@body_rules(carries_file=True, checks_own_text=True)
async def create_media(
    request: Request, actor: CurrentActor, services: Services
) -> UploadStartedResponse | UploadedResponse:
    if request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        return await _upload_multipart(request, actor, services)
    return await _start_upload(request, actor, services)


@router.post(
    f"/{INIT}",
    status_code=201,
    response_model=UploadStartedResponse,
    summary="Start an upload",
    openapi_extra={
        "requestBody": {
            "required": False,
            "content": {"application/json": {"schema": init_body_schema()}},
        }
    },
)
@body_rules(checks_own_text=True)
async def init_media(
    request: Request, actor: CurrentActor, services: Services
) -> UploadStartedResponse:
    return await _start_upload(request, actor, services)


@router.post(
    f"/{UPLOAD}",
    status_code=201,
    response_model=UploadedResponse,
    summary="Upload a file in one step (multipart: file, alt, title, caption, description)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"multipart/form-data": {"schema": upload_form_schema()}},
        }
    },
)
@body_rules(carries_file=True)
async def upload_media(
    request: Request, actor: CurrentActor, services: Services
) -> UploadedResponse:
    return await _upload_multipart(request, actor, services)


async def _start_upload(
    request: Request, actor: Actor, services: AppServices
) -> UploadStartedResponse:
    uploads.check_may_upload(actor)
    raw = await request.body()
    try:
        body = InitUploadBody.model_validate(orjson.loads(raw) if raw.strip() else {})
    except orjson.JSONDecodeError as exc:
        raise Invalid("Malformed JSON body", details=[FieldError("body", str(exc))]) from exc
    started = await run_in_threadpool(
        uploads.start_upload,
        services.uow(),
        services.media,
        actor,
        filename=body.filename,
        mime_type=body.mimeType,
        size=body.size,
    )
    upload_url = started.upload_url or str(
        request.url_for("put_media_upload", media_id=started.asset.id).include_query_params(
            expires=started.expires, signature=started.signature
        )
    )
    ticket = started.asset.upload
    if ticket is None:  # pragma: no cover - a started upload always has one
        raise RuntimeError("a started upload has no ticket")
    return UploadStartedResponse(
        mediaId=started.asset.id,
        uploadUrl=upload_url,
        uploadToken=started.token,
        requiredHeaders={"Content-Type": started.content_type, "X-Upload-Token": started.token},
        expiresAt=ticket.expires_at,
        media=_out(services, started.asset),
    )


async def _upload_multipart(
    request: Request, actor: Actor, services: AppServices
) -> UploadedResponse:
    uploads.check_may_upload(actor)  # before reading a file a viewer could not keep
    async with read_form_upload(request, services.media.policy.max_bytes) as form:
        # Invalid fields raise pydantic's ValidationError: the shared handler names them.
        metadata = MetadataIn.model_validate(form.fields)
        focal = _focal_from_form(form.fields)
        asset = await run_in_threadpool(
            uploads.upload_media,
            services.uow,
            services.media,
            actor,
            form.file.file,
            filename=form.file.filename,
            metadata=metadata.metadata(),
            focal_point=focal,
        )
    return UploadedResponse(mediaId=asset.id, media=_out(services, asset))


def _focal_from_form(fields: dict[str, str]) -> FocalPoint | None:
    if "focalX" not in fields and "focalY" not in fields:
        return None
    return FocalPointForm.model_validate(fields).focal_point()


@router.put(
    "/{media_id}/upload",
    name="put_media_upload",
    response_model=UploadReceivedResponse,
    summary="Receive the bytes of a direct upload (the local backend's upload URL)",
    openapi_extra={
        "requestBody": {
            "required": False,
            "description": "The file's bytes, with the init call's requiredHeaders",
            "content": {"application/octet-stream": {"schema": {}}},
        }
    },
)
@body_rules(carries_file=True)
async def put_media_upload(
    media_id: MediaIdPath,
    request: Request,
    services: Services,
    x_upload_token: Annotated[str | None, Header(max_length=200)] = None,
    expires: int | None = Query(None, ge=0, le=2**40),
    signature: str | None = Query(None, max_length=128),
) -> UploadReceivedResponse:
    ticket = await run_in_threadpool(
        partial(
            uploads.authorize_upload,
            services.read_uow(),
            services.media,
            media_id,
            x_upload_token,
            expires=expires,
            signature=signature,
        )
    )
    async with spool_body(request, uploads.upload_limit(services.media, ticket)) as body:
        size = await run_in_threadpool(uploads.store_upload, services.media, ticket, body)
    return UploadReceivedResponse(mediaId=media_id, size=size)


@router.post("/{media_id}/finalize", response_model=MediaResponse, summary="Finish a direct upload")
@body_rules(checks_own_text=True)
def finalize_media(
    media_id: MediaIdPath, actor: CurrentActor, services: Services, body: FinalizeBody | None = None
) -> MediaResponse:
    parsed = body or FinalizeBody()
    asset = uploads.finalize_upload(
        services.uow,
        services.media,
        actor,
        media_id,
        token=parsed.uploadToken,
        filename=parsed.filename,
        size=parsed.size,
        sha256=parsed.sha256,
        metadata=parsed.metadata(),
    )
    return MediaResponse(media=_out(services, asset))


# --- the library ---------------------------------------------------------------------------


@router.get("", response_model=MediaList, summary="List media")
def list_media(
    actor: CurrentActor,
    services: Services,
    q: str | None = Query(
        None, max_length=limits.MAX_SEARCH, description="Search filename, alt and title"
    ),
    search: str | None = Query(None, max_length=limits.MAX_SEARCH, description="Alias of q"),
    mimeType: str | None = Query(
        None, max_length=limits.MAX_MIME_TYPE, description="image, image/, image/png"
    ),
    type: str | None = Query(
        None, max_length=limits.MAX_MIME_TYPE, description="Alias of mimeType"
    ),
    sortBy: str | None = Query(
        None,
        pattern=f"^(?:{'|'.join(_SORTS)})?$",
        description=f"One of {', '.join(_SORTS)} (default createdAt)",
    ),
    sortDir: SortDirParam = None,
    page: PageParam = None,
    pageSize: PageSizeParam = None,
    limit: PageSizeParam = None,
    offset: OffsetParam = None,
) -> MediaList:
    size, start = page_window(
        limit=pageSize if pageSize is not None else limit, offset=offset, page=page
    )
    sort = _SORTS.get(sortBy or "createdAt")
    if sort is None:
        raise Invalid(
            "Unknown sortBy", details=[FieldError("sortBy", f"one of {', '.join(_SORTS)}")]
        )
    query = MediaQuery(
        search=q or search,
        mime_type=mimeType or type,
        sort=sort,
        descending=parse_direction(sortDir, True, "sortDir"),
        limit=size,
        offset=start,
    )
    items, total = media.list_media(services.read_uow(), actor, query)
    return MediaList(
        items=[_out(services, a) for a in items], pagination=Pagination.of(total, size, start)
    )


@router.get(ASSET, response_model=MediaResponse, summary="Get one media asset")
def get_media(media_id: MediaIdPath, actor: CurrentActor, services: Services) -> MediaResponse:
    asset = media.get_media(services.read_uow(), actor, media_id)
    return MediaResponse(media=_out(services, asset))


@router.patch(ASSET, response_model=MediaResponse, summary="Edit alt, caption...")
def patch_media(
    media_id: MediaIdPath, body: MediaPatch, actor: CurrentActor, services: Services
) -> MediaResponse:
    asset = media.update_media(
        services.uow(),
        services.media,
        actor,
        media_id,
        body.metadata(),
        body.focal_point(),
    )
    return MediaResponse(media=_out(services, asset))


@router.delete(ASSET, response_model=MediaDeleteResponse, summary="Delete media")
def delete_media(
    media_id: MediaIdPath,
    actor: CurrentActor,
    services: Services,
    force: str | None = flag_query("Delete even if documents use it"),
) -> MediaDeleteResponse:
    asset = media.delete_media(
        services.uow,
        services.media,
        actor,
        media_id,
        force=parse_flag(force, "force"),
    )
    return MediaDeleteResponse(media=_out(services, asset))
