"""What Masthead can store and send back: the one rule every value meets before it is written.

- Text must be encodable as UTF-8. Python strings (and Python's JSON parser) accept lone
  surrogates such as ``"\\ud83d"``; no database column, JSON column or response can carry
  them, so one stored in a JSON column made every later answer that holds it fail.
- Text may not contain NUL: PostgreSQL text cannot hold it (SQLite can), and one input must
  not be stored on one database and refused on the other.
- Numbers must be finite (JSON has no NaN or Infinity), and integers must fit in 64 bits
  (SQLite's integers, and the widest integer a response encoder writes).

Pure: it walks a value (iteratively, so nesting depth costs no stack) and names each failing
string, key or number by its dotted path. A message never repeats the value it refuses: a
message holding a lone surrogate could not be sent either.
"""

from __future__ import annotations

import math
from typing import Any

from masthead.core.errors import ErrorKind, FieldError, Invalid

MIN_INTEGER = -(2**63)
MAX_INTEGER = 2**63 - 1
MAX_REPORTED = 20  # field errors named at most (a value may hold thousands of bad strings)

NUL_MESSAGE = "may not contain NUL characters"
UNENCODABLE_MESSAGE = "is not valid Unicode text (it holds a lone surrogate)"
UNENCODABLE_KEY_MESSAGE = "has a key that is not valid Unicode text (a lone surrogate)"
NUL_KEY_MESSAGE = "has a key that contains a NUL character"
NOT_FINITE_MESSAGE = "must be a finite number (NaN and Infinity are not JSON numbers)"
INTEGER_RANGE_MESSAGE = "must be an integer between -2^63 and 2^63-1"


def text_problem(text: str, *, nul: bool = True) -> str | None:
    """Why ``text`` cannot be stored, or None. ``nul``: whether NUL counts (the HTTP edge
    reports NUL itself)."""
    if nul and "\x00" in text:
        return NUL_MESSAGE
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return UNENCODABLE_MESSAGE
    return None


def number_problem(value: float | int) -> str | None:
    """Why the number ``value`` cannot be stored, or None (booleans are fine)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        return None if math.isfinite(value) else NOT_FINITE_MESSAGE
    return None if MIN_INTEGER <= value <= MAX_INTEGER else INTEGER_RANGE_MESSAGE


def _join(path: str, key: object) -> str:
    return f"{path}.{key}" if path else str(key)


def unstorable(
    value: Any, path: str = "", *, nul: bool = True, root: str = "body"
) -> list[FieldError]:
    """Every string, mapping key and number inside ``value`` that cannot be stored, named by
    its dotted path under ``path`` (a bad key names the object holding it; ``root`` names the
    top level). At most MAX_REPORTED, in document order."""
    errors: list[FieldError] = []
    stack: list[tuple[str, Any]] = [(path, value)]
    while stack and len(errors) < MAX_REPORTED:
        where, item = stack.pop()
        problem: str | None = None
        if isinstance(item, str):
            problem = text_problem(item, nul=nul)
        elif isinstance(item, int | float):
            problem = number_problem(item)
        elif isinstance(item, dict):
            children: list[tuple[str, Any]] = []
            for key, child in item.items():
                key_problem = text_problem(key, nul=nul) if isinstance(key, str) else None
                if key_problem is not None:
                    problem = (
                        UNENCODABLE_KEY_MESSAGE
                        if key_problem == UNENCODABLE_MESSAGE
                        else NUL_KEY_MESSAGE
                    )
                    break
                children.append((_join(where, key), child))
            if problem is None:
                stack.extend(reversed(children))
        elif isinstance(item, list | tuple):
            stack.extend(reversed([(_join(where, i), child) for i, child in enumerate(item)]))
        if problem is not None:
            errors.append(FieldError(where or root, problem, ErrorKind.INVALID))
    return errors


def require_storable(values: dict[str, Any], *, root: str = "body") -> None:
    """Raise Invalid naming every part of ``values`` (keyed by field name) that cannot be
    stored: a bad key of ``values`` itself is reported as ``root``."""
    errors = unstorable(values, root=root)
    if errors:
        raise Invalid("Validation failed: some values cannot be stored", details=errors)
