"""Slugs: unicode-aware generation from titles, and uniqueness by numeric suffix."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

MAX_SLUG_LENGTH = 200
_SEPARATORS = re.compile(r"[\s_\-\u2013\u2014/.:;,+]+")  # incl. en and em dashes


def _is_slug_char(c: str) -> bool:
    # Letters, digits and combining marks (Devanagari vowel signs, Japanese voicing marks).
    return c.isalnum() or unicodedata.category(c).startswith("M")


def _fold(text: str) -> str:
    """Accented Latin letters lose their accents ('é' → 'e', 'İ' → 'i'); letters of other
    scripts stay whole, so 'й', 'ブ' and 'न' keep the marks that make them what they are."""
    out: list[str] = []
    after_latin = False
    for c in unicodedata.normalize("NFKD", text):
        if unicodedata.combining(c):
            if not after_latin:
                out.append(c)
            continue
        after_latin = c.isascii() and c.isalpha()
        out.append(c)
    return unicodedata.normalize("NFC", "".join(out))


def slugify(text: str) -> str:
    """'Héllo, Wörld!' → 'hello-world'; 'Привет мир' → 'привет-мир'; '東京のブログ' stays.

    Latin letters lose their accents; letters of other scripts are kept, lowercased.
    """
    folded = _fold(unicodedata.normalize("NFKC", text).lower())
    dashed = _SEPARATORS.sub("-", folded)
    cleaned = "".join(c for c in dashed if c == "-" or _is_slug_char(c))
    cleaned = re.sub(r"-{2,}", "-", cleaned).strip("-")
    return cleaned[:MAX_SLUG_LENGTH].rstrip("-")


def is_valid_slug(slug: str) -> bool:
    """Non-empty runs of letters, digits and marks joined by single hyphens."""
    if not slug or len(slug) > MAX_SLUG_LENGTH:
        return False
    parts = slug.split("-")
    return all(part and all(_is_slug_char(c) for c in part) for part in parts)


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
