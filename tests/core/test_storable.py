"""The one rule for what can be stored and sent back (core/storable.py), without a database:
every string, key and number that fails is named by its path, and nothing else is."""

from __future__ import annotations

import math
from typing import Any

import pytest

from masthead.core.errors import Invalid
from masthead.core.storable import (
    MAX_INTEGER,
    MAX_REPORTED,
    MIN_INTEGER,
    require_storable,
    text_problem,
    unstorable,
)


def _fields(value: Any, **options: Any) -> list[str]:
    return [error.field for error in unstorable(value, **options)]


@pytest.mark.parametrize("text", ["\ud83d", "x\udfff", "\udc00\ud800", "a\ud800b"])
def test_a_lone_surrogate_is_text_that_cannot_be_stored(text: str) -> None:
    assert text_problem(text) is not None


@pytest.mark.parametrize("text", ["", "plain", "héllo", "\U0001f600", "东京", "\\ud83d"])
def test_valid_unicode_text_can_be_stored(text: str) -> None:
    assert text_problem(text) is None


def test_nul_counts_unless_the_caller_checks_it_itself() -> None:
    assert text_problem("a\x00b") is not None
    assert text_problem("a\x00b", nul=False) is None


def test_each_failing_value_is_named_by_its_path_in_document_order() -> None:
    value = {
        "title": "x\udfff",
        "ok": ["fine", {"deep": [1, "\ud83d"]}],
        "j": {"\ud83d": 1, "later": "\udfff"},
        "n": math.nan,
        "big": 2**63,
        "inf": [-math.inf],
    }

    assert _fields(value) == ["title", "ok.1.deep.1", "j", "n", "big", "inf.0"]


def test_a_bad_key_at_the_top_is_named_by_the_root() -> None:
    assert _fields({"\ud83d": 1}) == ["body"]
    assert _fields({"\ud83d": 1}, root="data") == ["data"]
    assert _fields(["\ud83d"], path="tags") == ["tags.0"]


def test_messages_never_repeat_the_value_they_refuse() -> None:
    for error in unstorable({"a": "x\udfff", "\ud83d": 1, "k": {"\udfff": 2}}):
        error.message.encode("utf-8")  # a message holding the surrogate could not be sent
        assert "\udfff" not in error.field


@pytest.mark.parametrize(
    "value", [0, -1, MIN_INTEGER, MAX_INTEGER, 1.5, 1e300, -1e-300, True, None, "", [], {}]
)
def test_numbers_json_and_both_databases_hold_pass(value: Any) -> None:
    assert unstorable({"v": value}) == []


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, MAX_INTEGER + 1, MIN_INTEGER - 1])
def test_numbers_past_json_or_64_bits_are_named(value: float) -> None:
    assert _fields({"v": value}) == ["v"]


def test_deep_nesting_costs_no_stack() -> None:
    value: Any = "\ud83d"
    for _ in range(50_000):
        value = [value]

    assert len(unstorable(value)) == 1


def test_at_most_a_bounded_number_of_errors_is_reported() -> None:
    assert len(unstorable(["\ud83d"] * 10_000)) == MAX_REPORTED


def test_require_storable_raises_invalid_naming_every_field() -> None:
    with pytest.raises(Invalid) as refused:
        require_storable({"title": "\ud83d", "n": math.inf, "ok": "yes"}, root="data")

    assert [d.field for d in refused.value.details] == ["title", "n"]
    require_storable({"title": "ok", "list": [1, 2.5, "\U0001f600"]})
