"""The review workflow: one state machine, shared by every dialect.

    draft ──submit──▶ in_review ──approve──▶ approved ──publish──▶ published
      ▲                  │                                          │
      └──────reject──────┘                 draft ◀──unpublish───────┘
    publish straight from draft: admins, and types whose workflow is "none" (the STANDARD
    policy); under REVIEW_REQUIRED (the workflow API) never: publish only from approved
    archive (soft delete) from any live state; restore returns an archived document to draft
    editing a document outside draft returns its working copy to draft

The rules here are pure: they take statuses and actors and say what happens or raise.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from uuid import UUID

from masthead.core.content_types import WorkflowMode
from masthead.core.errors import Conflict, FieldError, Forbidden
from masthead.core.models import Actor, Role


class Status(enum.StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class Action(enum.StrEnum):
    SUBMIT = "submit"
    APPROVE = "approve"
    REJECT = "reject"
    PUBLISH = "publish"
    UNPUBLISH = "unpublish"
    ARCHIVE = "archive"
    RESTORE = "restore"


class IllegalTransition(Conflict):
    """``action`` cannot start from ``current``; ``required``: the statuses it may start from
    (under the policy in force), for dialects that name them."""

    def __init__(
        self,
        action: Action,
        current: Status,
        message: str | None = None,
        *,
        required: frozenset[Status] | None = None,
    ):
        self.action = action
        self.current = current
        self.required = required if required is not None else TRANSITIONS[action][0]
        super().__init__(
            message
            or f"Cannot {action.value} a document that is {current.value.replace('_', ' ')}",
            details=[
                FieldError("status", f"current status is {current.value}"),
                FieldError("action", f"requested {action.value}"),
            ],
        )


class SelfApprovalForbidden(Forbidden):
    default_message = "You cannot approve a document you submitted for review"


_LIVE = frozenset({Status.DRAFT, Status.IN_REVIEW, Status.APPROVED, Status.PUBLISHED})

# action → (statuses it may start from, status it leads to)
TRANSITIONS: dict[Action, tuple[frozenset[Status], Status]] = {
    Action.SUBMIT: (frozenset({Status.DRAFT}), Status.IN_REVIEW),
    Action.APPROVE: (frozenset({Status.IN_REVIEW}), Status.APPROVED),
    Action.REJECT: (frozenset({Status.IN_REVIEW}), Status.DRAFT),
    Action.PUBLISH: (frozenset({Status.APPROVED, Status.DRAFT}), Status.PUBLISHED),
    # Any live document whose revision is published may be withdrawn, edited or not.
    Action.UNPUBLISH: (_LIVE, Status.DRAFT),
    Action.ARCHIVE: (_LIVE, Status.ARCHIVED),
    Action.RESTORE: (frozenset({Status.ARCHIVED}), Status.DRAFT),
}


@dataclass(frozen=True)
class WorkflowPolicy:
    """Which of the state machine's shortcuts a caller's API allows. Dialects select one by
    name; the rules stay here.

    ``review_required``: publish only from approved, whatever the type's workflow mode or
    the actor's role. ``snapshot_on_publish``: a publish records the published content as a
    revision of its own (the workflow API numbers every publish as a version)."""

    name: str
    review_required: bool = False
    snapshot_on_publish: bool = False

    def sources(self, action: Action) -> frozenset[Status]:
        """The statuses ``action`` may start from under this policy."""
        sources = TRANSITIONS[action][0]
        if action is Action.PUBLISH and self.review_required:
            return frozenset({Status.APPROVED})
        return sources


STANDARD = WorkflowPolicy("standard")
"""/v1 and the other dialects: admins and types without review may publish from draft."""
REVIEW_REQUIRED = WorkflowPolicy("review_required", review_required=True, snapshot_on_publish=True)
"""The workflow API (``workflow-content-api.txt``): publish only from approved, and every
publish is a numbered version."""


@dataclass(frozen=True)
class Transition:
    action: Action
    from_status: Status
    to_status: Status


def may_skip_review(actor: Actor, mode: WorkflowMode) -> bool:
    return mode is WorkflowMode.NONE or actor.is_superuser or actor.role is Role.ADMIN


def transition(
    action: Action,
    current: Status,
    *,
    actor: Actor,
    mode: WorkflowMode,
    submitted_by: UUID | None,
    is_published: bool,
    policy: WorkflowPolicy = STANDARD,
) -> Transition:
    """Check ``action`` on a document in ``current`` under ``policy`` and say where it leads.

    Raises IllegalTransition, SelfApprovalForbidden.
    """
    target = TRANSITIONS[action][1]
    sources = policy.sources(action)
    if current not in sources:
        raise IllegalTransition(action, current, required=sources)
    if action is Action.PUBLISH and current is Status.DRAFT and not may_skip_review(actor, mode):
        raise IllegalTransition(
            action,
            current,
            "This type needs review: submit and approve before publishing",
            required=frozenset({Status.APPROVED}),
        )
    if action is Action.UNPUBLISH:
        if not is_published:
            raise IllegalTransition(action, current, "This document is not published")
        if current is not Status.PUBLISHED:
            # Withdrawing an edited document's live revision leaves its working copy as is.
            target = current
    if action is Action.APPROVE and submitted_by is not None and submitted_by == actor_key(actor):
        raise SelfApprovalForbidden()
    return Transition(action=action, from_status=current, to_status=target)


def actor_key(actor: Actor) -> UUID | None:
    """The id recorded as who acted: the user, or the API token acting without one."""
    return actor.user_id or actor.api_token_id


def status_after_edit(current: Status) -> Status:
    """An edit returns the working copy to draft (the published revision stays live)."""
    if current is Status.ARCHIVED:
        raise IllegalTransition(
            Action.RESTORE,
            current,
            "Restore an archived document before editing it",
            required=_LIVE,
        )
    return Status.DRAFT
