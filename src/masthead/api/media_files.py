"""Public media files: ``GET /media/<sha256>/<filename>[?w=&h=&fit=&format=&q=&fp=]``.

Shared by every dialect (they all hand out these URLs). The URL is the capability: the hash
of the bytes plus the asset's name, so no login. Originals and fully specified renditions
never change under their URL, hence immutable caching; a crop that follows the asset's
current focal point may change, so it is cached for an hour only. Files that a browser could
run (SVG, PDF, anything that is not a raster image, audio or video) are sent as attachments
under a sandboxing Content-Security-Policy, never inline: a PDF can carry scripts and forms,
and browsers' built-in PDF viewers do not reliably render a sandboxed document, so
inline-with-sandbox could show a blank page where an attachment always works. To offer PDFs
for viewing in the browser, serve media from another origin (MASTHEAD_MEDIA_BASE_URL).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from starlette.responses import Response, StreamingResponse

from masthead.api.context import Services
from masthead.api.http import etag_matches
from masthead.api.openapi import PROBLEM_RESPONSE
from masthead.api.query_params import any_case_pattern
from masthead.core.blobs import CHUNK_SIZE, BlobStore
from masthead.core.errors import MediaNotFound
from masthead.core.services.media import ServedFile, find_served_file
from masthead.core.transforms import (
    MAX_DIMENSION,
    RASTER_MIME_TYPES,
    Fit,
    OutputFormat,
    parse_transform,
)

router = APIRouter(tags=["media files"])

_SHA256 = re.compile(r"[0-9a-f]{64}")
_RANGE = re.compile(r"bytes=(\d*)-(\d*)")
IMMUTABLE = "public, max-age=31536000, immutable"
MUTABLE = "public, max-age=3600"
SANDBOX = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


def _is_inline_safe(mime_type: str) -> bool:
    """Passive types a browser only displays; everything else is an attachment."""
    return mime_type in RASTER_MIME_TYPES or mime_type.startswith(("audio/", "video/"))


# What the document says these routes answer: the bytes (whole, a range, or not modified), or
# a problem (render_problem): unknown file, bad transform parameters, rate limited.
_FILE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "The file", "content": {"*/*": {}}},
    206: {"description": "The requested range of the file", "content": {"*/*": {}}},
    304: {"description": "Not modified (If-None-Match)"},
    404: PROBLEM_RESPONSE,
    416: {"description": "The range starts past the end of the file"},
    422: PROBLEM_RESPONSE,
    429: PROBLEM_RESPONSE,
}


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "schema": schema, "description": description}


# The transform parameters parse_transform reads (the handler takes the query whole).
_TRANSFORM_PARAMETERS = [
    _query("w", {"type": "integer", "minimum": 1, "maximum": MAX_DIMENSION}, "Width"),
    _query("h", {"type": "integer", "minimum": 1, "maximum": MAX_DIMENSION}, "Height"),
    _query("fit", {"type": "string", "pattern": any_case_pattern(Fit)}, "Default inside"),
    _query("format", {"type": "string", "pattern": any_case_pattern(OutputFormat)}, "Default webp"),
    _query("q", {"type": "integer", "minimum": 1, "maximum": 100}, "Quality, default 80"),
    _query("fp", {"type": "string"}, "Focal point x,y, each 0..1 (default: the asset's)"),
]


@router.get(
    "/media/{sha256}/{filename}",
    summary="A media file or a rendition of it (with w or h: a rendition)",
    response_class=Response,
    operation_id="get_media_file",
    responses=_FILE_RESPONSES,
    openapi_extra={"parameters": _TRANSFORM_PARAMETERS},
)
@router.head(
    "/media/{sha256}/{filename}",
    summary="Headers of a media file or rendition",
    response_class=Response,
    operation_id="head_media_file",
    responses=_FILE_RESPONSES,
    openapi_extra={"parameters": _TRANSFORM_PARAMETERS},
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
    if etag_matches(request.headers.get("if-none-match"), headers["ETag"]):
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
