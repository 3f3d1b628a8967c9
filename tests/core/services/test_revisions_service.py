"""Revisions through the core service, on both databases: newest first with paging bounds,
reading one, snapshots, restore (which appends, never rewrites) and diffs."""

from __future__ import annotations

from uuid import uuid4

import pytest

from masthead.core.documents import Document, Perspective
from masthead.core.errors import (
    DocumentNotFound,
    Forbidden,
    Invalid,
    RevisionNotFound,
    StaleVersion,
)
from masthead.core.models import Actor
from masthead.core.services import documents, revisions
from masthead.core.services.documents import DocumentInput
from masthead.core.services.revisions import FieldChange
from masthead.core.workflow import Status
from masthead.storage.uow import Database
from tests.conftest import FakeClock
from tests.core.services.builders import new_document


@pytest.fixture
def three_revisions(db: Database, clock: FakeClock, editor: Actor) -> Document:
    """Revision 1 "One" (excerpt "first"), 2 "Two" (excerpt "second"), 3 "Three" (no excerpt,
    metaTitle "meta")."""
    doc = new_document(db, clock, editor, title="One", excerpt="first")
    clock.advance(1)
    documents.update_document(
        db.uow(), clock, editor, doc.id, DocumentInput(title="Two", data={"excerpt": "second"})
    )
    clock.advance(1)
    return documents.update_document(
        db.uow(),
        clock,
        editor,
        doc.id,
        DocumentInput(title="Three", data={"excerpt": None, "metaTitle": "meta"}),
    ).document


def test_revisions_list_newest_first_with_their_content(
    db: Database, viewer: Actor, three_revisions: Document
) -> None:
    page = revisions.list_revisions(db.uow(), viewer, three_revisions.id)

    assert [(r.number, r.title) for r in page.items] == [(3, "Three"), (2, "Two"), (1, "One")]
    assert page.items[1].data == {"excerpt": "second"}
    assert page.items[0].created_at > page.items[1].created_at > page.items[2].created_at
    assert page.total == 3


def test_revision_paging_returns_the_requested_slice_and_the_total(
    db: Database, editor: Actor, three_revisions: Document
) -> None:
    def numbers(limit: int, offset: int) -> tuple[list[int], int]:
        page = revisions.list_revisions(
            db.uow(), editor, three_revisions.id, limit=limit, offset=offset
        )
        return [r.number for r in page.items], page.total

    assert numbers(2, 0) == ([3, 2], 3)
    assert numbers(2, 2) == ([1], 3)
    assert numbers(100, 5) == ([], 3)
    assert numbers(1, 0) == ([3], 3)


def test_revision_paging_out_of_bounds_is_invalid(
    db: Database, editor: Actor, three_revisions: Document
) -> None:
    for limit, offset in [(0, 0), (101, 0), (20, -1)]:
        with pytest.raises(Invalid):
            revisions.list_revisions(
                db.uow(), editor, three_revisions.id, limit=limit, offset=offset
            )


def test_get_revision_returns_that_numbers_content(
    db: Database, editor: Actor, three_revisions: Document
) -> None:
    revision = revisions.get_revision(db.uow(), editor, three_revisions.id, 2)

    assert (revision.number, revision.title, revision.data) == (2, "Two", {"excerpt": "second"})
    assert revision.author_id == editor.user_id
    with pytest.raises(RevisionNotFound):
        revisions.get_revision(db.uow(), editor, three_revisions.id, 4)


def test_revisions_of_an_unknown_or_foreign_document_are_not_found(
    db: Database, editor: Actor, outsider: Actor, three_revisions: Document
) -> None:
    with pytest.raises(DocumentNotFound):
        revisions.list_revisions(db.uow(), editor, uuid4())
    with pytest.raises(DocumentNotFound):
        revisions.list_revisions(db.uow(), outsider, three_revisions.id)
    with pytest.raises(DocumentNotFound):
        revisions.get_revision(db.uow(), outsider, three_revisions.id, 1)
    with pytest.raises(DocumentNotFound):
        revisions.diff_revisions(db.uow(), outsider, three_revisions.id, 1, 2)


