"""Paging bounds and defaults shared by every list (documents, revisions, media): a page
holds 1 to 100 items, 20 unless asked otherwise. A leaf module, so any core value may use it."""

from __future__ import annotations

from masthead.core.errors import ErrorKind, FieldError, Invalid

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_OFFSET = 10_000_000  # far past any real listing, well inside a 64-bit integer


def _bound(name: str, value: int, low: int, high: int) -> list[FieldError]:
    if low <= value <= high:
        return []
    kind, limit = (ErrorKind.MINIMUM, low) if value < low else (ErrorKind.MAXIMUM, high)
    message = f"must be between {low} and {high}"
    return [FieldError(name, message, kind, {"limit": limit, "value": value})]


def paging_errors(limit: int, offset: int) -> list[FieldError]:
    return _bound("limit", limit, 1, MAX_LIMIT) + _bound("offset", offset, 0, MAX_OFFSET)


def check_paging(limit: int, offset: int) -> None:
    """Raise Invalid unless 1 <= limit <= MAX_LIMIT and 0 <= offset <= MAX_OFFSET."""
    details = paging_errors(limit, offset)
    if details:
        raise Invalid("Invalid paging", details=details)
