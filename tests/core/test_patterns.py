"""Type patterns run under a time limit: a catastrophic pattern cannot hold a worker."""

from __future__ import annotations

import time

import pytest

from masthead.core.patterns import MAX_PATTERN_LENGTH, PatternTimeout, compile_pattern, matches


def test_patterns_match_as_json_schema_says_anywhere_in_the_value() -> None:
    assert matches(r"^[A-Z]{3}$", "ABC")
    assert matches(r"\d", "a1b")
    assert not matches(r"^[A-Z]{3}$", "ABCD")


def test_a_catastrophic_pattern_times_out_quickly() -> None:
    started = time.perf_counter()
    with pytest.raises(PatternTimeout):
        matches(r"^(a|aa)+$", "a" * 60 + "!")
    assert time.perf_counter() - started < 2


@pytest.mark.parametrize("pattern", ["(", "a{2,1}", "x" * (MAX_PATTERN_LENGTH + 1)])
def test_broken_or_oversized_patterns_are_refused(pattern: str) -> None:
    with pytest.raises(ValueError, match="pattern"):
        compile_pattern(pattern)
