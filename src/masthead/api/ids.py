"""Ids in paths: text that is not a Masthead id names nothing, so it is not found, never 422.

``native-v1-behaviour.md`` (Ids in paths): ``/v1/documents/doc_missing`` answers exactly like a
well-formed id that does not exist. Every dialect declares its id path parameters with the
aliases here (a parameter of another name gets its own small dependency beside them), so the
rule holds for all of them. No dialect is imported here.

A path id that is not a UUID reaches the core as ``NOTHING``, an id no row has, rather than
being refused here: the core then answers it exactly as any unknown id, after the same
authentication, role and upload-signature checks (a viewer's write is 403 either way, an
unsigned upload URL 401), which an early 404 would skip. So these aliases serve routes that
look a resource up; a route that creates one under an id from the path must not use them.
"""

from __future__ import annotations

import re
from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends, Path
from starlette.convertors import StringConvertor, register_url_convertor

NOTHING = UUID(int=0)
"""The nil UUID: Masthead makes every id with uuid4, whose version bits it lacks."""

_UUID = re.compile(r"[0-9a-f]{8}(-?)[0-9a-f]{4}\1[0-9a-f]{4}\1[0-9a-f]{4}\1[0-9a-f]{12}", re.I)
"""Hyphenated or 32 hex digits, the forms accepted before ids were read here."""


def parse_id(raw: str) -> UUID:
    """``raw`` as a UUID, or ``NOTHING`` when it is not one."""
    if not _UUID.fullmatch(raw):
        return NOTHING
    return UUID(raw)


def _uuid_text(description: str) -> Any:
    """A path parameter read as text, documented as a UUID."""
    return Path(description=description, json_schema_extra={"format": "uuid"})


async def document_id_from_path(
    document_id: Annotated[str, _uuid_text("Document id (a UUID)")],
) -> UUID:
    return parse_id(document_id)


async def media_id_from_path(
    media_id: Annotated[str, _uuid_text("Media asset id (a UUID)")],
) -> UUID:
    return parse_id(media_id)


DocumentIdPath = Annotated[UUID, Depends(document_id_from_path)]
"""``{document_id}`` in a route's path."""
MediaIdPath = Annotated[UUID, Depends(media_id_from_path)]
"""``{media_id}`` in a route's path."""


async def user_id_from_path(user_id: Annotated[str, _uuid_text("User id (a UUID)")]) -> UUID:
    return parse_id(user_id)


async def token_id_from_path(
    token_id: Annotated[str, _uuid_text("API token id (a UUID)")],
) -> UUID:
    return parse_id(token_id)


async def form_id_from_path(form_id: Annotated[str, _uuid_text("Form id (a UUID)")]) -> UUID:
    return parse_id(form_id)


async def job_id_from_path(job_id: Annotated[str, _uuid_text("Publish job id (a UUID)")]) -> UUID:
    return parse_id(job_id)


async def release_id_from_path(
    release_id: Annotated[str, _uuid_text("Release id (a UUID)")],
) -> UUID:
    return parse_id(release_id)


JobIdPath = Annotated[UUID, Depends(job_id_from_path)]
"""``{job_id}`` in a route's path."""
ReleaseIdPath = Annotated[UUID, Depends(release_id_from_path)]
"""``{release_id}`` in a route's path."""
UserIdPath = Annotated[UUID, Depends(user_id_from_path)]
"""``{user_id}`` in a route's path."""
TokenIdPath = Annotated[UUID, Depends(token_id_from_path)]
"""``{token_id}`` in a route's path."""
FormIdPath = Annotated[UUID, Depends(form_id_from_path)]
"""``{form_id}`` in a route's path."""


def id_segment(param: str, *literals: str) -> str:
    """``{param:...}``: a path segment for an id that stands beside literal routes (``/init``,
    ``/count``), matching anything but those literals. A method the literal route does not
    serve then answers 405 with its ``Allow`` instead of reaching the id route, which would
    take the literal for an id. Registers one Starlette convertor per set of literals."""
    name = "id_except_" + "_".join(sorted(literals))

    class _IdExcept(StringConvertor):
        regex = "(?!(?:" + "|".join(re.escape(x) for x in sorted(literals)) + ")$)[^/]+"

    register_url_convertor(name, _IdExcept())
    return "{" + param + ":" + name + "}"
