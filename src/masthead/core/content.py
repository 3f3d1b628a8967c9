"""Preparing a document's content for storage: defaults, validation (JSON Schema plus the
rules a schema cannot express: references, unique values), datetime normalisation, and the
plain text that full-text search indexes. Pure, except for the lookups it is handed."""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from masthead.core.blocks import check_blocks
from masthead.core.content_types import TEXT_TYPES, ContentType, FieldType, validate_data
from masthead.core.errors import ErrorKind, FieldError, Invalid
from masthead.core.limits import MAX_TITLE

_TAG = re.compile(r"<[^>]+>")
MAX_SEARCH_TEXT = 100_000


def utc_datetime(text: str) -> datetime:
    """An ISO 8601 date-time in UTC (naive ones are taken as UTC). Raises ValueError when it
    is not one, or when it leaves years 1 to 9999 in UTC (0001-01-01T00:00:00+01:00 does)."""
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValueError("is not a date-time") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("is outside years 1 to 9999 once in UTC") from exc


def utc_text(text: str) -> str:
    """``utc_datetime`` as stored: ``...Z`` text, which compares and sorts in time order."""
    return utc_datetime(text).isoformat().replace("+00:00", "Z")


def normalize_datetimes(content_type: ContentType, data: dict[str, Any]) -> dict[str, Any]:
    """Store datetimes as UTC ``...Z`` strings, so they compare and sort as text."""
    out = dict(data)
    details: list[FieldError] = []
    for field in content_type.fields:
        value = out.get(field.name)
        if field.type is FieldType.DATETIME and isinstance(value, str):
            try:
                out[field.name] = utc_text(value)
            except ValueError as exc:
                details.append(
                    FieldError(
                        field.name,
                        f"'{value}' {exc}",
                        ErrorKind.FORMAT,
                        {"format": "date-time", "value": value},
                    )
                )
    if details:
        raise Invalid("Validation failed", details=details)
    return out


def normalize_unique_text(content_type: ContentType, data: dict[str, Any]) -> dict[str, Any]:
    """Strings of ``unique`` fields in Unicode NFC, so one word typed composed ("é") or
    decomposed ("e" + U+0301) is one value: stored, compared for uniqueness and filtered on
    alike. Enum values are kept as sent (they must equal one of the type's options)."""
    out = dict(data)
    for field in content_type.fields:
        value = out.get(field.name)
        if field.unique and field.type is not FieldType.ENUM and isinstance(value, str):
            out[field.name] = unicodedata.normalize("NFC", value)
    return out


def derive_title(content_type: ContentType, data: dict[str, Any], fallback: str) -> str:
    """A title for a document sent without one: its first non-empty string field (an
    author's ``name``), else ``fallback``."""
    for field in content_type.fields:
        value = data.get(field.name)
        if field.type is FieldType.STRING and isinstance(value, str) and value.strip():
            return value.strip()[:MAX_TITLE]
    return fallback


def validate_content(
    content_type: ContentType, title: str, slug: str, data: dict[str, Any]
) -> None:
    """Raise BlocksInvalid for blocks of neither shape (core/blocks.py), else Invalid listing
    every failing field (title and slug included)."""
    for field in content_type.fields:
        if field.type is FieldType.BLOCKS:
            check_blocks(field.name, data.get(field.name))
    validate_data(content_type, {"title": title, "slug": slug, **data})


def reference_ids(content_type: ContentType, data: dict[str, Any]) -> dict[str, list[str]]:
    """Reference field name → the ids it holds."""
    out: dict[str, list[str]] = {}
    for field in content_type.fields:
        value = data.get(field.name)
        if field.type is FieldType.REFERENCE and value is not None:
            out[field.name] = list(value) if isinstance(value, list) else [value]
    return out


def check_references(
    content_type: ContentType,
    data: dict[str, Any],
    existing: Callable[[Iterable[UUID], str | None], set[UUID]],
) -> None:
    """Every referenced id must name a document of the field's target type in this space."""
    details: list[FieldError] = []
    for name, raw_ids in reference_ids(content_type, data).items():
        field = content_type.field(name)
        target = field.to if field else None
        ids: list[UUID] = []
        for raw in raw_ids:
            try:
                ids.append(UUID(str(raw)))
            except ValueError:
                details.append(
                    FieldError(name, f"'{raw}' is not a document id", ErrorKind.REFERENCE)
                )
        missing = set(ids) - existing(ids, target)
        details.extend(
            FieldError(
                name,
                f"no {target or 'document'} with id {m} in this space",
                ErrorKind.REFERENCE,
                {"value": str(m)},
            )
            for m in sorted(missing, key=str)
        )
    if details:
        raise Invalid("Validation failed", details=details)


