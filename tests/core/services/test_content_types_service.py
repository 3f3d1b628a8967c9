"""Content types through the core service, on both databases: create, read, change and
delete them; changes that would break stored documents are refused unless forced; only
admins manage schema."""

from __future__ import annotations

import pytest

from masthead.core.content_types import (
    ContentTypeSpec,
    FieldDef,
    FieldType,
    TypeKind,
    WorkflowMode,
)
from masthead.core.documents import Perspective
from masthead.core.errors import (
    ContentTypeExists,
    ContentTypeInUse,
    ContentTypeNotFound,
    Forbidden,
    Invalid,
)
from masthead.core.models import Actor
from masthead.core.services import content_types, documents
from masthead.core.workflow import Status
from masthead.storage.uow import Database
from tests.conftest import FakeClock
from tests.core.services.builders import listed, new_document

NAME = FieldDef(name="name", type=FieldType.STRING, required=True)
SUMMARY = FieldDef(name="summary", type=FieldType.STRING, max_length=100)
SEATS = FieldDef(name="seats", type=FieldType.INTEGER)
EVENT = ContentTypeSpec(name="event", fields=(NAME, SUMMARY, SEATS), route_pattern="/events/{slug}")


def _spec(*fields: FieldDef, **changes: object) -> ContentTypeSpec:
    return EVENT.model_copy(update={"fields": fields, **changes})


@pytest.fixture
def event(db: Database, clock: FakeClock, admin: Actor) -> str:
    content_types.create_type(db.uow(), clock, admin, EVENT)
    clock.advance(1)  # changes below get a new updated_at, as they would in real time
    return "event"


def test_a_created_type_is_listed_and_read_back_as_created(
    db: Database, clock: FakeClock, admin: Actor, viewer: Actor
) -> None:
    created = content_types.create_type(db.uow(), clock, admin, EVENT)

    assert (created.name, created.title, created.kind) == ("event", "Event", TypeKind.COLLECTION)
    assert (created.fields, created.route_pattern) == (EVENT.fields, "/events/{slug}")
    assert (created.workflow, created.is_builtin) == (WorkflowMode.NONE, False)
    assert content_types.get_type(db.uow(), viewer, "event") == created
    names = [t.name for t in content_types.list_types(db.uow(), viewer)]
    assert sorted(names) == ["event", "page", "post"]  # with the built-in types


def test_creating_a_type_that_exists_raises_content_type_exists(
    db: Database, clock: FakeClock, admin: Actor, event: str
) -> None:
    with pytest.raises(ContentTypeExists):
        content_types.create_type(db.uow(), clock, admin, _spec(NAME))

    assert content_types.get_type(db.uow(), admin, event).fields == EVENT.fields


def test_an_update_replaces_the_definition_and_documents_follow_it(
    db: Database, clock: FakeClock, admin: Actor, editor: Actor, event: str
) -> None:
    venue = FieldDef(name="venue", type=FieldType.STRING)
    spec = _spec(NAME, SUMMARY, SEATS, venue, title="Happening", workflow=WorkflowMode.REVIEW)

    updated = content_types.update_type(db.uow(), clock, admin, event, spec)

    assert (updated.title, updated.workflow, updated.updated_at) == (
        "Happening",
        WorkflowMode.REVIEW,
        clock.now,
    )
    assert content_types.get_type(db.uow(), admin, event) == updated
    doc = new_document(db, clock, editor, type_name=event, name="Gig", venue="Hall")
    assert doc.data == {"name": "Gig", "venue": "Hall"}


def test_a_type_cannot_be_renamed(db: Database, clock: FakeClock, admin: Actor, event: str) -> None:
    with pytest.raises(Invalid):
        content_types.update_type(db.uow(), clock, admin, event, _spec(NAME, name="happening"))

    with pytest.raises(ContentTypeNotFound):
        content_types.get_type(db.uow(), admin, "happening")


def test_removing_a_field_documents_use_is_refused_unless_forced(
    db: Database, clock: FakeClock, admin: Actor, editor: Actor, event: str
) -> None:
    new_document(db, clock, editor, type_name=event, name="A", summary="used")
    new_document(db, clock, editor, type_name=event, name="B", summary="used too")

    with pytest.raises(ContentTypeInUse) as caught:
        content_types.update_type(db.uow(), clock, admin, event, _spec(NAME, SEATS))
    assert [d.field for d in caught.value.details] == ["summary"]
    assert "2" in caught.value.details[0].message
    assert content_types.get_type(db.uow(), admin, event).fields == EVENT.fields

    forced = content_types.update_type(
        db.uow(), clock, admin, event, _spec(NAME, SEATS), force=True
    )
    assert forced.field("summary") is None


def test_removing_a_field_no_document_uses_needs_no_force(
    db: Database, clock: FakeClock, admin: Actor, editor: Actor, event: str
) -> None:
    new_document(db, clock, editor, type_name=event, name="A", summary="used")

    updated = content_types.update_type(db.uow(), clock, admin, event, _spec(NAME, SUMMARY))

    assert updated.field("seats") is None


TIGHTENED = (
    SUMMARY.model_copy(update={"max_length": 3}),  # the stored "long enough" is too long
    SUMMARY.model_copy(update={"pattern": "^[0-9]+$"}),
    SUMMARY.model_copy(update={"required": True}),  # one document has no summary
    SEATS.model_copy(update={"max": 10}),  # one document seats 50
    SEATS.model_copy(update={"type": FieldType.BOOLEAN}),
)


