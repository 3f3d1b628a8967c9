"""The bounds on a content type's fields (core/limits.py): at most MAX_FIELDS_PER_TYPE fields,
and at most MAX_INDEXED_FIELDS_PER_TYPE of them indexed or unique, refused naming ``fields``
whether the type is created, replaced or patched."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from masthead.core.content_types import ContentTypeChanges, ContentTypeSpec, FieldDef
from masthead.core.limits import MAX_FIELDS_PER_TYPE, MAX_INDEXED_FIELDS_PER_TYPE
from masthead.core.models import Actor
from masthead.core.services import content_types
from masthead.storage.uow import Database
from tests.conftest import FakeClock
from tests.core.services.builders import new_type


def _fields(count: int, **flags: Any) -> tuple[FieldDef, ...]:
    return tuple(FieldDef(name=f"f{i}", type="string", **flags) for i in range(count))


def _refusal(call: Any) -> dict[str, Any]:
    with pytest.raises(ValidationError) as caught:
        call()
    errors = caught.value.errors()
    assert [e["loc"] for e in errors] == [("fields",)], errors
    return dict(errors[0])


def test_a_type_may_have_the_most_fields_allowed(
    db: Database, clock: FakeClock, admin: Actor
) -> None:
    created = new_type(db, clock, admin, name="wide", fields=_fields(MAX_FIELDS_PER_TYPE))
    assert len(created.fields) == MAX_FIELDS_PER_TYPE


def test_one_field_more_is_refused_naming_fields() -> None:
    error = _refusal(lambda: ContentTypeSpec(name="wide", fields=_fields(MAX_FIELDS_PER_TYPE + 1)))
    assert error["type"] == "too_long"
    assert error["ctx"]["max_length"] == MAX_FIELDS_PER_TYPE
    _refusal(lambda: ContentTypeChanges(fields=_fields(MAX_FIELDS_PER_TYPE + 1)))


def test_patching_a_type_past_the_field_limit_is_refused(
    db: Database, clock: FakeClock, admin: Actor
) -> None:
    new_type(db, clock, admin, name="wide", fields=_fields(MAX_FIELDS_PER_TYPE))

    def grow() -> None:
        changes = ContentTypeChanges(fields=_fields(MAX_FIELDS_PER_TYPE + 1))
        content_types.patch_type(db.uow(), clock, admin, "wide", changes)

    _refusal(grow)
    assert len(content_types.get_type(db.uow(), admin, "wide").fields) == MAX_FIELDS_PER_TYPE


def test_indexed_and_unique_fields_count_towards_one_bound() -> None:
    half = MAX_INDEXED_FIELDS_PER_TYPE // 2
    indexed = _fields(half, indexed=True)
    unique = tuple(
        FieldDef(name=f"u{i}", type="integer", unique=True)
        for i in range(MAX_INDEXED_FIELDS_PER_TYPE - half)
    )
    ContentTypeSpec(name="ok", fields=(*indexed, *unique))
    one_more = FieldDef(name="extra", type="boolean", indexed=True)
    error = _refusal(lambda: ContentTypeSpec(name="x", fields=(*indexed, *unique, one_more)))
    assert "indexed or unique" in error["msg"]
    _refusal(lambda: ContentTypeChanges(fields=(*indexed, *unique, one_more)))


def test_only_scalar_fields_can_be_indexed() -> None:
    for kind in ("json", "list", "blocks", "richtext", "text"):
        with pytest.raises(ValidationError, match="only scalar fields can be indexed"):
            FieldDef(name="x", type=kind, indexed=True)
    with pytest.raises(ValidationError, match="indexed"):
        FieldDef(name="x", type="reference", to="post", many=True, indexed=True)
    assert FieldDef(name="x", type="reference", to="post", indexed=True).wants_index


def test_the_index_flag_is_kept_with_the_type(db: Database, clock: FakeClock, admin: Actor) -> None:
    fields = (FieldDef(name="price", type="number", indexed=True), *_fields(1))
    new_type(db, clock, admin, name="product", fields=fields)
    stored = content_types.get_type(db.uow(), admin, "product")
    price, other = stored.field("price"), stored.field("f0")
    assert price is not None
    assert price.indexed
    assert price.wants_index
    assert other is not None
    assert not other.indexed
    assert not other.wants_index
