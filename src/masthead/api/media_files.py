"""Public media files: ``GET /media/<sha256>/<filename>[?w=&h=&fit=&format=&q=&fp=]``.

Shared by every dialect (they all hand out these URLs). The URL is the capability: the hash
of the bytes plus the asset's name, so no login. Originals and fully specified renditions
never change under their URL, hence immutable caching; a crop that follows the asset's
current focal point may change, so it is cached for an hour only. Files that a browser could
run (SVG, anything not an image, PDF, audio or video) are sent as attachments under a
sandboxing Content-Security-Policy, never inline.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import quote

from fastapi import APIRouter, Request
from starlette.responses import Response, StreamingResponse

from masthead.api.context import Services
from masthead.core.blobs import CHUNK_SIZE, BlobStore
from masthead.core.errors import MediaNotFound
from masthead.core.services.media import ServedFile, find_served_file
from masthead.core.transforms import RASTER_MIME_TYPES, parse_transform

router = APIRouter(tags=["media files"])

_SHA256 = re.compile(r"[0-9a-f]{64}")
_RANGE = re.compile(r"bytes=(\d*)-(\d*)")
IMMUTABLE = "public, max-age=31536000, immutable"
MUTABLE = "public, max-age=3600"
SANDBOX = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


def _is_inline_safe(mime_type: str) -> bool:
    return (
        mime_type in RASTER_MIME_TYPES
        or mime_type == "application/pdf"
        or mime_type.startswith(("audio/", "video/"))
    )


@router.get(
    "/media/{sha256}/{filename}",
    summary="A media file or a rendition of it",
    response_class=Response,
    operation_id="get_media_file",
)
@router.head(
    "/media/{sha256}/{filename}",
    summary="Headers of a media file or rendition",
    response_class=Response,
    operation_id="head_media_file",
)
def serve_media_file(sha256: str, filename: str, request: Request, services: Services) -> Response:
    if not _SHA256.fullmatch(sha256):
        raise MediaNotFound()
    params = dict(request.query_params)
    spec = parse_transform(params)
    served = find_served_file(
        services.read_uow(),
        services.uow,
        services.media,
        sha256,
        filename,
        spec,
        focal_given="fp" in params,
    )
    headers = _headers(served)
    if _etag_matches(request.headers.get("if-none-match"), headers["ETag"]):
        return Response(status_code=304, headers=headers)
    try:
        byte_range = _byte_range(request, served, headers["ETag"])
    except _Unsatisfiable:
        return Response(
            status_code=416, headers={**headers, "Content-Range": f"bytes */{served.size}"}
        )
    start, end = byte_range or (0, served.size - 1)
    headers["Content-Length"] = str(end - start + 1)
    status = 200
    if byte_range is not None:
        status = 206
        headers["Content-Range"] = f"bytes {start}-{end}/{served.size}"
    if request.method == "HEAD":
        return Response(status_code=status, headers=headers, media_type=served.mime_type)
    blobs = services.media.blobs
    return StreamingResponse(
        _chunks(blobs, served.sha256, byte_range),
        status_code=status,
        headers=headers,
        media_type=served.mime_type,
    )


def _headers(served: ServedFile) -> dict[str, str]:
    disposition = "inline" if _is_inline_safe(served.mime_type) else "attachment"
    headers = {
        "ETag": f'"{served.sha256}"',
        "Cache-Control": IMMUTABLE if served.is_immutable else MUTABLE,
        "Accept-Ranges": "bytes",
        "X-Content-Type-Options": "nosniff",
        "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(served.filename)}",
    }
    if disposition == "attachment":
        headers["Content-Security-Policy"] = SANDBOX
    return headers


def _etag_matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    tags = {t.strip().removeprefix("W/") for t in header.split(",")}
    return "*" in tags or etag in tags


class _Unsatisfiable(Exception):
    """The Range starts beyond the file: 416."""


def _byte_range(request: Request, served: ServedFile, etag: str) -> tuple[int, int] | None:
    """The single range asked for, or None for the whole file (no or ignorable Range header,
    several ranges, or a stale If-Range). Raises _Unsatisfiable."""
    header = request.headers.get("range")
    if not header or served.size == 0:
        return None
    if_range = request.headers.get("if-range")
    if if_range is not None and if_range.strip() != etag:
        return None
    match = _RANGE.fullmatch(header.strip())
    if match is None:
        return None  # several ranges or another unit: RFC 9110 lets us send it all
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # the last N bytes
        length = int(last)
        if length == 0:
            raise _Unsatisfiable()
        return max(served.size - length, 0), served.size - 1
    start = int(first)
    end = min(int(last), served.size - 1) if last else served.size - 1
    if start >= served.size:
        raise _Unsatisfiable()
    if end < start:
        return None
    return start, end


def _chunks(blobs: BlobStore, sha256: str, byte_range: tuple[int, int] | None) -> Iterator[bytes]:
    with blobs.open(sha256, byte_range) as stream:
        while chunk := stream.read(CHUNK_SIZE):
            yield chunk
