"""Regular expressions that content types define (a field's ``pattern``), applied with a time
limit: an admin's pattern such as ``(a+)+$`` would otherwise let one crafted value hold a
worker for minutes (catastrophic backtracking). Uses the ``regex`` module, whose matching
takes a timeout, with ``re``-compatible syntax.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import regex
from jsonschema import Draft202012Validator, ValidationError, validators

MAX_PATTERN_LENGTH = 500
MATCH_TIMEOUT_SECONDS = 0.05


class PatternTimeout(Exception):
    """Checking a value against a pattern took longer than the limit."""


@lru_cache(maxsize=1024)
def compile_pattern(pattern: str) -> regex.Pattern[str]:
    """The compiled pattern; ValueError if it is too long or does not compile."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise ValueError(f"patterns are at most {MAX_PATTERN_LENGTH} characters")
    try:
        return regex.compile(pattern)
    except regex.error as exc:
        raise ValueError(f"pattern does not compile: {exc}") from exc


def matches(pattern: str, value: str) -> bool:
    """Whether ``value`` contains a match (JSON Schema's semantics). Raises PatternTimeout."""
    try:
        return compile_pattern(pattern).search(value, timeout=MATCH_TIMEOUT_SECONDS) is not None
    except TimeoutError as exc:
        raise PatternTimeout(pattern) from exc


def _pattern_keyword(
    validator: Any, pattern: str, instance: Any, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "string"):
        return
    try:
        if not matches(pattern, instance):
            yield ValidationError(f"{instance!r} does not match {pattern!r}")
    except PatternTimeout:
        yield ValidationError("took too long to check against the field's pattern")


GuardedValidator = validators.extend(  # type: ignore[no-untyped-call]
    Draft202012Validator, {"pattern": _pattern_keyword}
)
"""Draft 2020-12 with ``pattern`` applied under a time limit."""
