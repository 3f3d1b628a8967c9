"""Media assets as values: the asset, its renditions, list queries, the upload policy and the
public URLs every dialect hands out.

Pure rules only (filename sanitising, what a policy accepts, how URLs are built); the flows
that touch storage live in ``services/media.py``.
"""

from __future__ import annotations

import enum
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import datetime
from urllib.parse import quote
from uuid import UUID

from masthead.core import limits
from masthead.core.errors import ErrorKind, FieldError, Invalid, MediaRejected, PayloadTooLarge
from masthead.core.paging import DEFAULT_LIMIT
from masthead.core.sniffing import is_allowed
from masthead.core.storable import text_problem
from masthead.core.transforms import FocalPoint, TransformSpec

MAX_FILENAME_BYTES = 200
DEFAULT_FILENAME = "file"


class MediaStatus(enum.StrEnum):
    PENDING = "pending"  # created by init: waiting for its bytes and finalize
    READY = "ready"


@dataclass(frozen=True)
class UploadTicket:
    """What a pending asset remembers of its direct upload. The token itself is never kept."""

    temp_key: str
    token_hash: str
    expires_at: datetime
    declared_size: int | None
    declared_mime_type: str | None


@dataclass(frozen=True)
class MediaAsset:
    id: UUID
    space_id: UUID
    status: MediaStatus
    filename: str
    original_filename: str
    mime_type: str
    size: int
    sha256: str | None  # None while pending
    width: int | None
    height: int | None
    alt: str
    title: str
    caption: str
    description: str
    focal_point: FocalPoint | None
    created_by: UUID | None
    created_at: datetime
    updated_at: datetime
    upload: UploadTicket | None = None

    @property
    def is_ready(self) -> bool:
        return self.status is MediaStatus.READY

    def evolve(self, **changes: object) -> MediaAsset:
        return replace(self, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Rendition:
    """A derived image (variant or transform) of a source blob, itself a stored blob."""

    source_sha256: str
    key: str  # TransformSpec.key
    sha256: str
    size: int
    width: int
    height: int
    mime_type: str


class MediaSort(enum.StrEnum):
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"
    FILENAME = "filename"
    SIZE = "size"
    MIME_TYPE = "mime_type"


@dataclass(frozen=True)
class MediaQuery:
    """A page of a space's ready assets. ``mime_type`` is a type (``image/png``) or a prefix
    (``image``, ``image/``); ``search`` matches filename, alt and title, case-insensitively."""

    search: str | None = None
    mime_type: str | None = None
    sort: MediaSort = MediaSort.CREATED_AT
    descending: bool = True
    limit: int = DEFAULT_LIMIT
    offset: int = 0


@dataclass(frozen=True)
class MediaPolicy:
    """What uploads Masthead accepts and which renditions it makes (from settings)."""

    allowed_types: tuple[str, ...]
    max_bytes: int
    variants: dict[str, TransformSpec] = field(default_factory=dict)
    upload_ttl_seconds: int = 3600
    max_renditions: int = 50

    def check_declared(self, size: int | None, mime_type: str | None) -> None:
        """Refuse early what the client says it will send; the bytes are checked again."""
        if size is not None:
            self.check_size(size)
        if mime_type is not None and not is_allowed(mime_type, self.allowed_types):
            raise MediaRejected(
                f"Files of type {mime_type} are not accepted",
                details=[FieldError("mimeType", "not an accepted type")],
            )

    def check_size(self, size: int) -> None:
        if size <= 0:
            raise MediaRejected(
                "The file is empty", details=[FieldError("size", "must be at least 1 byte")]
            )
        if size > self.max_bytes:
            raise PayloadTooLarge(f"Media files may be at most {self.max_bytes} bytes")

    def check_sniffed(self, sniffed: str | None) -> str:
        if sniffed is None:
            raise MediaRejected(
                "The file's contents are not of any accepted type",
                details=[FieldError("file", "unrecognised or not accepted content")],
            )
        if not is_allowed(sniffed, self.allowed_types):
            raise MediaRejected(
                f"Files of type {sniffed} are not accepted",
                details=[FieldError("file", f"{sniffed} is not an accepted type")],
            )
        return sniffed


def sanitize_filename(raw: str | None) -> str:
    """A safe display and URL name: the last path segment, no control or format characters,
    NFC, trimmed, at most 200 bytes (the extension kept). Never empty."""
    if not raw:
        return DEFAULT_FILENAME
    name = unicodedata.normalize("NFC", str(raw)).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    name = " ".join(name.split()).strip(" .")
    if not name:
        return DEFAULT_FILENAME
    if len(name.encode()) > MAX_FILENAME_BYTES:
        stem, dot, ext = name.rpartition(".")
        ext = ext if dot and len(ext.encode()) <= 16 else ""
        budget = MAX_FILENAME_BYTES - len(ext.encode()) - (1 if ext else 0)
        stem = (stem if ext else name).encode()[:budget].decode(errors="ignore").rstrip(" .")
        name = f"{stem}.{ext}" if ext else stem
    return name or DEFAULT_FILENAME


METADATA_LIMITS = {
    "alt": limits.MAX_MEDIA_ALT,
    "title": limits.MAX_MEDIA_TITLE,
    "caption": limits.MAX_MEDIA_CAPTION,
    "description": limits.MAX_MEDIA_DESCRIPTION,
}


def check_metadata(**values: str | None) -> None:
    """alt, title, caption, description: strings of reasonable size that can be stored
    (core/storable.py: no NUL, which PostgreSQL cannot hold, and no lone surrogate, which
    nothing can encode; JSON bodies are already guarded at the HTTP edge, multipart fields
    and the CLI are not)."""
    details = [
        FieldError(
            name,
            f"at most {METADATA_LIMITS[name]} characters",
            ErrorKind.MAX_LENGTH,
            {"limit": METADATA_LIMITS[name], "value": value},
        )
        for name, value in values.items()
        if value is not None and len(value) > METADATA_LIMITS[name]
    ]
    details += [
        FieldError(name, problem)
        for name, value in values.items()
        if value is not None and (problem := text_problem(value)) is not None
    ]
    if details:
        raise Invalid("Invalid media metadata", details=details)


@dataclass(frozen=True)
class MediaUrls:
    """Builds the public URLs of assets: ``<base>/<sha256>/<filename>[?transform]``.

    ``base`` is ``/media`` (served by Masthead) or a CDN's origin in front of it.
    """

    base: str = "/media"

    def original(self, asset: MediaAsset) -> str | None:
        if asset.sha256 is None:
            return None
        return f"{self.base.rstrip('/')}/{asset.sha256}/{quote(asset.filename, safe='')}"

    def transformed(self, asset: MediaAsset, spec: TransformSpec) -> str | None:
        url = self.original(asset)
        if url is None:
            return None
        return f"{url}?{spec.with_focal(asset.focal_point or spec.focal).key}"

    def variants(
        self, asset: MediaAsset, variants: dict[str, TransformSpec], *, is_raster: bool
    ) -> dict[str, str | None]:
        if not is_raster:
            return dict.fromkeys(variants)
        return {name: self.transformed(asset, spec) for name, spec in variants.items()}
