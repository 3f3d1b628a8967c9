"""The review workflow: one state machine, shared by every dialect.

    draft ──submit──▶ in_review ──approve──▶ approved ──publish──▶ published
      ▲                  │                                          │
      └──────reject──────┘                 draft ◀──unpublish───────┘
    publish straight from draft: admins, and types whose workflow is "none"
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
    def __init__(self, action: Action, current: Status, message: str | None = None):
        self.action = action
        self.current = current
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
) -> Transition:
    """Check ``action`` on a document in ``current`` and say where it leads.

    Raises IllegalTransition, SelfApprovalForbidden.
    """
    sources, target = TRANSITIONS[action]
    if current not in sources:
        raise IllegalTransition(action, current)
    if action is Action.PUBLISH and current is Status.DRAFT and not may_skip_review(actor, mode):
        raise IllegalTransition(
            action, current, "This type needs review: submit and approve before publishing"
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
            Action.RESTORE, current, "Restore an archived document before editing it"
        )
    return Status.DRAFT
