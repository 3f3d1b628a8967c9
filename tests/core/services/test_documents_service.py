"""Documents through the core service, on both databases: defaults on create, PATCH and
replace, optimistic versions, slugs, single types, deletion, roles and space isolation."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from uuid import UUID, uuid4

import pytest

from masthead.core.content_types import FieldDef, FieldType, TypeKind
from masthead.core.documents import Document, Perspective
from masthead.core.errors import (
    AuthRequired,
    Conflict,
    DocumentNotFound,
    Forbidden,
    Invalid,
    SlugTaken,
    StaleVersion,
)
from masthead.core.models import Actor
from masthead.core.services import documents, revisions, workflow
from masthead.core.services.documents import DocumentInput
from masthead.core.workflow import Status
from masthead.storage.uow import Database
from tests.conftest import FakeClock
from tests.core.services.builders import ids, listed, new_document, new_type, outcome


def _get(
    db: Database, actor: Actor, doc_id: UUID, perspective: Perspective = Perspective.DRAFT
) -> Document:
    return documents.get_document(db.uow(), actor, doc_id, perspective)


def _revision_count(db: Database, actor: Actor, doc_id: UUID) -> int:
    return revisions.list_revisions(db.uow(), actor, doc_id).total


# --- create -----------------------------------------------------------------------------------


def test_create_without_input_makes_an_untitled_draft_page_at_revision_one(
    db: Database, clock: FakeClock, editor: Actor
) -> None:
    written = documents.create_document(db.uow(), clock, editor, DocumentInput())

    doc = written.document
    assert (doc.type, doc.title, doc.slug) == ("page", "Untitled", "untitled")
    assert (doc.status, doc.version, doc.revision) == (Status.DRAFT, 1, 1)
    assert doc.author_id == editor.user_id
    assert doc.created_at == doc.updated_at == clock.now
    assert (doc.published_revision, doc.published_at) == (None, None)
    assert written.revision.number == 1
    assert written.revision.title == "Untitled"
    assert _get(db, editor, doc.id) == doc


def test_slug_is_generated_from_the_title_and_made_unique_within_the_type(
    db: Database, clock: FakeClock, editor: Actor
) -> None:
    first = new_document(db, clock, editor, title="Héllo, Wörld!")
    second = new_document(db, clock, editor, title="Hello World")
    third = new_document(db, clock, editor, title="hello world")
    as_post = new_document(db, clock, editor, type_name="post", title="Hello World")

    assert [first.slug, second.slug, third.slug] == [
        "hello-world",
        "hello-world-2",
        "hello-world-3",
    ]
    assert as_post.slug == "hello-world"  # unique per type, not per space


def test_two_untitled_documents_get_distinct_slugs(
    db: Database, clock: FakeClock, editor: Actor
) -> None:
    slugs = {new_document(db, clock, editor).slug for _ in range(3)}

    assert slugs == {"untitled", "untitled-2", "untitled-3"}


def test_title_and_slug_may_arrive_inside_data(
    db: Database, clock: FakeClock, editor: Actor
) -> None:
    inp = DocumentInput(data={"title": "In data", "slug": "in-data", "excerpt": "e"})

    doc = documents.create_document(db.uow(), clock, editor, inp).document

    assert (doc.title, doc.slug) == ("In data", "in-data")
    assert doc.data == {"excerpt": "e"}


def test_requested_slug_already_taken_raises_slug_taken_and_writes_nothing(
    db: Database, clock: FakeClock, editor: Actor
) -> None:
    new_document(db, clock, editor, title="About", slug="about")

    with pytest.raises(SlugTaken):
        new_document(db, clock, editor, title="Another about", slug="about")

    assert [d.title for d in listed(db, editor)] == ["About"]


def test_invalid_requested_slug_is_refused(db: Database, clock: FakeClock, editor: Actor) -> None:
    with pytest.raises(Invalid) as caught:
        new_document(db, clock, editor, title="Bad", slug="two--hyphens")

    assert [d.field for d in caught.value.details] == ["slug"]
    assert listed(db, editor) == []


def test_create_with_unknown_type_is_invalid_naming_the_type(
    db: Database, clock: FakeClock, editor: Actor
) -> None:
    with pytest.raises(Invalid) as caught:
        new_document(db, clock, editor, type_name="nope", title="x")

    assert [d.field for d in caught.value.details] == ["type"]


def test_create_with_a_field_the_type_lacks_is_invalid_and_writes_nothing(
    db: Database, clock: FakeClock, editor: Actor
) -> None:
    with pytest.raises(Invalid) as caught:
        new_document(db, clock, editor, title="x", colour="red")

    assert [d.field for d in caught.value.details] == ["colour"]
    assert listed(db, editor) == []


def test_a_new_document_cannot_start_approved_or_archived(
    db: Database, clock: FakeClock, admin: Actor
) -> None:
    for status in (Status.APPROVED, Status.ARCHIVED):
        with pytest.raises(Invalid):
            new_document(db, clock, admin, title="x", status=status)

    assert listed(db, admin) == []


def test_create_with_status_published_publishes_revision_one(
    db: Database, clock: FakeClock, editor: Actor
) -> None:
    doc = new_document(db, clock, editor, title="Live", status=Status.PUBLISHED)

    assert (doc.status, doc.published_revision, doc.revision) == (Status.PUBLISHED, 1, 1)
    assert _get(db, editor, doc.id, Perspective.PUBLISHED).title == "Live"


# --- update -----------------------------------------------------------------------------------


def test_patch_changes_only_the_keys_sent_and_appends_a_revision(
    db: Database, clock: FakeClock, editor: Actor
) -> None:
    doc = new_document(db, clock, editor, title="T", excerpt="keep me", metaTitle="old")
    clock.advance(60)

    written = documents.update_document(
        db.uow(), clock, editor, doc.id, DocumentInput(data={"metaTitle": "new"})
    )

    updated = written.document
    assert updated.data == {"excerpt": "keep me", "metaTitle": "new"}
    assert (updated.title, updated.slug) == ("T", doc.slug)
    assert (updated.version, updated.revision) == (2, 2)
    assert updated.updated_at == clock.now
    assert updated.created_at == doc.created_at
    assert written.revision.number == 2
    assert written.revision.data == updated.data
    assert _revision_count(db, editor, doc.id) == 2


def test_patch_with_null_clears_a_field(db: Database, clock: FakeClock, editor: Actor) -> None:
    doc = new_document(db, clock, editor, title="T", excerpt="gone", metaTitle="stays")

    written = documents.update_document(
        db.uow(), clock, editor, doc.id, DocumentInput(data={"excerpt": None})
    )

    assert written.document.data == {"metaTitle": "stays"}


def test_replace_drops_every_field_not_sent(db: Database, clock: FakeClock, editor: Actor) -> None:
    doc = new_document(db, clock, editor, title="T", excerpt="dropped", metaTitle="old")

    written = documents.update_document(
        db.uow(), clock, editor, doc.id, DocumentInput(data={"metaTitle": "new"}), replace=True
    )

    assert written.document.data == {"metaTitle": "new"}
    assert written.document.revision == 2
    assert _get(db, editor, doc.id).data == {"metaTitle": "new"}


def test_changing_the_title_keeps_the_slug(db: Database, clock: FakeClock, editor: Actor) -> None:
    doc = new_document(db, clock, editor, title="First title")

    written = documents.update_document(
        db.uow(), clock, editor, doc.id, DocumentInput(title="Second title")
    )

    assert (written.document.title, written.document.slug) == ("Second title", "first-title")


def test_update_with_the_current_version_succeeds(
    db: Database, clock: FakeClock, editor: Actor
) -> None:
    doc = new_document(db, clock, editor, title="T")

    written = documents.update_document(
        db.uow(), clock, editor, doc.id, DocumentInput(title="U"), expected_version=doc.version
    )

    assert written.document.version == doc.version + 1


def test_stale_expected_version_raises_and_changes_nothing(
    db: Database, clock: FakeClock, editor: Actor
) -> None:
    doc = new_document(db, clock, editor, title="T", excerpt="one")
    current = documents.update_document(
        db.uow(), clock, editor, doc.id, DocumentInput(data={"excerpt": "two"})
    ).document

    with pytest.raises(StaleVersion):
        documents.update_document(
            db.uow(),
            clock,
            editor,
            doc.id,
            DocumentInput(title="lost", data={"excerpt": "three"}),
            expected_version=doc.version,
        )

    assert _get(db, editor, doc.id) == current
    assert _revision_count(db, editor, doc.id) == 2


def test_update_to_a_slug_another_document_holds_raises_slug_taken(
    db: Database, clock: FakeClock, editor: Actor
) -> None:
    new_document(db, clock, editor, title="A", slug="taken")
    other = new_document(db, clock, editor, title="B")

    with pytest.raises(SlugTaken):
        documents.update_document(db.uow(), clock, editor, other.id, DocumentInput(slug="taken"))

    assert _get(db, editor, other.id) == other


def test_editing_a_published_document_leaves_readers_the_published_revision(
    db: Database, clock: FakeClock, editor: Actor
) -> None:
    doc = new_document(db, clock, editor, title="Live", status=Status.PUBLISHED)

    written = documents.update_document(
        db.uow(), clock, editor, doc.id, DocumentInput(title="Work in progress")
    )

    assert written.document.status is Status.DRAFT
    assert written.document.published_revision == 1
    published = _get(db, editor, doc.id, Perspective.PUBLISHED)
    assert (published.title, published.revision) == ("Live", 1)


def test_update_of_an_unknown_document_raises_document_not_found(
    db: Database, clock: FakeClock, editor: Actor
) -> None:
    with pytest.raises(DocumentNotFound):
        documents.update_document(db.uow(), clock, editor, uuid4(), DocumentInput(title="x"))


# --- single types -----------------------------------------------------------------------------


@pytest.fixture
def settings_type(db: Database, clock: FakeClock, admin: Actor) -> str:
    new_type(
        db,
        clock,
        admin,
        name="settings",
        kind=TypeKind.SINGLE,
        fields=(
            FieldDef(name="siteName", type=FieldType.STRING),
            FieldDef(name="tagline", type=FieldType.STRING),
        ),
    )
    return "settings"


def test_a_single_type_refuses_a_second_document(
    db: Database, clock: FakeClock, editor: Actor, settings_type: str
) -> None:
    first = new_document(db, clock, editor, type_name=settings_type, siteName="One")

    with pytest.raises(Conflict):
        new_document(db, clock, editor, type_name=settings_type, siteName="Two")

    assert ids(listed(db, editor, type=settings_type)) == {first.id}


def test_put_singleton_creates_the_document_then_replaces_it(
    db: Database, clock: FakeClock, editor: Actor, settings_type: str
) -> None:
    created = documents.put_singleton(
        db.uow(),
        clock,
        editor,
        settings_type,
        DocumentInput(data={"siteName": "One", "tagline": "first"}),
    ).document
    replaced = documents.put_singleton(
        db.uow(), clock, editor, settings_type, DocumentInput(data={"siteName": "Two"})
    ).document

    assert created.revision == 1
    assert replaced.id == created.id
    assert replaced.revision == 2
    assert replaced.data == {"siteName": "Two"}  # a put replaces: the tagline is gone
    assert documents.get_singleton(db.uow(), editor, settings_type) == replaced
    assert ids(listed(db, editor, type=settings_type)) == {created.id}


def test_get_singleton_without_a_document_raises_document_not_found(
    db: Database, editor: Actor, settings_type: str
) -> None:
    with pytest.raises(DocumentNotFound):
        documents.get_singleton(db.uow(), editor, settings_type)


def test_put_singleton_on_a_collection_type_is_invalid(
    db: Database, clock: FakeClock, editor: Actor
) -> None:
    with pytest.raises(Invalid):
        documents.put_singleton(db.uow(), clock, editor, "page", DocumentInput(title="x"))

    assert listed(db, editor) == []


# --- delete -----------------------------------------------------------------------------------


def test_soft_delete_archives_the_document_out_of_lists_and_readers_view(
    db: Database, clock: FakeClock, editor: Actor
) -> None:
    doc = new_document(db, clock, editor, title="Old", status=Status.PUBLISHED)

    archived = documents.delete_document(db.uow(), clock, editor, doc.id)

    assert archived is not None
    assert archived.status is Status.ARCHIVED
    assert _get(db, editor, doc.id).status is Status.ARCHIVED  # still there, restorable
    assert listed(db, editor) == []
    with pytest.raises(DocumentNotFound):
        _get(db, editor, doc.id, Perspective.PUBLISHED)
    restored = workflow.restore(db.uow(), clock, editor, doc.id)
    assert restored.status is Status.DRAFT


def test_permanent_delete_removes_the_document_and_its_history(
    db: Database, clock: FakeClock, editor: Actor
) -> None:
    doc = new_document(db, clock, editor, title="Gone", status=Status.PUBLISHED)
    kept = new_document(db, clock, editor, title="Kept")

    assert documents.delete_document(db.uow(), clock, editor, doc.id, permanent=True) is None

    with pytest.raises(DocumentNotFound):
        _get(db, editor, doc.id)
    with pytest.raises(DocumentNotFound):
        _get(db, editor, doc.id, Perspective.PUBLISHED)
    with pytest.raises(DocumentNotFound):
        revisions.list_revisions(db.uow(), editor, doc.id)
    assert ids(listed(db, editor)) == {kept.id}


def test_permanent_delete_of_an_unknown_document_raises_document_not_found(
    db: Database, clock: FakeClock, editor: Actor
) -> None:
    with pytest.raises(DocumentNotFound):
        documents.delete_document(db.uow(), clock, editor, uuid4(), permanent=True)


def test_delete_singleton_removes_it_for_good(
    db: Database, clock: FakeClock, editor: Actor, settings_type: str
) -> None:
    new_document(db, clock, editor, type_name=settings_type, siteName="One")

    documents.delete_singleton(db.uow(), editor, settings_type)

    with pytest.raises(DocumentNotFound):
        documents.get_singleton(db.uow(), editor, settings_type)
    with pytest.raises(DocumentNotFound):
        documents.delete_singleton(db.uow(), editor, settings_type)


# --- roles and spaces -------------------------------------------------------------------------

Write = Callable[[Database, FakeClock, Actor, UUID], object]

WRITES: dict[str, Write] = {
    "create": lambda db, clock, actor, _id: documents.create_document(
        db.uow(), clock, actor, DocumentInput(title="x")
    ),
    "update": lambda db, clock, actor, doc_id: documents.update_document(
        db.uow(), clock, actor, doc_id, DocumentInput(title="x")
    ),
    "archive": lambda db, clock, actor, doc_id: documents.delete_document(
        db.uow(), clock, actor, doc_id
    ),
    "delete": lambda db, clock, actor, doc_id: documents.delete_document(
        db.uow(), clock, actor, doc_id, permanent=True
    ),
}


def test_viewers_cannot_write_and_nothing_changes(
    db: Database, clock: FakeClock, editor: Actor, viewer: Actor, viewer_token: Actor
) -> None:
    doc = new_document(db, clock, editor, title="Original")

    outcomes = {
        (actor.kind.value, name): outcome(lambda: write(db, clock, actor, doc.id))  # noqa: B023
        for actor, (name, write) in itertools.product((viewer, viewer_token), WRITES.items())
    }

    assert set(outcomes.values()) == {"Forbidden"}, outcomes
    assert listed(db, editor) == [doc]


def test_viewers_cannot_put_or_delete_a_singleton(
    db: Database,
    clock: FakeClock,
    editor: Actor,
    viewer: Actor,
    viewer_token: Actor,
    settings_type: str,
) -> None:
    put = DocumentInput(data={"siteName": "x"})
    for actor in (viewer, viewer_token):
        with pytest.raises(Forbidden):
            documents.put_singleton(db.uow(), clock, actor, settings_type, put)
    doc = new_document(db, clock, editor, type_name=settings_type, siteName="Mine")

    for actor in (viewer, viewer_token):
        with pytest.raises(Forbidden):
            documents.put_singleton(db.uow(), clock, actor, settings_type, put)
        with pytest.raises(Forbidden):
            documents.delete_singleton(db.uow(), actor, settings_type)

    assert documents.get_singleton(db.uow(), editor, settings_type) == doc


def test_anonymous_callers_are_asked_to_authenticate_to_write(
    db: Database, clock: FakeClock, anonymous: Actor
) -> None:
    with pytest.raises(AuthRequired):
        documents.create_document(db.uow(), clock, anonymous, DocumentInput(title="x"))


def test_viewer_reads_working_copies(
    db: Database, clock: FakeClock, editor: Actor, viewer: Actor
) -> None:
    doc = new_document(db, clock, editor, title="Draft")

    assert documents.get_document(db.uow(), viewer, doc.id) == doc


def test_another_spaces_document_is_not_found_and_nothing_changes(
    db: Database, clock: FakeClock, editor: Actor, outsider: Actor
) -> None:
    doc = new_document(db, clock, editor, title="Mine", status=Status.PUBLISHED)

    for perspective in Perspective:
        with pytest.raises(DocumentNotFound):
            documents.get_document(db.uow(), outsider, doc.id, perspective)
        assert listed(db, outsider, perspective) == []
    for name in ("update", "archive", "delete"):
        with pytest.raises(DocumentNotFound):
            WRITES[name](db, clock, outsider, doc.id)

    assert _get(db, editor, doc.id) == doc


def test_slugs_are_unique_per_space_not_across_spaces(
    db: Database, clock: FakeClock, editor: Actor, outsider: Actor
) -> None:
    mine = new_document(db, clock, editor, title="Same", slug="same")
    theirs = new_document(db, clock, outsider, title="Same", slug="same")

    assert mine.slug == theirs.slug == "same"
    assert theirs.space_id != mine.space_id