def test_a_snapshot_records_the_current_content_as_a_new_labelled_revision(
    db: Database, clock: FakeClock, editor: Actor, three_revisions: Document
) -> None:
    clock.advance(1)
    snapshot = revisions.create_snapshot(db.uow(), clock, editor, three_revisions.id, "Launch")

    assert (snapshot.number, snapshot.message, snapshot.title) == (4, "Launch", "Three")
    assert snapshot.data == three_revisions.data
    current = documents.get_document(db.uow(), editor, three_revisions.id)
    assert (current.revision, current.version) == (4, three_revisions.version + 1)
    assert current.data == three_revisions.data


def test_a_snapshot_message_over_the_limit_is_invalid_and_records_nothing(
    db: Database, clock: FakeClock, editor: Actor, three_revisions: Document
) -> None:
    with pytest.raises(Invalid):
        revisions.create_snapshot(db.uow(), clock, editor, three_revisions.id, "x" * 2001)

    assert revisions.list_revisions(db.uow(), editor, three_revisions.id).total == 3


def test_restore_appends_a_revision_with_the_old_content_and_keeps_history(
    db: Database, clock: FakeClock, editor: Actor, three_revisions: Document
) -> None:
    before = revisions.list_revisions(db.uow(), editor, three_revisions.id).items
    clock.advance(1)

    written = revisions.restore_revision(db.uow(), clock, editor, three_revisions.id, 1)

    assert written.revision.number == 4
    assert written.revision.message == "Restored from revision 1"
    assert (written.document.title, written.document.data) == ("One", {"excerpt": "first"})
    assert (written.document.revision, written.document.status) == (4, Status.DRAFT)
    after = revisions.list_revisions(db.uow(), editor, three_revisions.id).items
    assert after[1:] == before  # revisions 3, 2, 1 untouched
    assert documents.get_document(db.uow(), editor, three_revisions.id) == written.document


def test_restore_of_a_published_document_leaves_the_published_revision_live(
    db: Database, clock: FakeClock, editor: Actor
) -> None:
    doc = new_document(db, clock, editor, title="Old")
    documents.update_document(
        db.uow(), clock, editor, doc.id, DocumentInput(title="New", status=Status.PUBLISHED)
    )

    written = revisions.restore_revision(db.uow(), clock, editor, doc.id, 1)

    assert (written.document.title, written.document.status) == ("Old", Status.DRAFT)
    published = documents.get_document(db.uow(), editor, doc.id, Perspective.PUBLISHED)
    assert published.title == "New"


def test_restore_with_a_stale_version_or_unknown_revision_changes_nothing(
    db: Database, clock: FakeClock, editor: Actor, three_revisions: Document
) -> None:
    with pytest.raises(StaleVersion):
        revisions.restore_revision(
            db.uow(), clock, editor, three_revisions.id, 1, expected_version=1
        )
    with pytest.raises(RevisionNotFound):
        revisions.restore_revision(db.uow(), clock, editor, three_revisions.id, 9)

    assert documents.get_document(db.uow(), editor, three_revisions.id) == three_revisions
    assert revisions.list_revisions(db.uow(), editor, three_revisions.id).total == 3


def test_diff_lists_each_changed_field_with_its_kind_of_change(
    db: Database, editor: Actor, three_revisions: Document
) -> None:
    changes = revisions.diff_revisions(db.uow(), editor, three_revisions.id, 2, 3)

    assert changes == [
        FieldChange("excerpt", "second", None, "removed"),
        FieldChange("metaTitle", None, "meta", "added"),
        FieldChange("title", "Two", "Three", "changed"),
    ]
    assert revisions.diff_revisions(db.uow(), editor, three_revisions.id, 2, 2) == []
    with pytest.raises(RevisionNotFound):
        revisions.diff_revisions(db.uow(), editor, three_revisions.id, 1, 7)


def test_viewers_read_history_but_cannot_snapshot_or_restore(
    db: Database, clock: FakeClock, viewer: Actor, viewer_token: Actor, three_revisions: Document
) -> None:
    for actor in (viewer, viewer_token):
        assert revisions.get_revision(db.uow(), actor, three_revisions.id, 1).title == "One"
        with pytest.raises(Forbidden):
            revisions.create_snapshot(db.uow(), clock, actor, three_revisions.id)
        with pytest.raises(Forbidden):
            revisions.restore_revision(db.uow(), clock, actor, three_revisions.id, 1)

    assert revisions.list_revisions(db.uow(), viewer, three_revisions.id).total == 3
