"""The workflow state machine as pure rules: every (action, status) pair, who may skip review,
self-approval, and what an edit does to the status. No database."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest

from masthead.api.errors import status_for
from masthead.core.content_types import WorkflowMode
from masthead.core.errors import Conflict, Forbidden, category_of
from masthead.core.models import Actor, Role, Space, TokenKind
from masthead.core.workflow import (
    TRANSITIONS,
    Action,
    IllegalTransition,
    SelfApprovalForbidden,
    Status,
    status_after_edit,
    transition,
)

SPACE = Space(
    id=uuid4(), slug="default", name="Default", created_at=datetime(2026, 1, 1, tzinfo=UTC)
)


def _user(role: Role, *, superuser: bool = False, user_id: UUID | None = None) -> Actor:
    return Actor(
        space=SPACE,
        role=role,
        kind=TokenKind.ACCESS,
        user_id=user_id or uuid4(),
        username=f"{role.value}-user",
        is_superuser=superuser,
    )


def _api_token(role: Role, token_id: UUID | None = None) -> Actor:
    return Actor(space=SPACE, role=role, kind=TokenKind.API, api_token_id=token_id or uuid4())


ADMIN = _user(Role.ADMIN)
EDITOR = _user(Role.EDITOR)
SUBMITTER_ID = uuid4()

# Every legal (action, from) → to. Anything not listed here must be refused.
LEGAL: dict[tuple[Action, Status], Status] = {
    (Action.SUBMIT, Status.DRAFT): Status.IN_REVIEW,
    (Action.APPROVE, Status.IN_REVIEW): Status.APPROVED,
    (Action.REJECT, Status.IN_REVIEW): Status.DRAFT,
    (Action.PUBLISH, Status.APPROVED): Status.PUBLISHED,
    (Action.PUBLISH, Status.DRAFT): Status.PUBLISHED,  # admins / workflow "none" only
    (Action.UNPUBLISH, Status.PUBLISHED): Status.DRAFT,
    (Action.ARCHIVE, Status.DRAFT): Status.ARCHIVED,
    (Action.ARCHIVE, Status.IN_REVIEW): Status.ARCHIVED,
    (Action.ARCHIVE, Status.APPROVED): Status.ARCHIVED,
    (Action.ARCHIVE, Status.PUBLISHED): Status.ARCHIVED,
    (Action.RESTORE, Status.ARCHIVED): Status.DRAFT,
}
# Unpublish also starts from the other live statuses, when an edited document's earlier
# revision is still published: it withdraws that revision and leaves the status as it is.
UNPUBLISH_EDITED = (Status.DRAFT, Status.IN_REVIEW, Status.APPROVED)
TABLE = {**LEGAL, **{(Action.UNPUBLISH, s): Status.DRAFT for s in UNPUBLISH_EDITED}}
ILLEGAL = [pair for pair in itertools.product(Action, Status) if pair not in TABLE]


def _is_published(status: Status) -> bool:
    return status is Status.PUBLISHED


def _pair_id(pair: tuple[Action, Status]) -> str:
    return f"{pair[0].value}-from-{pair[1].value}"


def test_the_transition_table_is_exactly_the_documented_machine() -> None:
    table = {
        (action, source): target
        for action, (sources, target) in TRANSITIONS.items()
        for source in sources
    }
    assert table == TABLE


@pytest.mark.parametrize("current", UNPUBLISH_EDITED, ids=lambda s: s.value)
def test_unpublish_of_an_edited_document_withdraws_it_and_keeps_its_status(
    current: Status,
) -> None:
    step = transition(
        Action.UNPUBLISH,
        current,
        actor=EDITOR,
        mode=WorkflowMode.REVIEW,
        submitted_by=None,
        is_published=True,
    )
    assert step.to_status is current
    with pytest.raises(IllegalTransition):
        transition(
            Action.UNPUBLISH,
            current,
            actor=EDITOR,
            mode=WorkflowMode.REVIEW,
            submitted_by=None,
            is_published=False,
        )


@pytest.mark.parametrize("pair", list(LEGAL), ids=_pair_id)
def test_legal_transition_leads_to_its_target(pair: tuple[Action, Status]) -> None:
    action, current = pair
    step = transition(
        action,
        current,
        actor=ADMIN,
        mode=WorkflowMode.REVIEW,
        submitted_by=SUBMITTER_ID,
        is_published=_is_published(current),
    )
    assert step.action is action
    assert step.from_status is current
    assert step.to_status is LEGAL[pair]


@pytest.mark.parametrize("pair", ILLEGAL, ids=_pair_id)
@pytest.mark.parametrize("mode", list(WorkflowMode))
def test_illegal_transition_is_a_conflict_naming_current_and_requested(
    pair: tuple[Action, Status], mode: WorkflowMode
) -> None:
    action, current = pair
    with pytest.raises(IllegalTransition) as caught:
        transition(
            action,
            current,
            actor=ADMIN,
            mode=mode,
            submitted_by=SUBMITTER_ID,
            is_published=_is_published(current),
        )
    error = caught.value
    assert isinstance(error, Conflict)
    assert category_of(error) is Conflict
    assert status_for(error) == 409
    assert error.current is current
    assert error.action is action
    messages = {d.field: d.message for d in error.details}
    assert current.value in messages["status"]
    assert action.value in messages["action"]


@pytest.mark.parametrize(
    "actor",
    [
        _user(Role.ADMIN),
        _api_token(Role.ADMIN),
        _user(Role.EDITOR, superuser=True),
    ],
    ids=["admin-user", "admin-token", "superuser"],
)
def test_admins_publish_straight_from_draft_even_under_review(actor: Actor) -> None:
    step = transition(
        Action.PUBLISH,
        Status.DRAFT,
        actor=actor,
        mode=WorkflowMode.REVIEW,
        submitted_by=None,
        is_published=False,
    )
    assert step.to_status is Status.PUBLISHED


@pytest.mark.parametrize("actor", [_user(Role.EDITOR), _api_token(Role.EDITOR)])
def test_editors_publish_straight_from_draft_when_workflow_is_none(actor: Actor) -> None:
    step = transition(
        Action.PUBLISH,
        Status.DRAFT,
        actor=actor,
        mode=WorkflowMode.NONE,
        submitted_by=None,
        is_published=False,
    )
    assert step.to_status is Status.PUBLISHED


@pytest.mark.parametrize("actor", [_user(Role.EDITOR), _api_token(Role.EDITOR)])
def test_editors_cannot_publish_from_draft_when_the_type_needs_review(actor: Actor) -> None:
    with pytest.raises(IllegalTransition) as caught:
        transition(
            Action.PUBLISH,
            Status.DRAFT,
            actor=actor,
            mode=WorkflowMode.REVIEW,
            submitted_by=None,
            is_published=False,
        )
    assert status_for(caught.value) == 409
    assert "review" in caught.value.message.lower()
    messages = {d.field: d.message for d in caught.value.details}
    assert "draft" in messages["status"]
    assert "publish" in messages["action"]


def test_editors_publish_approved_documents_under_review() -> None:
    step = transition(
        Action.PUBLISH,
        Status.APPROVED,
        actor=EDITOR,
        mode=WorkflowMode.REVIEW,
        submitted_by=None,
        is_published=False,
    )
    assert step.to_status is Status.PUBLISHED


def test_unpublish_of_a_document_never_published_is_refused() -> None:
    with pytest.raises(IllegalTransition):
        transition(
            Action.UNPUBLISH,
            Status.PUBLISHED,
            actor=ADMIN,
            mode=WorkflowMode.NONE,
            submitted_by=None,
            is_published=False,
        )


@pytest.mark.parametrize("role", [Role.ADMIN, Role.EDITOR])
def test_submitter_cannot_approve_own_document(role: Role) -> None:
    submitter = _user(role)
    with pytest.raises(SelfApprovalForbidden) as caught:
        transition(
            Action.APPROVE,
            Status.IN_REVIEW,
            actor=submitter,
            mode=WorkflowMode.REVIEW,
            submitted_by=submitter.user_id,
            is_published=False,
        )
    assert isinstance(caught.value, Forbidden)
    assert status_for(caught.value) == 403
    assert "submitted" in caught.value.message


def test_api_token_that_submitted_cannot_approve() -> None:
    token_id = uuid4()
    with pytest.raises(SelfApprovalForbidden):
        transition(
            Action.APPROVE,
            Status.IN_REVIEW,
            actor=_api_token(Role.EDITOR, token_id),
            mode=WorkflowMode.REVIEW,
            submitted_by=token_id,
            is_published=False,
        )


def test_someone_else_approves_a_submitted_document() -> None:
    step = transition(
        Action.APPROVE,
        Status.IN_REVIEW,
        actor=_user(Role.EDITOR),
        mode=WorkflowMode.REVIEW,
        submitted_by=SUBMITTER_ID,
        is_published=False,
    )
    assert step.to_status is Status.APPROVED


def test_submitter_may_still_reject_own_document() -> None:
    submitter = _user(Role.EDITOR, user_id=SUBMITTER_ID)
    step = transition(
        Action.REJECT,
        Status.IN_REVIEW,
        actor=submitter,
        mode=WorkflowMode.REVIEW,
        submitted_by=SUBMITTER_ID,
        is_published=False,
    )
    assert step.to_status is Status.DRAFT


@pytest.mark.parametrize(
    "current", [Status.DRAFT, Status.IN_REVIEW, Status.APPROVED, Status.PUBLISHED]
)
def test_editing_returns_a_live_document_to_draft(current: Status) -> None:
    assert status_after_edit(current) is Status.DRAFT


def test_editing_an_archived_document_is_refused_until_restored() -> None:
    with pytest.raises(IllegalTransition) as caught:
        status_after_edit(Status.ARCHIVED)
    assert status_for(caught.value) == 409
    assert "archived" in caught.value.message.lower()
    assert caught.value.current is Status.ARCHIVED
