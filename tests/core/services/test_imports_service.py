"""Bulk import through the core service, on both databases: it must build exactly what
``create_document`` (and, with ``publish``, the workflow's publish) would, and refuse what
they refuse, writing nothing of a refused batch."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from masthead.core.content_types import ContentTypeSpec, FieldDef, FieldType, TypeKind, WorkflowMode
from masthead.core.documents import Document, Perspective
from masthead.core.errors import Conflict, Forbidden, Invalid, SlugTaken, UniqueValueTaken
from masthead.core.models import Actor
from masthead.core.services import content_types, documents, imports, revisions, workflow
from masthead.core.services.documents import DocumentInput
from masthead.core.workflow import IllegalTransition, Status
from masthead.storage.uow import Database
from tests.conftest import FakeClock
from tests.core.services.builders import listed, new_document

INPUTS = (
    DocumentInput(title="Hello World"),
    DocumentInput(title="Hello World", data={"excerpt": "again"}),  # slug made unique
    DocumentInput(),  # Untitled
    DocumentInput(title="Chosen", slug="chosen-slug"),
    DocumentInput(data={"title": "In data", "slug": "in-data", "metaTitle": "m"}),
    DocumentInput(type="post", title="Hello World", data={"tags": ["a", "b"]}),  # other type
    DocumentInput(title="Héllo, Wörld!"),  # the third hello-world
)


def _import(
    db: Database,
    clock: FakeClock,
    actor: Actor,
    inputs: Iterable[DocumentInput],
    **options: object,
) -> list[int]:
    """Run an import to the end (it is a generator: nothing happens until it is consumed)."""
    return list(imports.import_documents(db.uow(), clock, actor, inputs, **options))  # type: ignore[arg-type]


def _shape(doc: Document) -> tuple[object, ...]:
    """What must match between an imported document and a created one."""
    return (
        doc.type,
        doc.title,
        doc.slug,
        doc.data,
        doc.status,
        doc.version,
        doc.revision,
        doc.published_revision,
    )


def _by_creation(
    db: Database, actor: Actor, perspective: Perspective = Perspective.DRAFT
) -> list[Document]:
    items = listed(db, actor, perspective)
    return sorted(items, key=lambda d: (d.type, d.slug))


def _setup_both(db: Database, clock: FakeClock, admin: Actor, outsider: Actor) -> None:
    """The same starting point in both spaces: a page already holding the slug "hello-world"."""
    for actor in (admin, outsider):
        new_document(db, clock, actor, title="Hello World")


@pytest.mark.parametrize("publish", [False, True])
def test_import_builds_the_documents_revisions_and_slugs_create_document_would(
    db: Database, clock: FakeClock, admin: Actor, outsider: Actor, publish: bool
) -> None:
    _setup_both(db, clock, admin, outsider)
    status = Status.PUBLISHED if publish else None

    assert _import(db, clock, admin, INPUTS, publish=publish, batch_size=3) == [3, 3, 1]
    for inp in INPUTS:
        documents.create_document(
            db.uow(),
            clock,
            outsider,
            DocumentInput(
                type=inp.type, title=inp.title, slug=inp.slug, data=inp.data, status=status
            ),
        )

    imported, created = _by_creation(db, admin), _by_creation(db, outsider)
    assert [_shape(d) for d in imported] == [_shape(d) for d in created]
    assert {d.slug for d in imported if d.type == "page"} == {
        "hello-world",
        "hello-world-2",
        "hello-world-3",
        "hello-world-4",
        "untitled",
        "chosen-slug",
        "in-data",
    }
    assert {d.author_id for d in imported} == {admin.user_id}
    for mine, theirs in zip(imported, created, strict=True):
        ours = revisions.list_revisions(db.uow(), admin, mine.id).items
        other = revisions.list_revisions(db.uow(), outsider, theirs.id).items
        assert [(r.number, r.title, r.slug, r.data, r.status) for r in ours] == [
            (r.number, r.title, r.slug, r.data, r.status) for r in other
        ]
        assert ours[0].author_id == admin.user_id
        ours_history = workflow.history(db.uow(), admin, mine.id)
        other_history = workflow.history(db.uow(), outsider, theirs.id)
        assert [(h.action, h.from_status, h.to_status, h.version) for h in ours_history] == [
            (h.action, h.from_status, h.to_status, h.version) for h in other_history
        ]
    readers = [_shape(d) for d in _by_creation(db, admin, Perspective.PUBLISHED)]
    assert readers == [_shape(d) for d in _by_creation(db, outsider, Perspective.PUBLISHED)]
    assert len(readers) == (len(INPUTS) if publish else 0)


def test_imported_documents_are_found_by_search_like_created_ones(
    db: Database, clock: FakeClock, admin: Actor
) -> None:
    _import(
        db,
        clock,
        admin,
        [DocumentInput(title="Lighthouse", data={"excerpt": "a keeper's log"})],
        publish=True,
    )

    assert [d.title for d in listed(db, admin, search="keeper")] == ["Lighthouse"]
    assert [d.title for d in listed(db, admin, Perspective.PUBLISHED, search="keeper")] == [
        "Lighthouse"
    ]


def test_a_requested_slug_already_taken_is_refused_as_by_create(
    db: Database, clock: FakeClock, editor: Actor
) -> None:
    existing = new_document(db, clock, editor, title="About", slug="about")

    with pytest.raises(SlugTaken):
        _import(
            db,
            clock,
            editor,
            [
                DocumentInput(title="Other", slug="other"),
                DocumentInput(title="About again", slug="about"),
            ],
        )

    assert listed(db, editor) == [existing]


def test_two_imported_documents_requesting_one_slug_are_refused(
    db: Database, clock: FakeClock, editor: Actor
) -> None:
    with pytest.raises(SlugTaken):
        _import(
            db,
            clock,
            editor,
            [DocumentInput(title="A", slug="same"), DocumentInput(title="B", slug="same")],
        )

    assert listed(db, editor) == []


def test_a_unique_value_repeated_within_an_import_is_refused_as_by_create(
    db: Database, clock: FakeClock, admin: Actor, editor: Actor
) -> None:
    """``create_document`` refuses a second document holding a unique field's value; an import
    holding it twice must be refused too, not write both."""
    code = FieldDef(name="code", type=FieldType.STRING, unique=True)
    content_types.create_type(db.uow(), clock, admin, ContentTypeSpec(name="tag", fields=(code,)))
    same = [DocumentInput(type="tag", title=title, data={"code": "x"}) for title in ("A", "B")]

    with pytest.raises(UniqueValueTaken):
        _import(db, clock, editor, same)

    assert listed(db, editor, type="tag") == []
    new_document(db, clock, editor, type_name="tag", title="A", code="x")
    with pytest.raises(UniqueValueTaken):  # what create_document does with the same input
        new_document(db, clock, editor, type_name="tag", title="B", code="x")


def test_an_invalid_document_fails_its_whole_batch_and_only_its_batch(
    db: Database, clock: FakeClock, editor: Actor
) -> None:
    good = [DocumentInput(title=f"Good {n}") for n in range(3)]
    bad = DocumentInput(title="Bad", data={"colour": "red"})

    with pytest.raises(Invalid):
        _import(db, clock, editor, [*good, bad], batch_size=2)

    assert sorted(d.title for d in listed(db, editor)) == ["Good 0", "Good 1"]


def test_importing_into_an_unknown_type_is_invalid(
    db: Database, clock: FakeClock, editor: Actor
) -> None:
    with pytest.raises(Invalid):
        _import(db, clock, editor, [DocumentInput(type="nope", title="x")])


def test_viewers_cannot_import(
    db: Database, clock: FakeClock, viewer: Actor, editor: Actor
) -> None:
    for publish in (False, True):
        with pytest.raises(Forbidden):
            _import(db, clock, viewer, [DocumentInput(title="x")], publish=publish)

    assert listed(db, editor) == []


# --- the rules create_document and the workflow enforce, which an import must not skip --------


def test_an_editor_importing_published_documents_into_a_review_type_is_refused(
    db: Database, clock: FakeClock, admin: Actor, editor: Actor
) -> None:
    """Publishing from draft is refused to an editor when the type needs review, through
    ``workflow.act`` and ``create_document(status=published)`` alike; an import with
    ``publish`` must raise the same error and write nothing."""
    content_types.create_type(
        db.uow(), clock, admin, ContentTypeSpec(name="article", workflow=WorkflowMode.REVIEW)
    )
    with pytest.raises(IllegalTransition) as by_create:
        new_document(db, clock, editor, type_name="article", title="x", status=Status.PUBLISHED)

    with pytest.raises(IllegalTransition) as by_import:
        _import(db, clock, editor, [DocumentInput(type="article", title="Imported")], publish=True)

    assert by_import.value.current is by_create.value.current is Status.DRAFT
    assert listed(db, editor, type="article") == []
    assert listed(db, editor, Perspective.PUBLISHED, type="article") == []


def test_an_admin_may_import_published_documents_into_a_review_type(
    db: Database, clock: FakeClock, admin: Actor
) -> None:
    content_types.create_type(
        db.uow(), clock, admin, ContentTypeSpec(name="article", workflow=WorkflowMode.REVIEW)
    )

    assert _import(db, clock, admin, [DocumentInput(type="article", title="x")], publish=True) == [
        1
    ]
    assert [d.status for d in listed(db, admin, type="article")] == [Status.PUBLISHED]


@pytest.fixture
def single_type(db: Database, clock: FakeClock, admin: Actor) -> str:
    spec = ContentTypeSpec(
        name="home",
        kind=TypeKind.SINGLE,
        fields=(FieldDef(name="headline", type=FieldType.STRING),),
    )
    content_types.create_type(db.uow(), clock, admin, spec)
    return "home"


def test_importing_a_second_document_of_a_single_type_raises_conflict(
    db: Database, clock: FakeClock, editor: Actor, single_type: str
) -> None:
    """``create_document`` refuses a single type's second document; so must an import."""
    existing = new_document(db, clock, editor, type_name=single_type, headline="The one")
    with pytest.raises(Conflict):
        new_document(db, clock, editor, type_name=single_type, headline="By create")

    with pytest.raises(Conflict):
        _import(db, clock, editor, [DocumentInput(type=single_type, data={"headline": "Imported"})])

    assert listed(db, editor, type=single_type) == [existing]
    assert documents.get_singleton(db.uow(), editor, single_type) == existing


def test_importing_two_documents_of_an_empty_single_type_raises_conflict(
    db: Database, clock: FakeClock, editor: Actor, single_type: str
) -> None:
    both = [DocumentInput(type=single_type, data={"headline": str(n)}) for n in range(2)]

    with pytest.raises(Conflict):
        _import(db, clock, editor, both)

    assert listed(db, editor, type=single_type) == []
