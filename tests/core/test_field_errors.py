"""Field errors carry a machine-readable kind and parameters, so each dialect can word them
in its own style (the apps API's ``title: "title" is a required property``, Toast's
``{code, message, path}``, Trokky's ``{field, message}``) from the same error."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, Field, ValidationError

from masthead.api.errors import invalid_from_pydantic
from masthead.core.content_types import validate_data
from masthead.core.errors import ErrorKind, FieldError, Invalid
from masthead.core.paging import check_paging
from tests.core.test_content_types import _field, _type

EVENT = _type(
    _field(name="name", type="string", required=True, minLength=2, maxLength=5, pattern="^[a-z]+$"),
    _field(name="seats", type="integer", min=1, max=10),
    _field(name="kind", type="enum", options=["talk", "workshop"]),
    _field(name="startsAt", type="datetime"),
    _field(name="tags", type="list", of="string", minLength=1, maxLength=2),
)


def _details(data: dict[str, Any]) -> list[FieldError]:
    with pytest.raises(Invalid) as raised:
        validate_data(EVENT, data)
    return raised.value.details


@pytest.mark.parametrize(
    ("data", "field", "kind", "params"),
    [
        ({}, "name", ErrorKind.REQUIRED, {}),
        ({"name": 5}, "name", ErrorKind.TYPE, {"expected": "string", "value": 5}),
        ({"name": "a"}, "name", ErrorKind.MIN_LENGTH, {"limit": 2, "value": "a"}),
        ({"name": "abcdef"}, "name", ErrorKind.MAX_LENGTH, {"limit": 5, "value": "abcdef"}),
        ({"name": "AB"}, "name", ErrorKind.PATTERN, {"pattern": "^[a-z]+$", "value": "AB"}),
        ({"name": "ab", "seats": 0}, "seats", ErrorKind.MINIMUM, {"limit": 1, "value": 0}),
        ({"name": "ab", "seats": 11}, "seats", ErrorKind.MAXIMUM, {"limit": 10, "value": 11}),
        (
            {"name": "ab", "kind": "party"},
            "kind",
            ErrorKind.ENUM,
            {"allowed": ["talk", "workshop"], "value": "party"},
        ),
        (
            {"name": "ab", "startsAt": "soon"},
            "startsAt",
            ErrorKind.FORMAT,
            {"format": "date-time", "value": "soon"},
        ),
        ({"name": "ab", "tags": []}, "tags", ErrorKind.MIN_ITEMS, {"limit": 1, "value": []}),
        (
            {"name": "ab", "tags": ["a", "b", "c"]},
            "tags",
            ErrorKind.MAX_ITEMS,
            {"limit": 2, "value": ["a", "b", "c"]},
        ),
        ({"name": "ab", "nope": 1}, "nope", ErrorKind.UNKNOWN_FIELD, {}),
    ],
)
def test_schema_errors_carry_their_kind_and_parameters(
    data: dict[str, Any], field: str, kind: ErrorKind, params: dict[str, Any]
) -> None:
    [detail] = _details(data)
    assert (detail.field, detail.kind, dict(detail.params)) == (field, kind, params)
    assert detail.message


def test_every_failing_field_is_reported_at_once() -> None:
    details = _details({"name": 1, "seats": 99, "kind": "x"})
    assert [(d.field, d.kind) for d in details] == [
        ("kind", ErrorKind.ENUM),
        ("name", ErrorKind.TYPE),
        ("seats", ErrorKind.MAXIMUM),
    ]


class _Body(BaseModel):
    title: str = Field(max_length=3)
    count: int = Field(ge=1)
    name: str


def test_request_validation_errors_carry_kinds() -> None:
    with pytest.raises(ValidationError) as raised:
        _Body.model_validate({"title": "long", "count": 0})
    details = {d.field: d for d in invalid_from_pydantic(raised.value).details}
    assert details["title"].kind is ErrorKind.MAX_LENGTH
    assert details["title"].params == {"limit": 3, "value": "long"}
    assert details["count"].kind is ErrorKind.MINIMUM
    assert details["count"].params == {"limit": 1, "value": 0}
    assert details["name"].kind is ErrorKind.REQUIRED
    with pytest.raises(ValidationError) as wrong_type:
        _Body.model_validate({"title": "a", "count": "many", "name": 3})
    kinds = {d.field: d.kind for d in invalid_from_pydantic(wrong_type.value).details}
    assert kinds == {"count": ErrorKind.TYPE, "name": ErrorKind.TYPE}


@pytest.mark.parametrize(
    ("limit", "offset", "field", "kind", "bound"),
    [
        (0, 0, "limit", ErrorKind.MINIMUM, 1),
        (101, 0, "limit", ErrorKind.MAXIMUM, 100),
        (20, -1, "offset", ErrorKind.MINIMUM, 0),
    ],
)
def test_paging_bounds_are_the_cores(
    limit: int, offset: int, field: str, kind: ErrorKind, bound: int
) -> None:
    with pytest.raises(Invalid) as raised:
        check_paging(limit, offset)
    [detail] = raised.value.details
    assert (detail.field, detail.kind, detail.params["limit"]) == (field, kind, bound)
    check_paging(100, 10_000_000)  # the bounds themselves are allowed
