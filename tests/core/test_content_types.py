"""Content type definitions and document validation as pure rules: FieldDef and
ContentTypeSpec refuse bad definitions; validate_data reports every failing field at once."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest
from pydantic import ValidationError

from masthead.core.content_types import (
    ContentType,
    ContentTypeSpec,
    FieldDef,
    FieldType,
    TypeKind,
    WorkflowMode,
    validate_data,
)
from masthead.core.errors import Invalid
from masthead.core.system_fields import RESERVED_FIELD_NAMES

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


def _type(*fields: FieldDef, name: str = "event") -> ContentType:
    return ContentType(
        id=uuid4(),
        space_id=uuid4(),
        name=name,
        title=name.title(),
        kind=TypeKind.COLLECTION,
        fields=fields,
        route_pattern=None,
        template=None,
        workflow=WorkflowMode.NONE,
        is_builtin=False,
        created_at=NOW,
        updated_at=NOW,
    )


def _field(**values: Any) -> FieldDef:
    return FieldDef.model_validate(values)


def _errors(content_type: ContentType, data: dict[str, Any]) -> dict[str, str]:
    """Field → message of every detail (asserting the shape on the way)."""
    with pytest.raises(Invalid) as caught:
        validate_data(content_type, data)
    details = caught.value.details
    assert details, "Invalid without details"
    fields = [d.field for d in details]
    assert len(fields) == len(set(fields)), f"a field reported twice: {fields}"
    return {d.field: d.message for d in details}


EVENT = _type(
    _field(name="name", type="string", required=True, maxLength=20),
    _field(name="code", type="string", pattern="^[A-Z]{3}$"),
    _field(name="seats", type="integer", min=1, max=10),
    _field(name="price", type="number", min=0),
    _field(name="level", type="enum", options=["beginner", "expert"]),
    _field(name="startsAt", type="datetime"),
    _field(name="online", type="boolean"),
    _field(name="speaker", type="reference", to="person"),
    _field(name="tags", type="list", of="string"),
    _field(name="summary", type="text", minLength=3),
)


# --- FieldDef ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["", "1st", "has space", "dash-name", "dot.name", "émoji", "x" * 65, "a$b"]
)
def test_field_names_must_be_identifiers(name: str) -> None:
    with pytest.raises(ValidationError, match="identifier"):
        _field(name=name, type="string")


@pytest.mark.parametrize("name", ["a", "_private", "camelCase", "snake_case_2", "x" * 64])
def test_identifier_field_names_are_accepted(name: str) -> None:
    assert _field(name=name, type="string").name == name


@pytest.mark.parametrize("name", sorted(RESERVED_FIELD_NAMES))
def test_system_field_names_are_reserved(name: str) -> None:
    with pytest.raises(ValidationError, match="reserved"):
        _field(name=name, type="string")


def test_reserved_names_include_the_document_columns() -> None:
    assert {"id", "type", "status", "version", "createdAt", "updatedAt"} <= RESERVED_FIELD_NAMES


@pytest.mark.parametrize("options", [None, []])
def test_enum_fields_need_options(options: list[str] | None) -> None:
    with pytest.raises(ValidationError, match="options"):
        _field(name="level", type="enum", options=options)


@pytest.mark.parametrize("to", [None, ""])
def test_reference_fields_need_a_target_type(to: str | None) -> None:
    with pytest.raises(ValidationError, match="'to'"):
        _field(name="author", type="reference", to=to)


@pytest.mark.parametrize("pattern", ["[a-z", "(unclosed", "*oops", "a{2,1}"])
def test_patterns_that_do_not_compile_are_refused(pattern: str) -> None:
    with pytest.raises(ValidationError, match="pattern"):
        _field(name="code", type="string", pattern=pattern)


def test_unknown_field_types_are_refused() -> None:
    with pytest.raises(ValidationError):
        _field(name="x", type="colour")


def test_unknown_field_attributes_are_refused() -> None:
    with pytest.raises(ValidationError):
        _field(name="x", type="string", maxlen=3)


@pytest.mark.parametrize("kind", ["json", "list", "blocks", "richtext"])
def test_only_scalar_fields_can_be_unique(kind: str) -> None:
    with pytest.raises(ValidationError, match="unique"):
        _field(name="x", type=kind, unique=True)


def test_negative_lengths_are_refused() -> None:
    with pytest.raises(ValidationError):
        _field(name="x", type="string", maxLength=-1)


# --- ContentTypeSpec --------------------------------------------------------------------------


def test_duplicate_field_names_are_refused_and_named() -> None:
    with pytest.raises(ValidationError, match="duplicate field names: body"):
        ContentTypeSpec(
            name="article",
            fields=(
                FieldDef(name="body", type=FieldType.TEXT),
                FieldDef(name="body", type=FieldType.RICHTEXT),
            ),
        )


@pytest.mark.parametrize("name", ["", "Article", "1st", "has space", "a.b", "x" * 65])
def test_type_names_are_lowercase_identifiers(name: str) -> None:
    with pytest.raises(ValidationError):
        ContentTypeSpec(name=name)


@pytest.mark.parametrize("name", ["article", "blog-post", "blog_post", "v2"])
def test_valid_type_names_are_accepted(name: str) -> None:
    assert ContentTypeSpec(name=name).name == name


def test_route_patterns_must_be_paths() -> None:
    with pytest.raises(ValidationError, match="routePattern"):
        ContentTypeSpec(name="article", routePattern="blog/{slug}")
    assert ContentTypeSpec(name="article", routePattern="/blog/{slug}").route_pattern == (
        "/blog/{slug}"
    )


def test_a_spec_defaults_to_a_collection_without_review() -> None:
    spec = ContentTypeSpec(name="article")
    assert spec.kind is TypeKind.COLLECTION
    assert spec.workflow is WorkflowMode.NONE
    assert spec.fields == ()


# --- validate_data ----------------------------------------------------------------------------


def test_valid_data_passes() -> None:
    validate_data(
        EVENT,
        {
            "name": "PyCon",
            "code": "PYC",
            "seats": 10,
            "price": 0,
            "level": "expert",
            "startsAt": "2026-05-01T09:00:00Z",
            "online": False,
            "speaker": str(uuid4()),
            "tags": ["python"],
            "summary": "A conference",
        },
    )


def test_every_failing_field_is_reported_at_once() -> None:
    errors = _errors(
        EVENT,
        {
            # name missing (required)
            "code": "py",  # pattern
            "seats": 0,  # below min
            "price": -1,  # below min
            "level": "novice",  # not an option
            "online": "yes",  # wrong type
            "tags": "python",  # wrong type
            "summary": "ab",  # too short
            "bogus": 1,  # unknown field
        },
    )
    assert set(errors) == {
        "name",
        "code",
        "seats",
        "price",
        "level",
        "online",
        "tags",
        "summary",
        "bogus",
    }
    assert errors["name"] == "Required field"
    assert "Unknown field" in errors["bogus"]
    assert "novice" in errors["level"]
    assert "boolean" in errors["online"]


def test_required_fields_are_reported_when_missing() -> None:
    errors = _errors(EVENT, {})
    assert errors == {"name": "Required field"}


def test_required_fields_refuse_null() -> None:
    errors = _errors(EVENT, {"name": None})
    assert set(errors) == {"name"}


@pytest.mark.parametrize(
    ("field", "value", "needle"),
    [
        ("name", 12, "string"),
        ("seats", 2.5, "integer"),
        ("seats", True, "integer"),
        ("seats", "3", "integer"),
        ("price", "free", "number"),
        ("online", 1, "boolean"),
        ("speaker", 5, "string"),
    ],
)
def test_wrong_types_are_reported(field: str, value: Any, needle: str) -> None:
    errors = _errors(EVENT, {"name": "ok", field: value})
    assert set(errors) == {field}
    assert needle in errors[field]


def test_minimum_and_maximum_bound_numbers() -> None:
    assert set(_errors(EVENT, {"name": "ok", "seats": 0, "price": -0.01})) == {"seats", "price"}
    assert set(_errors(EVENT, {"name": "ok", "seats": 11})) == {"seats"}
    validate_data(EVENT, {"name": "ok", "seats": 1, "price": 0})
    validate_data(EVENT, {"name": "ok", "seats": 10})


def test_max_length_bounds_strings() -> None:
    errors = _errors(EVENT, {"name": "x" * 21})
    assert "too long" in errors["name"]
    validate_data(EVENT, {"name": "x" * 20})


def test_pattern_constrains_strings() -> None:
    errors = _errors(EVENT, {"name": "ok", "code": "ABCD"})
    assert "^[A-Z]{3}$" in errors["code"]
    validate_data(EVENT, {"name": "ok", "code": "ABC"})


def test_enum_accepts_only_its_options() -> None:
    errors = _errors(EVENT, {"name": "ok", "level": "Expert"})
    assert "beginner" in errors["level"]
    validate_data(EVENT, {"name": "ok", "level": "beginner"})


def test_unknown_fields_are_each_reported() -> None:
    errors = _errors(EVENT, {"name": "ok", "colour": "red", "size": 3})
    assert set(errors) == {"colour", "size"}
    assert "event" in errors["colour"]


def test_title_and_slug_are_always_known_keys() -> None:
    validate_data(EVENT, {"name": "ok", "title": "A title", "slug": "a-title"})
    errors = _errors(EVENT, {"name": "ok", "title": 5})
    assert set(errors) == {"title"}


@pytest.mark.parametrize(
    "value", ["2026-05-01T09:00:00Z", "2026-05-01T09:00:00+02:00", "2026-05-01T09:00:00.123Z"]
)
def test_datetime_fields_accept_rfc3339(value: str) -> None:
    validate_data(EVENT, {"name": "ok", "startsAt": value})


@pytest.mark.parametrize("value", ["yesterday", "2026-13-45T99:00:00Z", "not a date"])
def test_datetime_fields_refuse_other_strings(value: str) -> None:
    errors = _errors(EVENT, {"name": "ok", "startsAt": value})
    assert set(errors) == {"startsAt"}


def test_datetime_fields_refuse_non_strings() -> None:
    errors = _errors(EVENT, {"name": "ok", "startsAt": 1767225600})
    assert set(errors) == {"startsAt"}


def test_optional_fields_accept_null() -> None:
    validate_data(
        EVENT,
        {
            "name": "ok",
            "code": None,
            "seats": None,
            "price": None,
            "level": None,
            "startsAt": None,
            "online": None,
            "speaker": None,
            "tags": None,
            "summary": None,
        },
    )


def test_an_optional_field_reports_why_its_value_failed_not_anyof_noise() -> None:
    errors = _errors(EVENT, {"name": "ok", "seats": 0})
    assert "minimum" in errors["seats"]
    assert "anyOf" not in errors["seats"]
    assert "not valid under any" not in errors["seats"]


def test_many_references_take_a_list_of_ids() -> None:
    content_type = _type(_field(name="authors", type="reference", to="person", many=True))
    validate_data(content_type, {"authors": [str(uuid4()), str(uuid4())]})
    assert set(_errors(content_type, {"authors": str(uuid4())})) == {"authors"}


def test_list_items_are_checked_against_their_type() -> None:
    errors = _errors(EVENT, {"name": "ok", "tags": ["ok", 3]})
    assert set(errors) == {"tags"}
    assert "string" in errors["tags"]


def test_json_schema_lists_required_fields_and_forbids_others() -> None:
    schema = EVENT.json_schema()
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False
    assert schema["required"] == ["name"]
    assert {"title", "slug", "name", "seats", "startsAt"} <= set(schema["properties"])
    assert schema["properties"]["name"]["maxLength"] == 20
