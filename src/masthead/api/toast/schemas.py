"""Toast's wire shapes (``toast-content-api.txt``): content items, versions, their lists and
the error bodies; and how core documents and revisions are shown in them.

An item is a document of the built-in ``post`` or ``page`` type: its SEO fields are the
type's own fields of the same names. ``body`` is always an object (a rich-text document; a
body stored as HTML text by another API is shown as ``{"type": "html", "html": ...}``), and
``featureImage``/``ogImage`` are URLs: an uploaded asset's absolute URL, an external URL as
stored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from masthead.api.wire import WireModel
from masthead.core.documents import Document, Revision
from masthead.core.limits import MAX_SLUG, MAX_TITLE
from masthead.core.workflow import Status

CONTENT_TYPES: tuple[str, ...] = ("post", "page")
STATUSES: tuple[str, ...] = ("draft", "published")
ToastStatus = Literal["draft", "published"]


def _one_of(allowed: tuple[str, ...]) -> Callable[[str], str]:
    """A check that text is one of ``allowed``, failing with an ``enum`` error that carries
    the allowed values as a list (pydantic's own Literal error words them as one string)."""

    def check(value: str) -> str:
        if value not in allowed:
            raise PydanticCustomError(
                "enum", "Input should be one of {expected}", {"expected": list(allowed)}
            )
        return value

    return check


ContentTypeName = Annotated[
    str,
    AfterValidator(_one_of(CONTENT_TYPES)),
    Field(json_schema_extra={"enum": list(CONTENT_TYPES)}),
]
StatusName = Annotated[
    str, AfterValidator(_one_of(STATUSES)), Field(json_schema_extra={"enum": list(STATUSES)})
]
MEDIA_FIELDS = ("featureImage", "ogImage")
TEXT_FIELDS = ("excerpt", "metaTitle", "metaDescription")


def timestamp(value: datetime | None) -> str | None:
    """``2019-08-24T14:15:22.000Z``: UTC with milliseconds, as JavaScript writes times."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def toast_status(status: Status) -> ToastStatus:
    """Toast knows two states: what the core calls published, and every other live one."""
    return "published" if status is Status.PUBLISHED else "draft"


# --- requests -----------------------------------------------------------------------------


class _ContentFields(WireModel):
    slug: str | None = Field(None, max_length=MAX_SLUG, description="Generated when absent")
    body: dict[str, Any] | None = Field(None, description="Rich-text document (an object)")
    status: StatusName | None = Field(None, description="published runs the publish rules")
    excerpt: str | None = None
    featureImage: str | None = Field(None, description="http(s) URL, or an uploaded asset's id")
    metaTitle: str | None = None
    metaDescription: str | None = None
    ogImage: str | None = Field(None, description="http(s) URL, or an uploaded asset's id")


class CreateContentBody(_ContentFields):
    title: str = Field(min_length=1, max_length=MAX_TITLE)
    contentType: ContentTypeName = "post"


class UpdateContentBody(_ContentFields):
    title: str | None = Field(None, min_length=1, max_length=MAX_TITLE)
    contentType: ContentTypeName | None = None


# --- responses ----------------------------------------------------------------------------


class ContentItemOut(WireModel):
    id: UUID
    siteId: UUID
    authorId: str | None
    title: str
    slug: str
    body: dict[str, Any]
    status: ToastStatus
    contentType: str
    excerpt: str | None
    featureImage: str | None
    metaTitle: str | None
    metaDescription: str | None
    ogImage: str | None
    publishedAt: str | None = Field(json_schema_extra={"format": "date-time"})
    createdAt: str = Field(json_schema_extra={"format": "date-time"})
    updatedAt: str = Field(json_schema_extra={"format": "date-time"})


class PageMeta(WireModel):
    total: int
    page: int
    limit: int
    pages: int


class ContentListOut(WireModel):
    data: list[ContentItemOut]
    meta: PageMeta


class VersionOut(WireModel):
    id: UUID
    contentId: UUID
    version: int
    title: str
    body: dict[str, Any]
    createdAt: str = Field(json_schema_extra={"format": "date-time"})


class VersionListOut(WireModel):
    versions: list[VersionOut]
    pagination: PageMeta


class RestoreOut(WireModel):
    restored: bool
    newVersion: int


class ToastError(WireModel):
    error: str


class ZodIssue(WireModel):
    code: str
    message: str
    path: list[str | int]


class ToastValidationError(WireModel):
    error: str
    details: list[ZodIssue] | None = None


# --- shaping ------------------------------------------------------------------------------


def rich_text(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    if isinstance(value, str):
        return {"type": "html", "html": value}
    return {}


def media_ids(documents: Iterable[Document]) -> set[UUID]:
    """The uploaded assets the items' image fields name (external URLs name none)."""
    ids = set()
    for document in documents:
        for name in MEDIA_FIELDS:
            value = document.data.get(name)
            if isinstance(value, str) and not value.startswith(("http://", "https://")):
                try:
                    ids.add(UUID(value))
                except ValueError:
                    continue
    return ids


MediaUrl = Callable[[str], str | None]
"""A media field's stored value → the URL shown (an asset's absolute URL, or the value)."""


def shape_item(document: Document, media_url: MediaUrl) -> dict[str, Any]:
    data = document.data

    def text(name: str) -> str | None:
        value = data.get(name)
        return value if isinstance(value, str) else None

    def image(name: str) -> str | None:
        value = data.get(name)
        return media_url(value) if isinstance(value, str) else None

    return {
        "id": document.id,
        "siteId": document.space_id,
        "authorId": str(document.author_id) if document.author_id else None,
        "title": document.title,
        "slug": document.slug,
        "body": rich_text(data.get("body")),
        "status": toast_status(document.status),
        "contentType": document.type,
        "excerpt": text("excerpt"),
        "featureImage": image("featureImage"),
        "metaTitle": text("metaTitle"),
        "metaDescription": text("metaDescription"),
        "ogImage": image("ogImage"),
        "publishedAt": timestamp(document.last_published_at or document.published_at),
        "createdAt": timestamp(document.created_at),
        "updatedAt": timestamp(document.updated_at),
    }


def shape_version(revision: Revision) -> dict[str, Any]:
    return {
        "id": revision.id,
        "contentId": revision.document_id,
        "version": revision.number,
        "title": revision.title,
        "body": rich_text(revision.data.get("body")),
        "createdAt": timestamp(revision.created_at),
    }


def page_meta(total: int, page: int, limit: int) -> dict[str, int]:
    return {"total": total, "page": page, "limit": limit, "pages": -(-total // limit)}
