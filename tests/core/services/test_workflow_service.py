"""The workflow through the core service, on both databases: every action from every status,
self-approval, review-type publishing, recorded history, and what unpublishing leaves."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from masthead.core.content_types import WorkflowMode
from masthead.core.documents import Document, Perspective
from masthead.core.errors import DocumentNotFound, Invalid, StaleVersion
from masthead.core.models import Actor
from masthead.core.services import documents, workflow
from masthead.core.services.documents import DocumentInput
from masthead.core.workflow import Action, IllegalTransition, SelfApprovalForbidden, Status
from masthead.storage.uow import Database
from tests.conftest import FakeClock
from tests.core.services.builders import listed, new_document, new_type, outcome

LIVE = (Status.DRAFT, Status.IN_REVIEW, Status.APPROVED, Status.PUBLISHED)

# Every legal (action, from) → to for a document never published before (except the
# published one). Anything not listed must raise IllegalTransition naming the current status.
LEGAL: dict[tuple[Action, Status], Status] = {
    (Action.SUBMIT, Status.DRAFT): Status.IN_REVIEW,
    (Action.APPROVE, Status.IN_REVIEW): Status.APPROVED,
    (Action.REJECT, Status.IN_REVIEW): Status.DRAFT,
    (Action.PUBLISH, Status.APPROVED): Status.PUBLISHED,
    (Action.PUBLISH, Status.DRAFT): Status.PUBLISHED,  # the acting admin may skip review
    (Action.UNPUBLISH, Status.PUBLISHED): Status.DRAFT,
    **{(Action.ARCHIVE, s): Status.ARCHIVED for s in LIVE},
    (Action.RESTORE, Status.ARCHIVED): Status.DRAFT,
}


def _in_status(
    db: Database, clock: FakeClock, author: Actor, reviewer: Actor, status: Status
) -> Document:
    """A document brought to ``status`` the ordinary way: ``author`` writes and submits,
    ``reviewer`` approves."""
    initial = Status.PUBLISHED if status is Status.PUBLISHED else None
    doc = new_document(db, clock, author, title=f"In {status.value}", status=initial)
    if status in {Status.IN_REVIEW, Status.APPROVED}:
        doc = workflow.submit(db.uow(), clock, author, doc.id)
    if status is Status.APPROVED:
        doc = workflow.approve(db.uow(), clock, reviewer, doc.id)
    if status is Status.ARCHIVED:
        doc = workflow.archive(db.uow(), clock, author, doc.id)
    assert doc.status is status
    return doc


@pytest.mark.parametrize("status", list(Status))
def test_every_action_from_each_status_moves_or_is_refused_naming_the_status(
    db: Database, clock: FakeClock, admin: Actor, editor: Actor, editor2: Actor, status: Status
) -> None:
    for action in Action:
        doc = _in_status(db, clock, editor, editor2, status)
        expected = LEGAL.get((action, status))
        if expected is None:
            with pytest.raises(IllegalTransition) as caught:
                workflow.act(db.uow(), clock, admin, doc.id, action)
            assert (caught.value.action, caught.value.current) == (action, status)
            assert documents.get_document(db.uow(), admin, doc.id) == doc, action
            continue
        moved = workflow.act(db.uow(), clock, admin, doc.id, action)
        assert moved.status is expected, action
        assert moved.version == doc.version + 1, action
        assert documents.get_document(db.uow(), admin, doc.id) == moved, action
        assert moved.is_published is (expected is Status.PUBLISHED), action


def test_publishing_points_readers_at_the_current_revision(
    db: Database, clock: FakeClock, editor: Actor
) -> None:
    doc = new_document(db, clock, editor, title="First")
    documents.update_document(db.uow(), clock, editor, doc.id, DocumentInput(title="Second"))
    clock.advance(5)

    published = workflow.publish(db.uow(), clock, editor, doc.id)

    assert (published.published_revision, published.published_at) == (2, clock.now)
    assert documents.get_document(db.uow(), editor, doc.id, Perspective.PUBLISHED).title == "Second"


def test_whoever_submitted_cannot_approve_their_own_document_not_even_an_admin(
    db: Database, clock: FakeClock, editor: Actor, admin: Actor
) -> None:
    for actor in (editor, admin):
        doc = new_document(db, clock, actor, title="Mine")
        submitted = workflow.submit(db.uow(), clock, actor, doc.id)

        with pytest.raises(SelfApprovalForbidden):
            workflow.approve(db.uow(), clock, actor, doc.id)

        assert documents.get_document(db.uow(), actor, doc.id) == submitted


def test_another_member_may_approve_what_an_editor_submitted(
    db: Database, clock: FakeClock, editor: Actor, editor2: Actor
) -> None:
    doc = new_document(db, clock, editor, title="Theirs")
    workflow.submit(db.uow(), clock, editor, doc.id)

    approved = workflow.approve(db.uow(), clock, editor2, doc.id)

    assert approved.status is Status.APPROVED
    assert approved.submitted_by == editor.user_id


@pytest.fixture
def reviewed_type(db: Database, clock: FakeClock, admin: Actor) -> str:
    new_type(db, clock, admin, name="article", workflow=WorkflowMode.REVIEW)
    return "article"


def test_an_editor_cannot_publish_a_review_type_straight_from_draft(
    db: Database, clock: FakeClock, editor: Actor, reviewed_type: str
) -> None:
    doc = new_document(db, clock, editor, type_name=reviewed_type, title="Draft")

    with pytest.raises(IllegalTransition) as caught:
        workflow.publish(db.uow(), clock, editor, doc.id)
    assert caught.value.current is Status.DRAFT
    with pytest.raises(IllegalTransition):
        new_document(
            db, clock, editor, type_name=reviewed_type, title="Live", status=Status.PUBLISHED
        )

    assert listed(db, editor, type=reviewed_type) == [doc]
    assert listed(db, editor, Perspective.PUBLISHED) == []


def test_an_editor_publishes_a_review_type_once_another_member_approved_it(
    db: Database, clock: FakeClock, editor: Actor, editor2: Actor, reviewed_type: str
) -> None:
    doc = new_document(db, clock, editor, type_name=reviewed_type, title="Reviewed")
    workflow.submit(db.uow(), clock, editor, doc.id)
    workflow.approve(db.uow(), clock, editor2, doc.id)

    assert workflow.publish(db.uow(), clock, editor, doc.id).status is Status.PUBLISHED


def test_an_admin_may_publish_a_review_type_straight_from_draft(
    db: Database, clock: FakeClock, admin: Actor, reviewed_type: str
) -> None:
    doc = new_document(db, clock, admin, type_name=reviewed_type, title="Draft")

    assert workflow.publish(db.uow(), clock, admin, doc.id).status is Status.PUBLISHED
    created = new_document(
        db, clock, admin, type_name=reviewed_type, title="Live", status=Status.PUBLISHED
    )
    assert created.status is Status.PUBLISHED
    assert len(listed(db, admin, Perspective.PUBLISHED, type=reviewed_type)) == 2


def test_history_records_each_transition_in_order_with_the_reject_reason(
    db: Database, clock: FakeClock, editor: Actor, editor2: Actor, viewer: Actor
) -> None:
    doc = new_document(db, clock, editor, title="Reviewed")
    workflow.submit(db.uow(), clock, editor, doc.id)
    clock.advance(1)
    workflow.reject(db.uow(), clock, editor2, doc.id, "Needs a better title")
    clock.advance(1)
    workflow.submit(db.uow(), clock, editor, doc.id)

    records = workflow.history(db.uow(), viewer, doc.id)

    assert [(r.action, r.from_status, r.to_status) for r in records] == [
        (Action.SUBMIT, Status.DRAFT, Status.IN_REVIEW),
        (Action.REJECT, Status.IN_REVIEW, Status.DRAFT),
        (Action.SUBMIT, Status.DRAFT, Status.IN_REVIEW),
    ]
    assert [r.reason for r in records] == [None, "Needs a better title", None]
    assert [r.actor_id for r in records] == [editor.user_id, editor2.user_id, editor.user_id]
    assert [r.version for r in records] == [2, 3, 4]
    assert records[1].at - records[0].at == timedelta(seconds=1)


def test_a_refused_action_records_no_history(db: Database, clock: FakeClock, editor: Actor) -> None:
    doc = new_document(db, clock, editor, title="Draft")

    with pytest.raises(IllegalTransition):
        workflow.approve(db.uow(), clock, editor, doc.id)

    assert workflow.history(db.uow(), editor, doc.id) == []


def test_unpublishing_an_edited_document_keeps_its_working_copy(
    db: Database, clock: FakeClock, editor: Actor
) -> None:
    doc = new_document(db, clock, editor, title="Live", status=Status.PUBLISHED)
    edited = documents.update_document(
        db.uow(), clock, editor, doc.id, DocumentInput(title="Working", data={"excerpt": "wip"})
    ).document

    unpublished = workflow.unpublish(db.uow(), clock, editor, doc.id)

    assert (unpublished.title, unpublished.data) == ("Working", {"excerpt": "wip"})
    assert (unpublished.status, unpublished.revision) == (Status.DRAFT, edited.revision)
    assert (unpublished.published_revision, unpublished.published_at) == (None, None)
    with pytest.raises(DocumentNotFound):
        documents.get_document(db.uow(), editor, doc.id, Perspective.PUBLISHED)
    with pytest.raises(IllegalTransition):  # nothing left to withdraw
        workflow.unpublish(db.uow(), clock, editor, doc.id)


def test_unpublishing_a_document_in_review_leaves_it_in_review(
    db: Database, clock: FakeClock, editor: Actor
) -> None:
    doc = new_document(db, clock, editor, title="Live", status=Status.PUBLISHED)
    documents.update_document(db.uow(), clock, editor, doc.id, DocumentInput(title="Next"))
    workflow.submit(db.uow(), clock, editor, doc.id)

    unpublished = workflow.unpublish(db.uow(), clock, editor, doc.id)

    assert (unpublished.status, unpublished.title) == (Status.IN_REVIEW, "Next")
    assert listed(db, editor, Perspective.PUBLISHED) == []


def test_editing_a_document_in_review_returns_it_to_draft_and_clears_the_submitter(
    db: Database, clock: FakeClock, editor: Actor
) -> None:
    doc = new_document(db, clock, editor, title="Submitted")
    workflow.submit(db.uow(), clock, editor, doc.id)

    edited = documents.update_document(
        db.uow(), clock, editor, doc.id, DocumentInput(title="Changed")
    ).document

    assert (edited.status, edited.submitted_by) == (Status.DRAFT, None)


def test_editing_an_archived_document_is_refused_until_restored(
    db: Database, clock: FakeClock, editor: Actor
) -> None:
    doc = _in_status(db, clock, editor, editor, Status.ARCHIVED)

    with pytest.raises(IllegalTransition):
        documents.update_document(db.uow(), clock, editor, doc.id, DocumentInput(title="x"))

    assert documents.get_document(db.uow(), editor, doc.id) == doc


def test_a_status_sent_with_an_edit_runs_the_same_rules(
    db: Database, clock: FakeClock, editor: Actor
) -> None:
    doc = new_document(db, clock, editor, title="Draft")

    submitted = documents.update_document(
        db.uow(), clock, editor, doc.id, DocumentInput(status=Status.IN_REVIEW)
    ).document
    assert submitted.status is Status.IN_REVIEW
    with pytest.raises(SelfApprovalForbidden):
        documents.update_document(
            db.uow(), clock, editor, doc.id, DocumentInput(status=Status.APPROVED)
        )
    with pytest.raises(IllegalTransition):
        documents.update_document(
            db.uow(), clock, editor, doc.id, DocumentInput(status=Status.PUBLISHED)
        )
    assert documents.get_document(db.uow(), editor, doc.id) == submitted


def test_viewers_cannot_run_workflow_actions(
    db: Database,
    clock: FakeClock,
    editor: Actor,
    viewer: Actor,
    viewer_token: Actor,
) -> None:
    doc = new_document(db, clock, editor, title="Draft")

    outcomes = {
        (actor.kind.value, action.value): outcome(
            lambda: workflow.act(db.uow(), clock, actor, doc.id, action)  # noqa: B023
        )
        for actor, action in itertools.product((viewer, viewer_token), Action)
    }

    assert set(outcomes.values()) == {"Forbidden"}, outcomes

    assert documents.get_document(db.uow(), editor, doc.id) == doc


def test_actions_on_another_spaces_document_are_not_found(
    db: Database, clock: FakeClock, editor: Actor, outsider: Actor
) -> None:
    doc = new_document(db, clock, editor, title="Mine")

    with pytest.raises(DocumentNotFound):
        workflow.publish(db.uow(), clock, outsider, doc.id)
    with pytest.raises(DocumentNotFound):
        workflow.history(db.uow(), outsider, doc.id)


def test_a_stale_version_or_overlong_reason_is_refused_and_changes_nothing(
    db: Database, clock: FakeClock, editor: Actor, editor2: Actor
) -> None:
    doc = _in_status(db, clock, editor, editor2, Status.IN_REVIEW)

    with pytest.raises(StaleVersion):
        workflow.act(db.uow(), clock, editor2, doc.id, Action.REJECT, expected_version=1)
    with pytest.raises(Invalid):
        workflow.act(db.uow(), clock, editor2, doc.id, Action.REJECT, reason="x" * 2001)

    assert documents.get_document(db.uow(), editor, doc.id) == doc
    assert len(workflow.history(db.uow(), editor, doc.id)) == 1
