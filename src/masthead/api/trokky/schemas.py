"""Trokky wire shapes: documents flat with ``_id``/``_type``/``_createdAt``/``_updatedAt`` and
slugs as ``{"current": ...}``, media items, users, and the OpenAPI models describing them.

Name mapping (``docs/trokky-api.md``): Trokky's ``content`` is the built-in types' ``body``
field (on types that have ``body`` and no ``content`` of their own), and the system names
``_id``, ``_type``, ``_createdAt``, ``_updatedAt`` are Masthead's ``id``, ``type``,
``createdAt``, ``updatedAt``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from pydantic import ConfigDict, Field

from masthead.api.expansion import MediaRenderer, inline_expanded
from masthead.api.wire import WireModel
from masthead.core.content_types import ContentType
from masthead.core.documents import Document, Expanded
from masthead.core.errors import ErrorKind, FieldError, Invalid
from masthead.core.media import MediaAsset, MediaUrls
from masthead.core.models import Role, User
from masthead.core.services.documents import DocumentInput
from masthead.core.transforms import RASTER_MIME_TYPES, TransformSpec
from masthead.core.workflow import Status

ALIASES = {"content": "body"}
"""Trokky key → Masthead field, used where the type has the field and not the key."""
SYSTEM_NAMES = {"_id": "id", "_type": "type", "_createdAt": "createdAt", "_updatedAt": "updatedAt"}
READ_ONLY_KEYS = frozenset({"_id", "_createdAt", "_updatedAt", "_rev"})


def timestamp(value: datetime | None) -> str | None:
    """``2024-01-15T10:00:00Z``, as the document writes times."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _aliases(content_type: ContentType | None) -> dict[str, str]:
    if content_type is None:
        return {}
    return {
        key: field
        for key, field in ALIASES.items()
        if content_type.field(key) is None and content_type.field(field) is not None
    }


def core_name(name: str, content_type: ContentType | None) -> str:
    """A Trokky field name (in a filter, a sort or a body) as the core names it."""
    return SYSTEM_NAMES.get(name) or _aliases(content_type).get(name, name)


def wire_name(name: str, content_type: ContentType | None) -> str:
    """A field of ``content_type`` as Trokky names it."""
    for key, field in _aliases(content_type).items():
        if field == name:
            return key
    return name


# --- documents ---------------------------------------------------------------------------------


class DocumentShaper:
    """Shapes documents (and the documents and media expanded into them) for the wire."""

    def __init__(self, types: Mapping[str, ContentType], render_media: MediaRenderer | None):
        self.types = types
        self.render_media = render_media

    def shape(
        self,
        document: Document,
        expanded: Mapping[UUID, Expanded] | None = None,
        paths: tuple[str, ...] = (),
    ) -> dict[str, Any]:
        content_type = self.types.get(document.type)
        resolved = expanded or {}

        def child(target: Document, below: tuple[str, ...]) -> dict[str, Any]:
            return self.shape(target, resolved, below)

        core_paths = tuple(_core_path(p, content_type) for p in paths)
        data = inline_expanded(document.data, resolved, core_paths, child, self.render_media)
        out: dict[str, Any] = {
            "_id": str(document.id),
            "_type": document.type,
            "_createdAt": timestamp(document.created_at),
            "_updatedAt": timestamp(document.updated_at),
            "title": document.title,
            "slug": {"current": document.slug},
            "status": document.status.value,
        }
        if document.published_at is not None:
            out["publishedAt"] = timestamp(document.published_at)
        for name, value in data.items():
            out[wire_name(name, content_type)] = value
        return out


def _core_path(path: str, content_type: ContentType | None) -> str:
    head, dot, rest = path.partition(".")
    return core_name(head, content_type) + dot + rest


def _status(value: Any) -> Status:
    try:
        return Status(value)
    except ValueError as exc:
        allowed = [s.value for s in Status]
        raise Invalid(
            "Unknown status",
            details=[
                FieldError(
                    "status",
                    f"use one of {', '.join(allowed)}",
                    ErrorKind.ENUM,
                    {"allowed": allowed, "value": value},
                )
            ],
        ) from exc


def _slug(value: Any) -> Any:
    """``{"current": "my-post"}`` (Trokky's shape) or a plain string."""
    if isinstance(value, dict):
        if set(value) - {"current", "_type"}:
            raise Invalid(
                "Invalid slug",
                details=[FieldError("slug", 'use "my-slug" or {"current": "my-slug"}')],
            )
        return value.get("current")
    return value


