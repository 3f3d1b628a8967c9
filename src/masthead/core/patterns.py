"""Regular expressions that content types define (a field's ``pattern``), applied with a time
limit: an admin's pattern such as ``(a+)+$`` would otherwise let one crafted value hold a
worker for minutes (catastrophic backtracking). Uses the ``regex`` module, whose matching
takes a timeout, with ``re``-compatible syntax.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import regex
from jsonschema import Draft202012Validator, ValidationError, validators

MAX_PATTERN_LENGTH = 500
MATCH_TIMEOUT_SECONDS = 0.05
MATCH_ATTEMPTS = 5


class PatternTimeout(Exception):
    """Checking a value against a pattern took longer than the limit."""


def _strict_end(pattern: str) -> str:
    """``pattern`` with each ``$`` outside a character class made ``\\Z``. JSON Schema
    patterns are ECMA-262 regular expressions, where ``$`` matches only at the end; in
    Python it also matches before a final newline, so ``^[0-9]+$`` would accept "12\\n"."""
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            # A "]" first in a class ("[]a]", "[^]a]") is one of its characters in Python.
            start = i + 2 if pattern.startswith("[^", i) else i + 1
            end = start + 1 if pattern.startswith("]", start) else start
            out.append(pattern[i:end])
            in_class, i = True, end
            continue
        elif char == "$":
            char = "\\Z"
        out.append(char)
        i += 1
    return "".join(out)


@lru_cache(maxsize=1024)
def compile_pattern(pattern: str) -> regex.Pattern[str]:
    """The compiled pattern (``$`` as JSON Schema means it: only at the end); ValueError if
    it is too long or does not compile."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise ValueError(f"patterns are at most {MAX_PATTERN_LENGTH} characters")
    try:
        return regex.compile(_strict_end(pattern))
    except regex.error as exc:
        raise ValueError(f"pattern does not compile: {exc}") from exc


def matches(pattern: str, value: str) -> bool:
    """Whether ``value`` contains a match (JSON Schema's semantics). Raises PatternTimeout
    once the match has used the limit in CPU time of this thread.

    The ``regex`` timeout is wall-clock time, which a busy server (many threads, two cores)
    can use up waiting for the CPU on the plainest pattern; so a timeout that used less CPU
    than the limit is retried, a few times, rather than refusing a valid value."""
    compiled = compile_pattern(pattern)
    spent = 0.0
    for _ in range(MATCH_ATTEMPTS):
        started = time.thread_time()
        try:
            return compiled.search(value, timeout=MATCH_TIMEOUT_SECONDS) is not None
        except TimeoutError:
            spent += time.thread_time() - started
            if spent >= MATCH_TIMEOUT_SECONDS:
                break
    raise PatternTimeout(pattern)


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
