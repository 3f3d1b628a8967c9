"""Workflow actions on documents: submit, approve, reject, publish, unpublish, archive,
restore, and the recorded history of them. The rules live in ``core/workflow.py``."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID, uuid4

from masthead.core import access
from masthead.core.access import Permission
from masthead.core.content import search_text
from masthead.core.content_types import ContentType
from masthead.core.documents import Document, Revision, TransitionRecord
from masthead.core.errors import FieldError, Invalid, StaleVersion
from masthead.core.limits import MAX_REASON
from masthead.core.models import Actor
from masthead.core.ports import Clock, UnitOfWork
from masthead.core.services.content_types import load_type
from masthead.core.workflow import (
    STANDARD,
    Action,
    IllegalTransition,
    Status,
    WorkflowPolicy,
    actor_key,
    transition,
)

PERMISSION = {
    Action.SUBMIT: Permission.REVIEW,
    Action.APPROVE: Permission.REVIEW,
    Action.REJECT: Permission.REVIEW,
    Action.PUBLISH: Permission.PUBLISH,
    Action.UNPUBLISH: Permission.PUBLISH,
    Action.ARCHIVE: Permission.PUBLISH,
    Action.RESTORE: Permission.PUBLISH,
}


def plan_action(
    actor: Actor,
    document: Document,
    content_type: ContentType,
    action: Action,
    reason: str | None,
    now: datetime,
    policy: WorkflowPolicy = STANDARD,
) -> tuple[Document, TransitionRecord]:
    """``document`` after ``action``, and the record of it; nothing is stored. The state
    machine's rules (core/workflow.py, under ``policy``) and the actor's permission are
    checked here, so every caller, one document or a batch import, runs the same ones.
    Raises Forbidden, IllegalTransition, SelfApprovalForbidden."""
    access.require(actor, PERMISSION[action])
    step = transition(
        action,
        document.status,
        actor=actor,
        mode=content_type.workflow,
        submitted_by=document.submitted_by,
        is_published=document.is_published,
        policy=policy,
    )
    changes: dict[str, object] = {
        "status": step.to_status,
        "version": document.version + 1,
        "updated_at": now,
    }
    if action is Action.SUBMIT:
        changes["submitted_by"] = actor_key(actor)
    elif action in {Action.REJECT, Action.RESTORE}:
        changes["submitted_by"] = None
    elif action is Action.PUBLISH:
        changes["published_revision"] = document.revision
        changes["published_at"] = document.published_at or now
        # Kept by unpublish and archive, which clear published_at (Toast's publishedAt).
        changes["last_published_at"] = changes["published_at"]
        changes["submitted_by"] = None
    elif action in {Action.UNPUBLISH, Action.ARCHIVE}:
        changes["published_revision"] = None
        changes["published_at"] = None
    updated = document.model_copy(update=changes)
    record = TransitionRecord(
        id=uuid4(),
        document_id=document.id,
        action=action,
        from_status=step.from_status,
        to_status=step.to_status,
        actor_id=actor_key(actor),
        reason=reason,
        at=now,
        version=updated.version,
    )
    return updated, record


def apply_action(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    document: Document,
    content_type: ContentType | None,
    action: Action,
    reason: str | None,
    policy: WorkflowPolicy = STANDARD,
) -> Document:
    """Run one action on ``document`` inside the caller's unit of work (no commit)."""
    access.require(actor, PERMISSION[action])
    content_type = content_type or load_type(uow, actor.space_id, document.type)
    now = clock()
    updated, record = plan_action(actor, document, content_type, action, reason, now, policy)
    snapshot = action is Action.PUBLISH and policy.snapshot_on_publish
    if snapshot:
        number = document.revision + 1
        updated = updated.model_copy(update={"revision": number, "published_revision": number})
    if not uow.documents.save(updated, document.version, None):
        raise StaleVersion()
    if snapshot:
        uow.revisions.add(actor.space_id, _publish_snapshot(updated, actor, now))
    if action is Action.PUBLISH:
        uow.documents.publish(updated, search_text(content_type, updated.title, updated.data))
    elif action in {Action.UNPUBLISH, Action.ARCHIVE} and document.is_published:
        uow.documents.unpublish(actor.space_id, document.id)
    uow.transitions.add(actor.space_id, record)
    return updated


