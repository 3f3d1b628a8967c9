"""Revisions: list, read, snapshot, restore and diff. History is never rewritten: a restore
appends a new revision carrying the old content."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from masthead.core import access
from masthead.core.access import Permission
from masthead.core.documents import Document, Revision
from masthead.core.errors import (
    FieldError,
    Invalid,
    RevisionNotFound,
    RevisionNotOlder,
    StaleVersion,
)
from masthead.core.limits import MAX_MESSAGE
from masthead.core.models import Actor
from masthead.core.paging import DEFAULT_LIMIT, check_paging
from masthead.core.ports import Clock, UnitOfWork
from masthead.core.services.documents import DocumentWrite, append_revision, restore_content


@dataclass(frozen=True)
class RevisionPage:
    items: list[Revision]
    total: int
    limit: int
    offset: int


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: Any
    after: Any
    change: str  # "added", "removed" or "changed"


def list_revisions(
    uow: UnitOfWork, actor: Actor, document_id: UUID, *, limit: int = DEFAULT_LIMIT, offset: int = 0
) -> RevisionPage:
    """Newest first. Raises Forbidden, DocumentNotFound, Invalid."""
    access.require(actor, Permission.READ)
    check_paging(limit, offset)
    with uow:
        uow.documents.get(actor.space_id, document_id)
        items, total = uow.revisions.list(document_id, limit, offset)
    return RevisionPage(items, total, limit, offset)


def _load(uow: UnitOfWork, document_id: UUID, number: int) -> Revision:
    revision = uow.revisions.get(document_id, number)
    if revision is None:
        raise RevisionNotFound(f"Revision {number} not found")
    return revision


def get_revision(uow: UnitOfWork, actor: Actor, document_id: UUID, number: int) -> Revision:
    """Raises Forbidden, DocumentNotFound, RevisionNotFound."""
    access.require(actor, Permission.READ)
    with uow:
        uow.documents.get(actor.space_id, document_id)
        return _load(uow, document_id, number)


def create_snapshot(
    uow: UnitOfWork, clock: Clock, actor: Actor, document_id: UUID, message: str | None = None
) -> Revision:
    """Record the current content as a new, explicitly labelled revision (of the latest
    version: concurrent writers queue on the document)."""
    access.require(actor, Permission.WRITE)
    if message is not None and len(message) > MAX_MESSAGE:
        raise Invalid("Message is too long", details=[FieldError("message", f"max {MAX_MESSAGE}")])
    with uow:
        current = uow.documents.get(actor.space_id, document_id, for_update=True)
        _, revision = create_snapshot_in(uow, clock, actor, current, message)
        uow.commit()
    return revision


def create_snapshot_in(
    uow: UnitOfWork, clock: Clock, actor: Actor, current: Document, message: str | None
) -> tuple[Document, Revision]:
    """Append a revision of ``current``'s content (read with its row locked) inside the
    caller's unit of work (no commit)."""
    document = current.model_copy(
        update={
            "revision": current.revision + 1,
            "version": current.version + 1,
            "updated_at": clock(),
        }
    )
    if not uow.documents.save(document, current.version, None):
        raise StaleVersion()
    return document, append_revision(uow, document, actor, message)


def restore_revision(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    document_id: UUID,
    number: int,
    *,
    expected_version: int | None = None,
) -> DocumentWrite:
    """Append a revision with revision ``number``'s content; the working copy becomes draft.

    Without ``expected_version`` it applies to the latest version (concurrent writers queue
    on the document). Raises Forbidden, DocumentNotFound, RevisionNotFound, StaleVersion,
    SlugTaken.
    """
    access.require(actor, Permission.WRITE)
    with uow:
        current = uow.documents.get(actor.space_id, document_id, for_update=True)
        if expected_version is not None and expected_version != current.version:
            raise StaleVersion()
        source = _load(uow, document_id, number)
        document, revision = restore_content(uow, clock, actor, current, source)
        uow.commit()
    return DocumentWrite(document, revision)


def revert_revision(
    uow: UnitOfWork, clock: Clock, actor: Actor, document_id: UUID, number: int
) -> DocumentWrite:
    """A restore that only goes back: revision ``number`` must be older than the document's
    current one (the workflow API's revert). Appends a revision with its content; the working
    copy becomes draft. Raises Forbidden, DocumentNotFound, RevisionNotOlder,
    RevisionNotFound, IllegalTransition (archived), SlugTaken."""
    access.require(actor, Permission.WRITE)
    with uow:
        current = uow.documents.get(actor.space_id, document_id, for_update=True)
        if number >= current.revision:
            raise RevisionNotOlder(
                f"Cannot revert to version {number}: the current version is {current.revision}",
                details=[FieldError("version", f"must be less than {current.revision}")],
            )
        source = _load(uow, document_id, number)
        document, revision = restore_content(uow, clock, actor, current, source)
        uow.commit()
    return DocumentWrite(document, revision)


def snapshot_and_restore(
    uow: UnitOfWork, clock: Clock, actor: Actor, document_id: UUID, number: int
) -> DocumentWrite:
    """Record the current content as a revision, then append one with revision ``number``'s
    content, in one transaction (the Toast API's restore: "creates a snapshot of current
    state before restoring"). Returns the restored revision, two after the current one.
    Raises Forbidden, DocumentNotFound, RevisionNotFound, IllegalTransition (archived),
    SlugTaken."""
    access.require(actor, Permission.WRITE)
    with uow:
        current = uow.documents.get(actor.space_id, document_id, for_update=True)
        source = _load(uow, document_id, number)
        snapshot, _ = create_snapshot_in(
            uow, clock, actor, current, f"Before restoring revision {source.number}"
        )
        document, revision = restore_content(uow, clock, actor, snapshot, source)
        uow.commit()
    return DocumentWrite(document, revision)


def _flat(revision: Revision) -> dict[str, Any]:
    return {"title": revision.title, "slug": revision.slug, **revision.data}


def diff_revisions(
    uow: UnitOfWork, actor: Actor, document_id: UUID, a: int, b: int
) -> list[FieldChange]:
    """Field-by-field changes from revision ``a`` to revision ``b``."""
    access.require(actor, Permission.READ)
    with uow:
        uow.documents.get(actor.space_id, document_id)
        before, after = _flat(_load(uow, document_id, a)), _flat(_load(uow, document_id, b))
    changes = []
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name), after.get(name)
        if old == new:
            continue
        kind = "added" if name not in before else "removed" if name not in after else "changed"
        changes.append(FieldChange(name, old, new, kind))
    return changes


def document_at(document: Document, revision: Revision) -> Document:
    """``document`` with ``revision``'s content, for showing an old revision in full."""
    return document.model_copy(
        update={"title": revision.title, "slug": revision.slug, "data": revision.data}
    )
