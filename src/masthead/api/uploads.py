"""Reading uploaded files from requests, for every dialect: a multipart form with one file
(Trokky's ``POST /api/media``, /v1's one-step upload, the apps Uploads API), or a raw body
streamed to a spool file (the local backend's upload URL). Sizes are refused as they arrive,
so a file over the limit is never read whole."""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import BinaryIO, cast

from starlette.datastructures import UploadFile
from starlette.requests import Request

from masthead.core.errors import ErrorKind, FieldError, Invalid, PayloadTooLarge

SPOOL_BYTES = 1024 * 1024  # uploads bigger than this wait on disk, not in memory
MAX_FORM_FIELDS = 20


@dataclass(frozen=True)
class FormUpload:
    file: UploadFile
    fields: dict[str, str]  # the form's text fields (alt, title, ...)


@asynccontextmanager
async def read_form_upload(
    request: Request, max_bytes: int, file_field: str = "file"
) -> AsyncIterator[FormUpload]:
    """The one file of a multipart form and its text fields; the file is closed on exit.
    Raises Invalid (no file in ``file_field``), PayloadTooLarge."""
    async with request.form(max_files=1, max_fields=MAX_FORM_FIELDS) as form:
        upload = form.get(file_field)
        if not isinstance(upload, UploadFile):
            raise Invalid(
                f"Send the file in a multipart field named '{file_field}'",
                details=[FieldError(file_field, "required", ErrorKind.REQUIRED)],
            )
        if upload.size is not None and upload.size > max_bytes:
            raise PayloadTooLarge(f"Media files may be at most {max_bytes} bytes")
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        yield FormUpload(upload, fields)


@asynccontextmanager
async def spool_body(request: Request, max_bytes: int) -> AsyncIterator[BinaryIO]:
    """The raw request body in a spooled temporary file, rewound. Raises PayloadTooLarge as
    soon as more than ``max_bytes`` arrive."""
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
        received = 0
        async for chunk in request.stream():
            received += len(chunk)
            if received > max_bytes:
                raise PayloadTooLarge(
                    f"This upload may be at most {max_bytes} bytes (the declared or maximum size)"
                )
            spool.write(chunk)
        spool.seek(0)
        yield cast(BinaryIO, spool)
