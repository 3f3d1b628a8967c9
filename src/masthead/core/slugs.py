"""Slugs: unicode-aware generation from titles, and uniqueness by numeric suffix."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

MAX_SLUG_LENGTH = 200
_SEPARATORS = re.compile(r"[\s_\-\u2013\u2014/.:;,+]+")  # incl. en and em dashes
_DISALLOWED = re.compile(r"[^\w-]", re.UNICODE)
SLUG_PATTERN = re.compile(r"^[\w]+(?:-[\w]+)*$", re.UNICODE)


def slugify(text: str) -> str:
    """'Héllo, Wörld!' → 'hello-world'; 'Привет мир' → 'привет-мир'; '東京' → '東京'.

    Latin letters lose their accents; letters of other scripts are kept, lowercased.
    """
    normalized = unicodedata.normalize("NFKD", text)
    # Drop combining marks (accents) but keep base letters of every script.
    stripped = "".join(c for c in normalized if not unicodedata.combining(c))
    stripped = unicodedata.normalize("NFKC", stripped).lower()
    dashed = _SEPARATORS.sub("-", stripped)
    cleaned = _DISALLOWED.sub("", dashed).replace("_", "-")
    cleaned = re.sub(r"-{2,}", "-", cleaned).strip("-")
    return cleaned[:MAX_SLUG_LENGTH].rstrip("-")


def is_valid_slug(slug: str) -> bool:
    return bool(SLUG_PATTERN.match(slug)) and len(slug) <= MAX_SLUG_LENGTH and "_" not in slug


def unique_slug(base: str, is_taken: Callable[[str], bool], fallback: str = "untitled") -> str:
    """``base`` if free, else ``base-2``, ``base-3``, …"""
    base = base or fallback
    if not is_taken(base):
        return base
    n = 2
    while True:
        suffix = f"-{n}"
        candidate = base[: MAX_SLUG_LENGTH - len(suffix)] + suffix
        if not is_taken(candidate):
            return candidate
        n += 1
