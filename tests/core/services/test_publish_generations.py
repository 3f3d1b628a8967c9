"""The publish generation of a space rises with every committed change that published reads
can show (publish, unpublish, delete, a type change, a release activation), stays put for
working-copy edits, and never rises for a rolled-back transaction; on both databases."""

from __future__ import annotations

from masthead.core.content_types import ContentTypeChanges
from masthead.core.errors import MastheadError
from masthead.core.models import Actor
from masthead.core.services import content_types, delivery, documents, workflow
from masthead.storage.uow import Database
from tests.conftest import FakeClock
from tests.core.services.builders import new_document


def _generation(db: Database, actor: Actor) -> int:
    return delivery.published_generation(db.freshness, actor)


def test_published_changes_raise_the_generation_and_edits_do_not(
    db: Database, clock: FakeClock, admin: Actor, outsider: Actor
) -> None:
    start = _generation(db, admin)
    doc = new_document(db, clock, admin, type_name="post", title="Hello")
    assert _generation(db, admin) == start  # a draft: nothing published changed
    workflow.publish(db.uow(), clock, admin, doc.id)
    published = _generation(db, admin)
    assert published > start
    documents.update_document(
        db.uow(), clock, admin, doc.id, documents.DocumentInput(title="Edited")
    )
    assert _generation(db, admin) == published  # the working copy only
    workflow.unpublish(db.uow(), clock, admin, doc.id)
    unpublished = _generation(db, admin)
    assert unpublished > published
    post = content_types.get_type(db.read_uow(), admin, "post")
    content_types.patch_type(
        db.uow(), clock, admin, "post", ContentTypeChanges(title=f"{post.title}s")
    )
    assert _generation(db, admin) > unpublished
    assert _generation(db, outsider) == 0  # another space's counter never moved


def test_a_rolled_back_change_leaves_the_generation(
    db: Database, clock: FakeClock, admin: Actor
) -> None:
    doc = new_document(db, clock, admin, type_name="post", title="Hello")
    before = _generation(db, admin)
    with db.uow() as uow:
        document = uow.documents.get(admin.space_id, doc.id, for_update=True)
        workflow.apply_action(uow, clock, admin, document, None, workflow.Action.PUBLISH, None)
        uow.rollback()
    assert _generation(db, admin) == before
    try:
        with db.uow() as uow:
            uow.documents.unpublish(admin.space_id, doc.id)
            raise MastheadError("abandoned")
    except MastheadError:
        pass
    assert _generation(db, admin) == before
