"""Creating a document with status published writes its published state at once; it must
leave exactly what creating it and then publishing it leaves: working copy, published copy,
revisions, transitions, search; and refuse what a publish would refuse. On both databases."""

from __future__ import annotations

from typing import Any

import pytest

from masthead.core.documents import Perspective
from masthead.core.errors import Forbidden
from masthead.core.listing import DocumentQuery
from masthead.core.models import Actor
from masthead.core.services import documents, queries, revisions, workflow
from masthead.core.workflow import Status
from masthead.storage.uow import Database
from tests.conftest import FakeClock
from tests.core.services.builders import new_document


def _state(db: Database, actor: Actor, document_id: Any) -> dict[str, Any]:
    working = documents.get_document(db.read_uow(), actor, document_id, Perspective.DRAFT)
    published = documents.get_document(db.read_uow(), actor, document_id, Perspective.PUBLISHED)
    page = revisions.list_revisions(db.read_uow(), actor, document_id)
    moves = workflow.history(db.read_uow(), actor, document_id)
    return {
        "status": working.status,
        "version": working.version,
        "revision": working.revision,
        "published_revision": working.published_revision,
        "published_title": published.title,
        "published_version": published.version,
        "revisions": [(r.number, r.title) for r in page.items],
        "moves": [(m.action, m.from_status, m.to_status, m.version) for m in moves],
    }


def test_created_published_equals_created_then_published(
    db: Database, clock: FakeClock, editor: Actor
) -> None:
    at_once = new_document(
        db, clock, editor, type_name="post", title="Same", status=Status.PUBLISHED, body="x"
    )
    in_two = new_document(db, clock, editor, type_name="post", title="Same", body="x")
    workflow.publish(db.uow(), clock, editor, in_two.id)
    assert _state(db, editor, at_once.id) == _state(db, editor, in_two.id)
    assert at_once.status is Status.PUBLISHED
    found = queries.list_documents(
        db.read_uow(),
        editor,
        DocumentQuery(type="post", perspective=Perspective.PUBLISHED, search="same"),
    )
    assert {d.id for d in found.items} == {at_once.id, in_two.id}


def test_a_reader_creates_no_published_document(
    db: Database, clock: FakeClock, viewer: Actor, editor: Actor
) -> None:
    with pytest.raises(Forbidden):
        new_document(db, clock, viewer, type_name="post", title="Nope", status=Status.PUBLISHED)
    listed = queries.list_documents(db.read_uow(), editor, DocumentQuery(type="post"))
    assert listed.items == []
