"""Bulk import: many documents built, validated and published by exactly the functions
``create_document`` and the workflow use (``plan_document``, ``new_revision``,
``plan_action``), written in batches (one transaction and a few multi-row INSERTs per batch).
Used by ``masthead demo`` and meant for importers; a batch that fails is written not at all."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from uuid import UUID

from masthead.core import access
from masthead.core.access import Permission
from masthead.core.content import search_text
from masthead.core.content_types import ContentType
from masthead.core.documents import Document, Revision, TransitionRecord
from masthead.core.models import Actor
from masthead.core.ports import Clock, UnitOfWork
from masthead.core.services.documents import (
    DEFAULT_TYPE,
    Claims,
    DocumentInput,
    check_initial_status,
    new_revision,
    plan_document,
    type_for_write,
)
from masthead.core.services.workflow import plan_action
from masthead.core.workflow import Action, Status

IMPORT_MESSAGE = "Imported"
IMPORT_VIA = "import"


def _batches(items: Iterable[DocumentInput], size: int) -> Iterator[list[DocumentInput]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


class _Batch:
    """One batch's documents, and what they claim (slugs, single types, unique values) and
    know (imports reference the same few authors and categories over and over: storage is
    asked only about ids not seen yet)."""

    def __init__(self, uow: UnitOfWork, space_id: UUID):
        self.uow = uow
        self.space_id = space_id
        self.types: dict[str, ContentType] = {}
        self.claims = Claims()
        self.known: dict[str | None, set[UUID]] = {}
        self.rows: list[tuple[Document, str]] = []
        self.revisions: list[Revision] = []
        self.published: list[tuple[Document, str]] = []
        self.transitions: list[TransitionRecord] = []

    def content_type(self, name: str) -> ContentType:
        if name not in self.types:
            self.types[name] = type_for_write(self.uow, self.space_id, name)
        return self.types[name]

    def existing(self, ids: Iterable[UUID], target: str | None) -> set[UUID]:
        seen = self.known.setdefault(target, set())
        wanted = set(ids)
        if unknown := wanted - seen:
            seen |= self.uow.documents.existing_ids(self.space_id, unknown, target)
        return wanted & seen


# The workflow actions that bring a new draft to the status an import asks for.
_ACTIONS_TO = {
    Status.DRAFT: (),
    Status.IN_REVIEW: (Action.SUBMIT,),
    Status.PUBLISHED: (Action.PUBLISH,),
}


def import_documents(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    inputs: Iterable[DocumentInput],
    *,
    publish: bool = False,
    batch_size: int = 500,
) -> Iterator[int]:
    """Create documents in batches; yields the number written after each batch.

    Each document gets the status its input asks for (draft, in_review or published, as
    ``create_document`` allows), or published for all with ``publish``, under the same rules
    as moving it there alone (a type that needs review refuses an editor's publish). Raises
    Forbidden, Invalid, SlugTaken, UniqueValueTaken, Conflict, IllegalTransition.
    """
    access.require(actor, Permission.WRITE)
    if publish:
        access.require(actor, Permission.PUBLISH)
    actor = actor.model_copy(update={"via": IMPORT_VIA})  # their provenance: an import
    for inputs_batch in _batches(inputs, batch_size):
        now = clock()
        with uow:
            batch = _Batch(uow, actor.space_id)
            for inp in inputs_batch:
                check_initial_status(inp.status)
                content_type = batch.content_type(inp.type or DEFAULT_TYPE)
                document = plan_document(
                    uow,
                    actor,
                    content_type,
                    inp,
                    now,
                    claims=batch.claims,
                    existing=batch.existing,
                )
                text = search_text(content_type, document.title, document.data)
                batch.revisions.append(new_revision(document, actor, IMPORT_MESSAGE))
                target = Status.PUBLISHED if publish else (inp.status or Status.DRAFT)
                for action in _ACTIONS_TO[target]:
                    document, record = plan_action(actor, document, content_type, action, None, now)
                    batch.transitions.append(record)
                batch.rows.append((document, text))
                if document.is_published:
                    batch.published.append((document, text))
            # Documents are stored as they are after their transitions: one write each.
            uow.documents.add_many(batch.rows)
            uow.revisions.add_many(actor.space_id, batch.revisions)
            uow.documents.publish_many(batch.published)
            uow.transitions.add_many(actor.space_id, batch.transitions)
            uow.commit()
        yield len(batch.rows)
