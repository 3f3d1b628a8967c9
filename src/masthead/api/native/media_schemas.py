"""Wire models of the native /v1 media routes (``native-v1-routes.md``, media rows)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import Field

from masthead.api.context import AppServices
from masthead.api.native.content_schemas import Pagination
from masthead.api.openapi import TEXT_PATTERN
from masthead.api.wire import WireModel
from masthead.core import limits
from masthead.core.media import METADATA_LIMITS, MediaAsset, MediaUrls
from masthead.core.services.uploads import Metadata
from masthead.core.transforms import RASTER_MIME_TYPES, FocalPoint, TransformSpec

MAX_SIZE = 2**53  # beyond any real file; keeps numbers exact in JSON clients
MimeType = Field(
    None, min_length=1, max_length=limits.MAX_MIME_TYPE, pattern=r"^[\w.+-]+/[\w.+-]+$"
)


class FocalPointIn(WireModel):
    # Strict: numbers, as the document says, not booleans or numeric strings (lax pydantic).
    x: float = Field(ge=0, le=1, strict=True)
    y: float = Field(ge=0, le=1, strict=True)


class FocalPointForm(WireModel):
    """The focal point as multipart fields: both or neither."""

    focalX: float = Field(ge=0, le=1)
    focalY: float = Field(ge=0, le=1)

    def focal_point(self) -> FocalPoint:
        return FocalPoint(self.focalX, self.focalY)


class FocalPointOut(WireModel):
    x: float
    y: float


class MetadataIn(WireModel):
    alt: str | None = Field(None, max_length=limits.MAX_MEDIA_ALT)
    title: str | None = Field(None, max_length=limits.MAX_MEDIA_TITLE)
    caption: str | None = Field(None, max_length=limits.MAX_MEDIA_CAPTION)
    description: str | None = Field(None, max_length=limits.MAX_MEDIA_DESCRIPTION)

    def metadata(self) -> Metadata:
        return Metadata(self.alt, self.title, self.caption, self.description)


class InitUploadBody(WireModel):
    """Every key is optional: the /v1 contract's clients may send no body at all."""

    filename: str | None = Field(None, max_length=limits.MAX_FILENAME)
    mimeType: str | None = MimeType
    size: int | None = Field(None, ge=0, le=MAX_SIZE, strict=True)


class FinalizeBody(MetadataIn):
    uploadToken: str | None = Field(None, max_length=200)
    filename: str | None = Field(None, max_length=limits.MAX_FILENAME)
    mimeType: str | None = Field(
        None, max_length=limits.MAX_MIME_TYPE
    )  # the bytes decide; kept for clients
    size: int | None = Field(None, ge=0, le=MAX_SIZE, strict=True)
    sha256: str | None = Field(None, pattern=r"^[0-9a-f]{64}$", description="Checked if given")
    width: int | None = Field(None, strict=True)  # measured by the server; the client's is ignored
    height: int | None = Field(None, strict=True)


class MediaPatch(MetadataIn):
    focalPoint: FocalPointIn | None = Field(None, description="null clears it")

    def focal_point(self) -> FocalPoint | Literal["clear"] | None:
        if self.focalPoint is None and "focalPoint" in self.model_fields_set:
            return "clear"
        if self.focalPoint is not None:
            return FocalPoint(self.focalPoint.x, self.focalPoint.y)
        return None


class MediaOut(WireModel):
    id: UUID
    status: str
    filename: str
    originalFilename: str
    mimeType: str
    size: int
    hash: str | None
    width: int | None
    height: int | None
    alt: str
    title: str
    caption: str
    description: str
    focalPoint: FocalPointOut | None
    url: str | None
    variants: dict[str, str | None]
    createdBy: UUID | None
    createdAt: datetime
    updatedAt: datetime

    @classmethod
    def of(cls, asset: MediaAsset, urls: MediaUrls, variants: dict[str, TransformSpec]) -> MediaOut:
        focal = asset.focal_point
        return cls(
            id=asset.id,
            status=asset.status.value,
            filename=asset.filename,
            originalFilename=asset.original_filename,
            mimeType=asset.mime_type,
            size=asset.size,
            hash=asset.sha256,
            width=asset.width,
            height=asset.height,
            alt=asset.alt,
            title=asset.title,
            caption=asset.caption,
            description=asset.description,
            focalPoint=FocalPointOut(x=focal.x, y=focal.y) if focal else None,
            url=urls.original(asset),
            variants=urls.variants(asset, variants, is_raster=asset.mime_type in RASTER_MIME_TYPES),
            createdBy=asset.created_by,
            createdAt=asset.created_at,
            updatedAt=asset.updated_at,
        )


class UploadStartedResponse(WireModel):
    mediaId: UUID
    uploadUrl: str
    uploadToken: str
    requiredHeaders: dict[str, str]
    method: str = "PUT"
    expiresAt: datetime
    media: MediaOut


class UploadReceivedResponse(WireModel):
    ok: bool = True
    mediaId: UUID
    size: int


class MediaResponse(WireModel):
    media: MediaOut


class UploadedResponse(WireModel):
    """One-step upload: the ready asset (``mediaId`` too, like the two-step init)."""

    mediaId: UUID
    media: MediaOut


class MediaList(WireModel):
    items: list[MediaOut]
    pagination: Pagination


class MediaDeleteResponse(WireModel):
    ok: bool = True
    deleted: bool = True
    media: MediaOut


def init_body_schema() -> dict[str, Any]:
    """``InitUploadBody`` for the OpenAPI document of the routes that read it themselves (the
    contract's clients may send no body, or any content type, at all)."""
    return InitUploadBody.model_json_schema()


def upload_form_schema() -> dict[str, Any]:
    """The one-step upload's multipart form, for the OpenAPI document of the routes that read
    the form themselves: ``file``, ``MetadataIn``'s fields (text without NUL) and the focal
    point. The fields name no JSON type: a form's values are all text, which the server reads
    as it needs (and a JSON null or empty object is sent as no field at all)."""
    text = {
        name: {"maxLength": limit, "pattern": TEXT_PATTERN, "description": "Text"}
        for name, limit in METADATA_LIMITS.items()
    }
    focal = {"minimum": 0, "maximum": 1}
    return {
        "type": "object",
        "required": ["file"],
        "properties": {
            "file": {"type": "string", "format": "binary"},
            **text,
            "focalX": {**focal, "description": "With focalY, or neither: 0..1 from the left"},
            "focalY": {**focal, "description": "With focalX, or neither: 0..1 from the top"},
        },
    }


def media_renderer(services: AppServices) -> Callable[[MediaAsset], dict[str, Any]]:
    """How documents inline an expanded media field: the asset as GET /v1/media/:id shows it."""

    def render(asset: MediaAsset) -> dict[str, Any]:
        out = MediaOut.of(asset, services.media_urls, services.media.policy.variants)
        return out.model_dump(mode="json")

    return render
