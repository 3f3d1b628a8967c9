"""Workflow policies in the core, on both databases: the STANDARD policy is /v1's (admins
may publish from draft), REVIEW_REQUIRED (the workflow API's) publishes only from approved
whatever the role or the type's workflow mode, and records every publish as a revision.
Also provenance (``created_via``) and revert's "only to an older version" rule."""

from __future__ import annotations

import pytest

from masthead.core.content_types import WorkflowMode
from masthead.core.errors import RevisionNotOlder
from masthead.core.models import Actor
from masthead.core.services import revisions, workflow
from masthead.core.services.documents import (
    DocumentInput,
    create_document,
    get_document,
    update_document,
)
from masthead.core.workflow import (
    REVIEW_REQUIRED,
    STANDARD,
    Action,
    IllegalTransition,
    SelfApprovalForbidden,
    Status,
    WorkflowPolicy,
)
from masthead.storage.uow import Database
from tests.conftest import FakeClock
from tests.core.services.builders import new_document, new_type


def test_the_policies_differ_only_in_publish() -> None:
    for action in Action:
        if action is not Action.PUBLISH:
            assert REVIEW_REQUIRED.sources(action) == STANDARD.sources(action)
    assert STANDARD.sources(Action.PUBLISH) == {Status.DRAFT, Status.APPROVED}
    assert REVIEW_REQUIRED.sources(Action.PUBLISH) == {Status.APPROVED}
    assert WorkflowPolicy("plain") == WorkflowPolicy("plain", review_required=False)


def test_admin_publishes_from_draft_under_the_standard_policy(
    db: Database, clock: FakeClock, admin: Actor
) -> None:
    doc = new_document(db, clock, admin, title="Quick")
    published = workflow.publish(db.uow(), clock, admin, doc.id)
    assert published.status is Status.PUBLISHED
    assert published.revision == doc.revision  # no snapshot under STANDARD


@pytest.mark.parametrize("mode", [WorkflowMode.NONE, WorkflowMode.REVIEW])
def test_review_required_refuses_publishing_a_draft_even_for_an_admin(
    db: Database, clock: FakeClock, admin: Actor, mode: WorkflowMode
) -> None:
    new_type(db, clock, admin, name="note", fields=[], workflow=mode)
    doc = new_document(db, clock, admin, type_name="note", title="Draft")
    with pytest.raises(IllegalTransition) as caught:
        workflow.act(db.uow(), clock, admin, doc.id, Action.PUBLISH, policy=REVIEW_REQUIRED)
    assert caught.value.current is Status.DRAFT
    assert caught.value.required == {Status.APPROVED}


def test_review_required_publishes_from_approved_with_a_snapshot(
    db: Database, clock: FakeClock, editor: Actor, editor2: Actor
) -> None:
    doc = new_document(db, clock, editor, title="Reviewed")
    workflow.act(db.uow(), clock, editor, doc.id, Action.SUBMIT, policy=REVIEW_REQUIRED)
    workflow.act(db.uow(), clock, editor2, doc.id, Action.APPROVE, policy=REVIEW_REQUIRED)
    published = workflow.act(
        db.uow(), clock, editor2, doc.id, Action.PUBLISH, policy=REVIEW_REQUIRED
    )
    assert published.status is Status.PUBLISHED
    assert published.revision == doc.revision + 1
    assert published.published_revision == published.revision
    assert published.published_at == clock()
    page = revisions.list_revisions(db.uow(), editor, doc.id)
    assert [r.number for r in page.items] == [2, 1]
    assert page.items[0].message == "Published"
    assert page.items[0].status is Status.PUBLISHED


def test_self_approval_is_refused_under_both_policies(
    db: Database, clock: FakeClock, admin: Actor
) -> None:
    for policy in (STANDARD, REVIEW_REQUIRED):
        doc = new_document(db, clock, admin, title=f"Mine {policy.name}")
        workflow.act(db.uow(), clock, admin, doc.id, Action.SUBMIT, policy=policy)
        with pytest.raises(SelfApprovalForbidden):
            workflow.act(db.uow(), clock, admin, doc.id, Action.APPROVE, policy=policy)


def test_a_wrong_state_names_the_required_one(
    db: Database, clock: FakeClock, editor: Actor
) -> None:
    doc = new_document(db, clock, editor, title="Draft")
    with pytest.raises(IllegalTransition) as caught:
        workflow.act(db.uow(), clock, editor, doc.id, Action.APPROVE, policy=REVIEW_REQUIRED)
    assert (caught.value.current, caught.value.required) == (Status.DRAFT, {Status.IN_REVIEW})


def test_documents_record_the_api_that_created_them(
    db: Database, clock: FakeClock, editor: Actor
) -> None:
    through = editor.model_copy(update={"via": "workflow"})
    made = create_document(db.uow(), clock, through, DocumentInput(type="page", title="Via"))
    assert made.document.created_via == "workflow"
    unsaid = new_document(db, clock, editor, title="Unsaid")
    assert unsaid.created_via is None
    assert revisions.get_revision(db.uow(), editor, made.document.id, 1).number == 1
    assert get_document(db.uow(), editor, made.document.id).created_via == "workflow"


def test_revert_goes_only_to_an_older_version(
    db: Database, clock: FakeClock, editor: Actor, editor2: Actor
) -> None:
    doc = new_document(db, clock, editor, title="First")
    update_document(db.uow(), clock, editor, doc.id, DocumentInput(title="Second"))
    workflow.submit(db.uow(), clock, editor, doc.id)
    for number in (2, 3):
        with pytest.raises(RevisionNotOlder):
            revisions.revert_revision(db.uow(), clock, editor, doc.id, number)
    reverted = revisions.revert_revision(db.uow(), clock, editor, doc.id, 1).document
    assert (reverted.title, reverted.revision, reverted.status) == ("First", 3, Status.DRAFT)