def _publish_snapshot(document: Document, actor: Actor, now: datetime) -> Revision:
    """The revision a publish records under a policy that snapshots publishes."""
    return Revision.of(document, actor_key(actor), "Published", now)


# Which action leads from a status towards a requested one (dialects that set "status").
_TOWARDS: dict[tuple[Status, Status], tuple[Action, ...]] = {
    (Status.DRAFT, Status.IN_REVIEW): (Action.SUBMIT,),
    (Status.DRAFT, Status.PUBLISHED): (Action.PUBLISH,),
    (Status.IN_REVIEW, Status.APPROVED): (Action.APPROVE,),
    (Status.IN_REVIEW, Status.DRAFT): (Action.REJECT,),
    (Status.APPROVED, Status.PUBLISHED): (Action.PUBLISH,),
    (Status.PUBLISHED, Status.DRAFT): (Action.UNPUBLISH,),
    (Status.ARCHIVED, Status.DRAFT): (Action.RESTORE,),
}


def move_towards(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    document: Document,
    content_type: ContentType | None,
    target: Status,
    reason: str | None,
) -> Document:
    """Apply the action that takes ``document`` to ``target`` (nothing if already there)."""
    if document.status is target:
        return document
    if target is Status.ARCHIVED:
        actions: tuple[Action, ...] = (Action.ARCHIVE,)
    else:
        found = _TOWARDS.get((document.status, target))
        if found is None:
            raise IllegalTransition(
                Action.PUBLISH if target is Status.PUBLISHED else Action.SUBMIT,
                document.status,
                f"Cannot change status from {document.status.value} to {target.value}",
            )
        actions = found
    for action in actions:
        document = apply_action(uow, clock, actor, document, content_type, action, reason)
    return document


def act(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    document_id: UUID,
    action: Action,
    *,
    reason: str | None = None,
    expected_version: int | None = None,
    policy: WorkflowPolicy = STANDARD,
) -> Document:
    """Run a workflow action on the latest version (concurrent writers queue on the
    document), or on ``expected_version``, under ``policy`` (STANDARD: /v1's rules).
    Raises Forbidden, DocumentNotFound, IllegalTransition, SelfApprovalForbidden,
    StaleVersion, Invalid (reason too long)."""
    if reason is not None and len(reason) > MAX_REASON:
        raise Invalid("Reason is too long", details=[FieldError("reason", f"max {MAX_REASON}")])
    access.require(actor, PERMISSION[action])
    with uow:
        document = uow.documents.get(actor.space_id, document_id, for_update=True)
        if expected_version is not None and expected_version != document.version:
            raise StaleVersion()
        document = apply_action(uow, clock, actor, document, None, action, reason, policy)
        uow.commit()
    return document


def submit(uow: UnitOfWork, clock: Clock, actor: Actor, document_id: UUID) -> Document:
    return act(uow, clock, actor, document_id, Action.SUBMIT)


def approve(uow: UnitOfWork, clock: Clock, actor: Actor, document_id: UUID) -> Document:
    return act(uow, clock, actor, document_id, Action.APPROVE)


def reject(
    uow: UnitOfWork, clock: Clock, actor: Actor, document_id: UUID, reason: str | None = None
) -> Document:
    return act(uow, clock, actor, document_id, Action.REJECT, reason=reason)


def publish(uow: UnitOfWork, clock: Clock, actor: Actor, document_id: UUID) -> Document:
    return act(uow, clock, actor, document_id, Action.PUBLISH)


def unpublish(uow: UnitOfWork, clock: Clock, actor: Actor, document_id: UUID) -> Document:
    return act(uow, clock, actor, document_id, Action.UNPUBLISH)


def archive(uow: UnitOfWork, clock: Clock, actor: Actor, document_id: UUID) -> Document:
    return act(uow, clock, actor, document_id, Action.ARCHIVE)


def restore(uow: UnitOfWork, clock: Clock, actor: Actor, document_id: UUID) -> Document:
    return act(uow, clock, actor, document_id, Action.RESTORE)


def history(uow: UnitOfWork, actor: Actor, document_id: UUID) -> list[TransitionRecord]:
    """Every transition of a document, oldest first. Raises Forbidden, DocumentNotFound."""
    access.require(actor, Permission.READ)
    with uow:
        uow.documents.get(actor.space_id, document_id)
        return uow.transitions.list(document_id)