def test_tightening_a_field_that_stored_values_break_is_refused_unless_forced(
    db: Database, clock: FakeClock, admin: Actor, editor: Actor, event: str
) -> None:
    new_document(db, clock, editor, type_name=event, name="A", summary="long enough", seats=50)
    new_document(db, clock, editor, type_name=event, name="B")

    def spec_with(tightened: FieldDef) -> ContentTypeSpec:
        return _spec(*(tightened if f.name == tightened.name else f for f in EVENT.fields))

    for tightened in TIGHTENED:
        with pytest.raises(ContentTypeInUse) as caught:
            content_types.update_type(db.uow(), clock, admin, event, spec_with(tightened))
        assert [d.field for d in caught.value.details] == [tightened.name], tightened
    assert content_types.get_type(db.uow(), admin, event).fields == EVENT.fields

    forced = content_types.update_type(
        db.uow(), clock, admin, event, spec_with(TIGHTENED[0]), force=True
    )
    assert forced.field("summary") == TIGHTENED[0]


def test_tightening_a_field_every_stored_value_satisfies_is_allowed(
    db: Database, clock: FakeClock, admin: Actor, editor: Actor, event: str
) -> None:
    new_document(db, clock, editor, type_name=event, name="A", summary="short", seats=5)
    spec = _spec(
        NAME, SUMMARY.model_copy(update={"max_length": 10}), SEATS.model_copy(update={"max": 10})
    )

    updated = content_types.update_type(db.uow(), clock, admin, event, spec)

    assert updated.field("summary").max_length == 10  # type: ignore[union-attr]


def test_a_reference_to_an_unknown_type_is_invalid(
    db: Database, clock: FakeClock, admin: Actor, event: str
) -> None:
    dangling = FieldDef(name="host", type=FieldType.REFERENCE, to="organiser")

    with pytest.raises(Invalid) as caught:
        content_types.create_type(
            db.uow(), clock, admin, ContentTypeSpec(name="talk", fields=(dangling,))
        )
    assert [d.field for d in caught.value.details] == ["fields.host.to"]
    with pytest.raises(Invalid):
        content_types.update_type(db.uow(), clock, admin, event, _spec(NAME, dangling))

    with pytest.raises(ContentTypeNotFound):
        content_types.get_type(db.uow(), admin, "talk")
    assert content_types.get_type(db.uow(), admin, event).fields == EVENT.fields


def test_a_type_may_reference_itself_or_an_existing_type(
    db: Database, clock: FakeClock, admin: Actor, event: str
) -> None:
    spec = ContentTypeSpec(
        name="talk",
        fields=(
            FieldDef(name="event", type=FieldType.REFERENCE, to=event),
            FieldDef(name="followUp", type=FieldType.REFERENCE, to="talk"),
        ),
    )

    assert content_types.create_type(db.uow(), clock, admin, spec).name == "talk"


def test_deleting_a_type_with_documents_is_refused_unless_forced(
    db: Database, clock: FakeClock, admin: Actor, editor: Actor, event: str
) -> None:
    doc = new_document(db, clock, editor, type_name=event, name="A", status=Status.PUBLISHED)

    with pytest.raises(ContentTypeInUse):
        content_types.delete_type(db.uow(), admin, event)
    assert listed(db, editor, type=event) == [doc]

    content_types.delete_type(db.uow(), admin, event, force=True)
    with pytest.raises(ContentTypeNotFound):
        content_types.get_type(db.uow(), admin, event)
    assert listed(db, editor) == []
    assert listed(db, editor, Perspective.PUBLISHED) == []


def test_deleting_an_unused_or_unknown_type(
    db: Database, clock: FakeClock, admin: Actor, event: str
) -> None:
    content_types.delete_type(db.uow(), admin, event)

    with pytest.raises(ContentTypeNotFound):
        content_types.delete_type(db.uow(), admin, event)


def test_only_admins_manage_schema(
    db: Database,
    clock: FakeClock,
    editor: Actor,
    viewer: Actor,
    viewer_token: Actor,
    event: str,
) -> None:
    for actor in (editor, viewer, viewer_token):
        with pytest.raises(Forbidden):
            content_types.create_type(db.uow(), clock, actor, ContentTypeSpec(name="talk"))
        with pytest.raises(Forbidden):
            content_types.update_type(db.uow(), clock, actor, event, _spec(NAME))
        with pytest.raises(Forbidden):
            content_types.delete_type(db.uow(), actor, event, force=True)

        assert content_types.get_type(db.uow(), actor, event).fields == EVENT.fields
        with pytest.raises(ContentTypeNotFound):
            content_types.get_type(db.uow(), actor, "talk")


def test_types_belong_to_their_space(
    db: Database, clock: FakeClock, outsider: Actor, event: str
) -> None:
    with pytest.raises(ContentTypeNotFound):
        content_types.get_type(db.uow(), outsider, event)
    with pytest.raises(ContentTypeNotFound):
        content_types.delete_type(db.uow(), outsider, event, force=True)

    theirs = content_types.create_type(db.uow(), clock, outsider, _spec(NAME))
    assert theirs.fields == (NAME,)


def test_a_single_type_document_is_read_through_the_type(
    db: Database, clock: FakeClock, admin: Actor, editor: Actor
) -> None:
    content_types.create_type(
        db.uow(), clock, admin, _spec(NAME, name="home", kind=TypeKind.SINGLE)
    )

    doc = new_document(db, clock, editor, type_name="home", name="Welcome")

    assert documents.get_singleton(db.uow(), editor, "home") == doc