def check_media_references(
    content_type: ContentType,
    data: dict[str, Any],
    existing: Callable[[Iterable[UUID]], set[UUID]],
) -> None:
    """Every media field holds the id of a ready asset of this space, or an absolute http(s)
    URL of an image hosted elsewhere (the Toast API's ``featureImage`` is a URL)."""
    details: list[FieldError] = []
    wanted: dict[UUID, str] = {}
    for field in content_type.fields:
        value = data.get(field.name)
        if field.type is not FieldType.MEDIA or value is None:
            continue
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            continue
        try:
            wanted[UUID(str(value))] = field.name
        except ValueError:
            details.append(
                FieldError(
                    field.name,
                    f"'{value}' is not a media id or an URL",
                    ErrorKind.FORMAT,
                    {"format": "url", "value": value},
                )
            )
    missing = set(wanted) - existing(wanted) if wanted else set()
    details.extend(
        FieldError(
            wanted[m], f"no media with id {m} in this space", ErrorKind.REFERENCE, {"value": str(m)}
        )
        for m in sorted(missing, key=str)
    )
    if details:
        raise Invalid("Validation failed", details=details)


UPLOAD_KEYS = frozenset({"hash", "filename", "mime", "size"})


def is_upload_reference(value: Any) -> bool:
    """``{hash, filename, mime}`` (``size`` may come along, as the Uploads API shows an
    upload): how the apps API names an upload in content."""
    return isinstance(value, dict) and "hash" in value and set(value) <= UPLOAD_KEYS


def resolve_upload_references(
    content_type: ContentType, data: dict[str, Any], by_hash: Callable[[str], UUID | None]
) -> dict[str, Any]:
    """Media fields holding an upload reference (``{hash, filename, mime}``) hold the id of
    the space's asset with those bytes instead, so that every check of media references
    (existence, delete protection, expansion) sees them as any other. ``by_hash``: the
    space's asset id with this SHA-256, or None. Raises Invalid (no such upload here)."""
    out = dict(data)
    details: list[FieldError] = []
    for field in content_type.fields:
        value = out.get(field.name)
        if field.type is not FieldType.MEDIA or not isinstance(value, dict):
            continue
        if not is_upload_reference(value):
            continue
        sha256 = value["hash"]
        found = by_hash(sha256) if isinstance(sha256, str) else None
        if found is None:
            details.append(
                FieldError(
                    field.name,
                    f"no upload with hash {sha256} in this space",
                    ErrorKind.REFERENCE,
                    {"value": sha256},
                )
            )
        else:
            out[field.name] = str(found)
    if details:
        raise Invalid("Validation failed", details=details)
    return out


def requires_title(content_type: ContentType) -> bool:
    """Whether the type declares ``title`` a required field: then a document sent without a
    title is refused, rather than given one derived from its other fields."""
    field = content_type.field("title")
    return field is not None and field.required


def check_title_sent(content_type: ContentType, title: str | None, data: dict[str, Any]) -> None:
    """Raise Invalid (every failing field, the missing title among them) when ``title`` is
    missing and the type requires one."""
    if title is None and requires_title(content_type):
        validate_data(content_type, data)


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            # Block kinds ("core/paragraph") and addresses are not words anyone searches for.
            if key not in {"type", "name", "id", "url", "href", "src"}:
                yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def search_text(content_type: ContentType | None, title: str, data: dict[str, Any]) -> str:
    """Title plus the text of every text-like field, tags stripped, for full-text search."""
    parts = [title]
    if content_type is not None:
        for field in content_type.fields:
            if field.type in TEXT_TYPES and field.name not in {"title"}:
                for text in _strings(data.get(field.name)):
                    parts.append(html.unescape(_TAG.sub(" ", text)))
    return " ".join(" ".join(parts).split())[:MAX_SEARCH_TEXT]
