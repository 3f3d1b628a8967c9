"""The apps API's wire shapes (``apps-content-api.txt``): entries as ``{id, data}`` (the id is
the document's slug; ``data`` its title and fields), uploads as ``{hash, filename, mime,
size}``, schemas as JSON Schema documents with a ``kind``, and the error bodies.

A media field holds an asset id in the core; it is shown here as the upload reference
``{hash, filename, mime}`` that clients send (an external URL is shown as stored).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal
from uuid import UUID

from pydantic import Field

from masthead.api.wire import WireModel
from masthead.core.documents import Document
from masthead.core.media import MediaAsset


class AppsError(WireModel):
    error: str


class AppsValidationError(WireModel):
    errors: list[str] = Field(
        description='Messages "path: message", as Rust\'s jsonschema crate words them'
    )


class EntryOut(WireModel):
    id: str = Field(description="The entry's id: its slug, unique within the schema")
    data: dict[str, Any]


class CreatedOut(WireModel):
    id: str


class UploadOut(WireModel):
    hash: str = Field(description="SHA-256 of the bytes, lowercase hex")
    filename: str
    mime: str
    size: int


class SchemaOut(WireModel):
    slug: str
    name: str
    kind: Literal["collection", "single"]
    schema_: dict[str, Any] = Field(alias="schema", serialization_alias="schema")


def _uuid(value: Any) -> UUID | None:
    if not isinstance(value, str):
        return None
    try:
        return UUID(value)
    except ValueError:
        return None


def media_ids(items: Iterable[Document]) -> set[UUID]:
    """Ids a page of entries may hold in media fields (top-level values that are UUIDs)."""
    return {u for d in items for v in d.data.values() if (u := _uuid(v)) is not None}


def upload_reference(asset: MediaAsset) -> dict[str, Any]:
    return {"hash": asset.sha256, "filename": asset.filename, "mime": asset.mime_type}


def shape_upload(asset: MediaAsset) -> dict[str, Any]:
    return {**upload_reference(asset), "size": asset.size}


def entry_data(document: Document, assets: dict[UUID, MediaAsset]) -> dict[str, Any]:
    """The title and fields, media as upload references."""
    data: dict[str, Any] = {"title": document.title}
    for name, value in document.data.items():
        asset = assets.get(u) if (u := _uuid(value)) is not None else None
        data[name] = upload_reference(asset) if asset is not None else value
    return data