def document_input(
    body: Mapping[str, Any], type_name: str, content_type: ContentType | None
) -> DocumentInput:
    """A Trokky body as the core's input. ``_type`` must be the path's type; the read-only
    system keys are ignored; ``status`` asks the workflow for that status; ``publishedAt``
    is the workflow's to stamp unless the type has a field of that name."""
    data: dict[str, Any] = {}
    status: Status | None = None
    for key, value in body.items():
        if key in READ_ONLY_KEYS:
            continue
        if key == "_type":
            if value != type_name:
                raise Invalid(
                    "The body's _type differs from the path's type",
                    details=[FieldError("_type", f"must be '{type_name}'", ErrorKind.INVALID)],
                )
            continue
        if key == "status":
            status = _status(value)
            continue
        if key == "publishedAt" and (content_type is None or content_type.field(key) is None):
            continue
        name = core_name(key, content_type)
        data[name] = _slug(value) if name == "slug" else value
    title = data.pop("title", None)
    slug = data.pop("slug", None)
    return DocumentInput(type=type_name, title=title, slug=slug, data=data, status=status)


# --- media -------------------------------------------------------------------------------------


def shape_media(
    asset: MediaAsset, urls: MediaUrls, variants: dict[str, TransformSpec]
) -> dict[str, Any]:
    return {
        "_id": str(asset.id),
        "filename": asset.filename,
        "originalFilename": asset.original_filename,
        "mimeType": asset.mime_type,
        "size": asset.size,
        "width": asset.width,
        "height": asset.height,
        "alt": asset.alt,
        "title": asset.title,
        "url": urls.original(asset),
        "variants": urls.variants(asset, variants, is_raster=asset.mime_type in RASTER_MIME_TYPES),
        "createdAt": timestamp(asset.created_at),
        "updatedAt": timestamp(asset.updated_at),
    }


MediaShaper = Callable[[MediaAsset], dict[str, Any]]


# --- users -------------------------------------------------------------------------------------


def role_of(user: User, space_id: UUID | None) -> str:
    """The user's role in the space (superusers: admin; no membership there: their first)."""
    if user.is_superuser:
        return Role.ADMIN.value
    role = user.role_in(space_id) if space_id else None
    if role is None and user.memberships:
        role = user.memberships[0].role
    return role.value if role else Role.VIEWER.value


def shape_user(user: User, space_id: UUID | None) -> dict[str, Any]:
    return {
        "id": str(user.id),
        "username": user.username,
        "role": role_of(user, space_id),
        "name": user.name or user.username,
    }


# --- OpenAPI models (responses are shaped as dicts above; these document them) -------------


class TrokkyDocumentOut(WireModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)

    id: str = Field(alias="_id")
    type: str = Field(alias="_type")
    createdAt: str = Field(alias="_createdAt")
    updatedAt: str = Field(alias="_updatedAt")


class ListMeta(WireModel):
    total: int
    limit: int
    offset: int


class DocumentListOut(WireModel):
    data: list[TrokkyDocumentOut]
    meta: ListMeta


class DocumentOut(WireModel):
    data: TrokkyDocumentOut


class CountOut(WireModel):
    count: int


class ExistsOut(WireModel):
    exists: bool


class SuccessOut(WireModel):
    success: bool = True


class MediaItemOut(WireModel):
    id: str = Field(alias="_id")
    filename: str
    originalFilename: str
    mimeType: str
    size: int
    width: int | None
    height: int | None
    alt: str
    title: str
    url: str | None
    variants: dict[str, str | None]
    createdAt: str
    updatedAt: str


class MediaListOut(WireModel):
    data: list[MediaItemOut]
    meta: ListMeta


class MediaOut(WireModel):
    data: MediaItemOut


class UserOut(WireModel):
    id: str
    username: str
    role: str
    name: str


class LoginBody(WireModel):
    username: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=1000)


class LoginOut(WireModel):
    token: str
    user: UserOut
    expiresAt: str
    accessToken: str
    refreshToken: str
    refreshExpiresAt: str


class RefreshBody(WireModel):
    refreshToken: str | None = Field(None, max_length=1000)


class RefreshOut(WireModel):
    token: str
    expiresAt: str
    accessToken: str
    refreshToken: str | None = None


class MeOut(WireModel):
    data: UserOut


class MediaPatchBody(WireModel):
    alt: str | None = None
    title: str | None = None
    caption: str | None = None
    description: str | None = None
