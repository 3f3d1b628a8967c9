"""Bulk import: many documents validated exactly like ``create_document``, written in
batches (one transaction and a few multi-row INSERTs per batch). Used by ``masthead demo``
and meant for importers; a batch that fails validation is written not at all."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from uuid import UUID, uuid4

from masthead.core import access, slugs
from masthead.core.access import Permission
from masthead.core.content import derive_title, search_text
from masthead.core.content_types import ContentType
from masthead.core.documents import Document, Revision, TransitionRecord
from masthead.core.models import Actor
from masthead.core.ports import Clock, UnitOfWork
from masthead.core.services.documents import (
    DEFAULT_TITLE,
    DEFAULT_TYPE,
    DocumentInput,
    prepare_content,
    split_input,
    type_for_write,
)
from masthead.core.workflow import Action, Status, actor_key


def _batches(items: Iterable[DocumentInput], size: int) -> Iterator[list[DocumentInput]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


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

    With ``publish`` each document is also published as it is created (its history records
    the publish transition). Raises Forbidden, Invalid, SlugTaken.
    """
    access.require(actor, Permission.WRITE)
    if publish:
        access.require(actor, Permission.PUBLISH)
    who = actor_key(actor)
    for batch in _batches(inputs, batch_size):
        now = clock()
        with uow:
            types: dict[str, ContentType] = {}
            used: dict[str, set[str]] = {}
            rows: list[tuple[Document, str]] = []
            revisions: list[Revision] = []
            transitions: list[TransitionRecord] = []
            known: dict[str | None, set[UUID]] = {}

            def existing(
                ids: Iterable[UUID], target: str | None, known: dict[str | None, set[UUID]] = known
            ) -> set[UUID]:
                # Imports reference the same few authors and categories over and over:
                # ask storage only about ids not yet seen in this batch.
                seen = known.setdefault(target, set())
                wanted = set(ids)
                unknown = wanted - seen
                if unknown:
                    seen |= uow.documents.existing_ids(actor.space_id, unknown, target)
                return wanted & seen

            for inp in batch:
                name = inp.type or DEFAULT_TYPE
                if name not in types:
                    types[name] = type_for_write(uow, actor.space_id, name)
                content_type = types[name]
                title, slug, data = split_input(inp)
                data = {
                    **content_type.defaults(),
                    **{k: v for k, v in data.items() if v is not None},
                }
                title = (
                    title if title is not None else derive_title(content_type, data, DEFAULT_TITLE)
                )
                taken = used.setdefault(name, set())

                def is_taken(candidate: str, name: str = name, taken: set[str] = taken) -> bool:
                    return candidate in taken or uow.documents.slug_taken(
                        actor.space_id, name, candidate, None
                    )

                slug = slugs.unique_slug(slug or slugs.slugify(title), is_taken)
                taken.add(slug)
                data = prepare_content(uow, content_type, title, slug, data, None, existing)
                document = Document(
                    id=uuid4(),
                    space_id=actor.space_id,
                    type=name,
                    title=title,
                    slug=slug,
                    data=data,
                    status=Status.PUBLISHED if publish else Status.DRAFT,
                    version=2 if publish else 1,
                    revision=1,
                    author_id=who,
                    created_at=now,
                    updated_at=now,
                    published_at=now if publish else None,
                    published_revision=1 if publish else None,
                )
                rows.append((document, search_text(content_type, title, data)))
                revisions.append(
                    Revision(
                        id=uuid4(),
                        document_id=document.id,
                        number=1,
                        title=title,
                        slug=slug,
                        data=data,
                        status=Status.DRAFT,
                        message="Imported",
                        author_id=who,
                        created_at=now,
                    )
                )
                if publish:
                    transitions.append(
                        TransitionRecord(
                            id=uuid4(),
                            document_id=document.id,
                            action=Action.PUBLISH,
                            from_status=Status.DRAFT,
                            to_status=Status.PUBLISHED,
                            actor_id=who,
                            reason=None,
                            at=now,
                            version=2,
                        )
                    )
            uow.documents.add_many(rows)
            uow.revisions.add_many(actor.space_id, revisions)
            if publish:
                uow.documents.publish_many(rows)
                uow.transitions.add_many(actor.space_id, transitions)
            uow.commit()
        yield len(rows)
