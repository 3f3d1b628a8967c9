"""One document field to safe HTML, chosen by the field's type; dates and media URLs.

Templates call ``render_field(page, name)`` for fields they do not lay out themselves. Every
value is escaped, sanitised or dropped here: ``json`` and ``reference`` fields (no readable
form) and booleans (flags, not content) render as nothing.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from markupsafe import Markup

from masthead.rendering.blocks import render_blocks
from masthead.rendering.html import paragraphs, plain_text, safe_url
from masthead.rendering.models import FieldInfo, Page
from masthead.rendering.richtext import render_rich_text

# Fields the default templates place themselves (or that are not content at all).
LAID_OUT = frozenset(
    {
        *("title", "slug", "body", "blocks", "excerpt", "tags", "featureImage"),
        *("metaTitle", "metaDescription", "ogImage", "personalization"),
    }
)
_SILENT = frozenset({"json", "reference", "boolean"})
_EMPTY = Markup("")


def media_url(page: Page, value: Any) -> str | None:
    """The URL of the media asset ``value`` names (its id, or an object with an ``id``), if the
    release resolved it and it is safe to link to."""
    asset_id = value.get("id") if isinstance(value, dict) else value
    if not isinstance(asset_id, str) or not asset_id:
        return None
    return safe_url(page.media_urls.get(asset_id))


def media_alt(value: Any) -> str:
    """The alternative text a media value carries (an object's ``alt``), else ``""``."""
    alt = value.get("alt") if isinstance(value, dict) else None
    return alt if isinstance(alt, str) else ""


def as_datetime(value: Any) -> datetime | date | None:
    """A datetime or date from a value or an ISO 8601 string; None if it is neither."""
    if isinstance(value, datetime | date):
        return value
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None


def iso_datetime(value: Any) -> str:
    """The machine-readable form for ``<time datetime>`` and feeds (naive means UTC)."""
    moment = as_datetime(value)
    if isinstance(moment, datetime):
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.isoformat()
    return moment.isoformat() if moment is not None else ""


def date_text(value: Any) -> str:
    """A human date, "March 4, 2026" (the default templates are English)."""
    moment = as_datetime(value)
    if moment is None:
        return ""
    return f"{moment:%B} {moment.day}, {moment.year}"


def field_info(page: Page, name: str) -> FieldInfo | None:
    return next((field for field in page.fields if field.name == name), None)


def field_text(page: Page, name: str, limit: int | None = None) -> str:
    """A field as one line of plain text (descriptions, summaries): a richtext field loses its
    markup; any other string is text already, "<" and all."""
    value = page.data.get(name)
    info = field_info(page, name)
    is_html = info.type == "richtext" if info is not None else isinstance(value, dict)
    return plain_text(value, limit, is_html=is_html)


def extra_fields(page: Page) -> tuple[FieldInfo, ...]:
    """The type's fields, in order, that the default templates do not lay out themselves."""
    return tuple(
        field
        for field in page.fields
        if field.name not in LAID_OUT and field.type not in _SILENT and field.name in page.data
    )


def render_field(page: Page, name: str) -> Markup:
    """Safe, block-level HTML for the field ``name`` of ``page``, by its type."""
    value = page.data.get(name)
    if value is None:
        return _EMPTY
    info = field_info(page, name)
    kind = info.type if info is not None else _guess(value)
    if kind in _SILENT:
        return _EMPTY
    if kind == "richtext":
        return render_rich_text(value)
    if kind == "blocks":
        return render_blocks(value)
    if kind == "text" and isinstance(value, str):
        return paragraphs(value)
    if kind in {"date", "datetime"}:
        return _time(value)
    if kind == "media":
        return _media(page, value)
    if kind == "list":
        return _list(value)
    return _scalar(value)


def _guess(value: Any) -> str:
    if isinstance(value, dict):
        return "richtext"
    if isinstance(value, list):
        return "blocks" if value and all(isinstance(v, dict) for v in value) else "list"
    return "string"


def _scalar(value: Any) -> Markup:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return _EMPTY
    return Markup("<p>{}</p>").format(value)


def _time(value: Any) -> Markup:
    text = date_text(value)
    if not text:
        return _scalar(value)
    return Markup('<p><time datetime="{}">{}</time></p>').format(iso_datetime(value), text)


def _media(page: Page, value: Any) -> Markup:
    url = media_url(page, value)
    if url is None:
        return _EMPTY
    return Markup('<figure><img src="{}" alt="{}" loading="lazy"></figure>').format(
        url, media_alt(value)
    )


def _list(value: Any) -> Markup:
    if not isinstance(value, list):
        return _EMPTY
    items = [
        Markup("<li>{}</li>").format(item)
        for item in value
        if isinstance(item, str | int | float) and not isinstance(item, bool)
    ]
    return Markup("<ul>{}</ul>").format(Markup("").join(items)) if items else _EMPTY


def string_list(value: Any) -> tuple[str, ...]:
    """The non-empty strings of a list (tags), in order."""
    if not isinstance(value, list):
        return ()
    return tuple(item for item in value if isinstance(item, str) and item.strip())
