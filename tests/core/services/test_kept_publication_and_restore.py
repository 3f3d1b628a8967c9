"""Core rules the Toast API needs, on both databases: when a document was last published is
kept after unpublishing (while ``published_at`` is cleared as before), a restore that
snapshots the current state first, media looked up in bulk, and the lookup of a live
document of given types."""

from __future__ import annotations

from uuid import uuid4

import pytest

from masthead.core.access import Permission
from masthead.core.documents import Document
from masthead.core.errors import DocumentNotFound, Forbidden, RevisionNotFound
from masthead.core.models import Actor
from masthead.core.services import documents, media, revisions, workflow
from masthead.core.services.documents import DocumentInput
from masthead.core.workflow import Status
from masthead.storage.uow import Database
from tests.conftest import FakeClock
from tests.core.services.builders import new_document


def test_unpublishing_keeps_when_it_was_last_published(
    db: Database, clock: FakeClock, editor: Actor
) -> None:
    doc = new_document(db, clock, editor, title="News")
    clock.advance(10)
    published = workflow.publish(db.uow(), clock, editor, doc.id)
    assert published.published_at == published.last_published_at == clock.now
    first = clock.now
    clock.advance(10)
    unpublished = workflow.unpublish(db.uow(), clock, editor, doc.id)
    assert unpublished.published_at is None  # what /v1 shows, unchanged
    assert unpublished.last_published_at == first
    stored = documents.get_document(db.uow(), editor, doc.id)
    assert (stored.published_at, stored.last_published_at) == (None, first)
    clock.advance(10)
    again = workflow.publish(db.uow(), clock, editor, doc.id)
    assert again.published_at == again.last_published_at == clock.now


def test_republishing_an_edited_document_keeps_its_first_publication_time(
    db: Database, clock: FakeClock, editor: Actor
) -> None:
    doc = new_document(db, clock, editor, title="News")
    first = workflow.publish(db.uow(), clock, editor, doc.id).published_at
    clock.advance(10)
    documents.update_document(db.uow(), clock, editor, doc.id, DocumentInput(title="Edited"))
    again = workflow.publish(db.uow(), clock, editor, doc.id)
    assert again.published_at == again.last_published_at == first


def test_archiving_keeps_when_it_was_last_published(
    db: Database, clock: FakeClock, editor: Actor
) -> None:
    doc = new_document(db, clock, editor, title="News")
    when = workflow.publish(db.uow(), clock, editor, doc.id).published_at
    archived = workflow.archive(db.uow(), clock, editor, doc.id)
    assert (archived.published_at, archived.last_published_at) == (None, when)


@pytest.fixture
def three_revisions(db: Database, clock: FakeClock, editor: Actor) -> Document:
    doc = new_document(db, clock, editor, title="One")
    for title in ("Two", "Three"):
        clock.advance(1)
        documents.update_document(db.uow(), clock, editor, doc.id, DocumentInput(title=title))
    return documents.get_document(db.uow(), editor, doc.id)


def test_snapshot_and_restore_records_the_current_state_then_the_old_content(
    db: Database, clock: FakeClock, editor: Actor, three_revisions: Document
) -> None:
    write = revisions.snapshot_and_restore(db.uow(), clock, editor, three_revisions.id, 1)
    assert (write.revision.number, write.document.title) == (5, "One")
    assert write.document.status is Status.DRAFT
    page = revisions.list_revisions(db.uow(), editor, three_revisions.id)
    assert [(r.number, r.title) for r in page.items] == [
        (5, "One"),
        (4, "Three"),
        (3, "Three"),
        (2, "Two"),
        (1, "One"),
    ]
    assert page.items[1].message == "Before restoring revision 1"
    assert page.items[0].message == "Restored from revision 1"


def test_snapshot_and_restore_of_a_missing_revision_stores_nothing(
    db: Database, clock: FakeClock, editor: Actor, three_revisions: Document
) -> None:
    with pytest.raises(RevisionNotFound):
        revisions.snapshot_and_restore(db.uow(), clock, editor, three_revisions.id, 9)
    assert revisions.list_revisions(db.uow(), editor, three_revisions.id).total == 3


def test_snapshot_and_restore_needs_write(
    db: Database, clock: FakeClock, viewer: Actor, three_revisions: Document
) -> None:
    with pytest.raises(Forbidden):
        revisions.snapshot_and_restore(db.uow(), clock, viewer, three_revisions.id, 1)


def test_live_document_lookup_checks_the_permission_first_then_state_and_type(
    db: Database, clock: FakeClock, editor: Actor, viewer: Actor, outsider: Actor
) -> None:
    post = new_document(db, clock, editor, type_name="post", title="Post")
    archived = new_document(db, clock, editor, type_name="post", title="Gone")
    workflow.archive(db.uow(), clock, editor, archived.id)
    found = documents.require_live_document(db.uow(), viewer, post.id, types=("post",))
    assert found.id == post.id
    with pytest.raises(Forbidden):
        documents.require_live_document(db.uow(), viewer, uuid4(), permission=Permission.WRITE)
    for actor, doc_id, types in (
        (editor, archived.id, None),
        (editor, post.id, ("page",)),
        (editor, uuid4(), None),
        (outsider, post.id, None),
    ):
        with pytest.raises(DocumentNotFound):
            documents.require_live_document(db.uow(), actor, doc_id, types=types)


def test_media_are_looked_up_in_bulk_within_the_space(db: Database, editor: Actor) -> None:
    assert media.get_media_many(db.uow(), editor, []) == []
    assert media.get_media_many(db.uow(), editor, [uuid4()]) == []
